#!/usr/bin/env python3
"""Benchmarks/load/frames.py BINARY [FILTER]: the async frame (context) size of every Swift async
function in BINARY whose demangled name contains FILTER, largest first.

Every task in flight holds the frames of the async functions it is suspended in, so a waiting
task's memory is the sum of the frames along its call chain (allocated by the task allocator in
slabs of at least 1 KB). The size is read from each function's async function pointer (symbol
suffix `Tu`: {int32 relative function offset, uint32 context size}). Needs readelf, nm and
`swift demangle`. Example: `Benchmarks/load/frames.py .build/release/squall LiveExecutor`."""
import subprocess, sys, struct
binpath = sys.argv[1]; filt = sys.argv[2] if len(sys.argv) > 2 else ""
secs = []
for line in subprocess.run(["readelf", "-SW", binpath], capture_output=True, text=True).stdout.splitlines():
    parts = line.replace("[ ", "[").split()
    if len(parts) > 6 and parts[0].startswith("[") and parts[0] != "[Nr]":
        try:
            addr = int(parts[3], 16); off = int(parts[4], 16); size = int(parts[5], 16)
        except ValueError:
            continue
        if parts[2] != "NOBITS" and addr:
            secs.append((addr, off, size))
data = open(binpath, "rb").read()
out = subprocess.run(["nm", "--defined-only", binpath], capture_output=True, text=True).stdout.splitlines()
syms = [(int(a, 16), n) for a, _, n in (l.split(None, 2) for l in out if len(l.split(None, 2)) == 3) if n.endswith("Tu")]
dem = subprocess.run(["swift", "demangle", "--simplified"], input="\n".join(n for _, n in syms), capture_output=True, text=True).stdout.splitlines()
rows = []
for (a, n), d in zip(syms, dem):
    for sa, so, ss in secs:
        if sa <= a < sa + ss:
            _, size = struct.unpack_from("<iI", data, so + a - sa)
            rows.append((size, d))
            break
try:
    for size, d in sorted(rows, reverse=True):
        if filt in d:
            print(f"{size:6d}  {d.replace('async function pointer to ', '')[:200]}")
except BrokenPipeError:
    pass
