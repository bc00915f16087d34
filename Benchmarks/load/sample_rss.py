"""Runs `squall load` and samples its RSS and that of the processes it talks to (Benchmarks/load/memory.sh).

Usage: sample_rss.py OUT_JSON LOAD_STDOUT INTERVAL NAME=PID... -- COMMAND...

Spawns COMMAND (the generator) with its stdout to LOAD_STDOUT, reads VmRSS of it and of every
NAME=PID every INTERVAL seconds, waits for it with wait4 (whose ru_maxrss is the generator's exact
peak RSS), reads VmHWM of the other processes (still running) and writes one JSON document.
"""
import json
import os
import subprocess
import sys
import time


def status(pid, field):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return -1


def main():
    out_json, load_stdout, interval = sys.argv[1], sys.argv[2], float(sys.argv[3])
    sep = sys.argv.index("--")
    watched = dict((kv.split("=", 1)[0], int(kv.split("=", 1)[1])) for kv in sys.argv[4:sep])
    command = sys.argv[sep + 1:]
    with open(load_stdout, "wb") as out:
        child = subprocess.Popen(command, stdout=out)
    names = ["load"] + list(watched)
    pids = dict(watched, load=child.pid)
    samples = {n: [] for n in names}
    start = time.monotonic()
    rusage = None
    status_code = None
    next_sample = 1.0  # the first sample once the generator has started, then every INTERVAL s
    while rusage is None:
        now = time.monotonic() - start
        if now >= next_sample:
            for n in names:
                rss = status(pids[n], "VmRSS")
                if rss >= 0:
                    samples[n].append((round(now), rss))
            next_sample = interval if next_sample < interval else next_sample + interval
        pid, code, usage = os.wait4(child.pid, os.WNOHANG)
        if pid == child.pid:
            rusage, status_code = usage, code
            break
        time.sleep(min(0.2, max(0.01, next_sample - (time.monotonic() - start))))
    result = {
        "seconds": round(time.monotonic() - start, 1),
        "exit": os.waitstatus_to_exitcode(status_code),
        "samples": samples,
        # ru_maxrss is in KiB on Linux.
        "peak": dict({n: status(pids[n], "VmHWM") for n in watched}, load=rusage.ru_maxrss * 1024),
    }
    with open(out_json, "w") as f:
        json.dump(result, f)


main()
