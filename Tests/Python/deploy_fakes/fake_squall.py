"""A stand-in for the `squall` binary with only the sharding interface of issue #13, so the tests
can run the manifests' commands end to end before `--shards`/`squall merge` exist:

  squall sweep|run|audit|load … (--shards N with JOB_COMPLETION_INDEX | --shard I/N) --out DIR
      writes DIR/part-I-of-N/part.json (exit 2 if a scenario path given does not exist)
  squall merge PART… --out DIR
      exit 2 unless the parts are exactly part-0..N-1 of one command; else writes DIR/summary.json
      and exits with $FAKE_VERDICT (default 0)
"""
import json
import os
import sys


def fail(code, message):
    print(f"squall: error: {message}", file=sys.stderr)
    sys.exit(code)


def option(args, name):
    if name in args:
        i = args.index(name)
        if i + 1 >= len(args):
            fail(2, f"{name} needs a value")
        return args[i + 1]
    return None


def strip(args, *names):
    out, skip = [], False
    for a in args:
        if skip:
            skip = False
            continue
        if a in names:
            skip = True
            continue
        out.append(a)
    return out


def shard(command, args):
    out = option(args, "--out")
    if out is None:
        fail(2, "--out DIR is required with --shards")
    if option(args, "--shard") is not None:
        i, _, n = option(args, "--shard").partition("/")
    else:
        n = option(args, "--shards")
        i = os.environ.get("JOB_COMPLETION_INDEX")
        if n is None or i is None:
            fail(2, "--shards N needs JOB_COMPLETION_INDEX (or give --shard I/N)")
    if not (i.isdigit() and n.isdigit() and int(i) < int(n)):
        fail(2, f"--shard: '{i}/{n}' is not I/N with 0 <= I < N")
    for a in args:
        if a.endswith((".yaml", ".yml")) and not os.path.exists(a):
            fail(2, f"{a}: no such file")
    part = os.path.join(out, f"part-{i}-of-{n}")
    os.makedirs(part, exist_ok=True)
    with open(os.path.join(part, "part.json"), "w") as f:
        # Scenario files by name: each pod mounts its own copy of the ConfigMap.
        same = [os.path.basename(a) if a.endswith((".yaml", ".yml")) else a
                for a in strip(args, "--out", "--shard", "--shards")]
        json.dump({"format": "fake-part/1", "command": [command] + same,
                   "shard": int(i), "shards": int(n)}, f)
    print(f"shard {i}/{n}: wrote {part}")


def merge(args):
    out = option(args, "--out")
    parts = strip(args, "--out")
    if out is None or not parts:
        fail(2, "usage: squall merge PART… --out DIR")
    seen = []
    for p in parts:
        path = os.path.join(p, "part.json")
        if not os.path.isfile(path):
            fail(2, f"{p}: not a part (no part.json)")
        with open(path) as f:
            seen.append(json.load(f))
    n = seen[0]["shards"]
    if any(s["shards"] != n or s["command"] != seen[0]["command"] for s in seen):
        fail(2, "the parts do not belong together")
    indexes = sorted(s["shard"] for s in seen)
    if indexes != list(range(n)):
        fail(2, f"expected parts 0..{n - 1}, got {indexes}")
    os.makedirs(out, exist_ok=True)
    verdict = int(os.environ.get("FAKE_VERDICT", "0"))
    with open(os.path.join(out, "summary.json"), "w") as f:
        json.dump({"parts": n, "command": seen[0]["command"], "verdict": verdict}, f)
    print(("PASS" if verdict == 0 else "FAIL") + f" merged {n} parts -> {out}")
    sys.exit(verdict)


def main():
    args = sys.argv[1:]
    if not args:
        fail(2, "no command")
    if args[0] == "merge":
        merge(args[1:])
    elif args[0] in ("sweep", "run", "audit", "load"):
        shard(args[0], args[1:])
    else:
        fail(2, f"unknown command {args[0]}")


main()
