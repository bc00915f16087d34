"""A stand-in for kubectl with just what deploy/kubernetes/verdict.sh calls, driven by a JSON state
file ($FAKE_KUBECTL_STATE): each Job has a list of condition lines returned one per poll (the last
repeats), failed indexes, the Failed condition's reason, the merge pods' `name exitCode` lines and their logs, and which calls fail ("fail": ["patch job", …]). Every call is
appended to $FAKE_KUBECTL_LOG as one JSON list."""
import json
import os
import sys

state_path = os.environ["FAKE_KUBECTL_STATE"]
with open(state_path) as f:
    state = json.load(f)
args = sys.argv[1:]
with open(os.environ["FAKE_KUBECTL_LOG"], "a") as f:
    f.write(json.dumps(args) + "\n")
if args[:1] == ["--namespace"]:
    args = args[2:]
if " ".join(args[:2]) in state.get("fail", []):
    print(f"error: the server is unreachable ({' '.join(args[:2])})", file=sys.stderr)
    sys.exit(1)
if args[:2] == ["get", "job"]:
    job = state["jobs"].get(args[2])
    if job is None:
        print(f'Error from server (NotFound): jobs.batch "{args[2]}" not found', file=sys.stderr)
        sys.exit(1)
    jsonpath = args[-1]
    if "failedIndexes" in jsonpath:
        print(job.get("failedIndexes", ""), end="")
    elif "reason" in jsonpath:
        print(job.get("reason", ""), end="")
    else:
        polls = job["conditions"]
        line = polls.pop(0) if len(polls) > 1 else polls[0]
        with open(state_path, "w") as f:
            json.dump(state, f)
        print(line, end="")
elif args[:2] == ["patch", "job"]:
    state["jobs"][args[2]]["patched"] = True
    with open(state_path, "w") as f:
        json.dump(state, f)
elif args[:2] == ["get", "pods"]:
    print(state.get("pods", ""), end="")
elif args[:1] == ["logs"]:
    print(state.get("logs", ""))
else:
    print(f"fake kubectl: unsupported: {args}", file=sys.stderr)
    sys.exit(1)
