#!/usr/bin/env bash
# The load generator's memory over a long run (issue #9 item 10, generator half): starts a release
# `squall mock` (and, for --target tasks, a `squall serve` calling it), runs `squall load` open loop
# at RATE tasks/s for DURATION, samples the RSS of every process every 5 s, and prints the tasks
# sent/dropped, the outcomes, each process's start and peak RSS with the samples, and whether the
# goals hold: generator <= 150 MB, mock <= 100 MB (peak RSS over the run).
#
#   Benchmarks/load/memory.sh [--duration 30m] [--rate 5000] [--target raw|stack|tasks]
#                             [--duplicates F] [--csv] [--profile FILE | --stall] [--squall PATH] [-- LOAD-FLAGS...]
#
# --target stack (default) runs the in-process reliability stack with idempotency keys and, by
# default, 5% duplicates (concurrent, after completion, after the key TTL); --csv streams per-task
# records to a temporary file (its size is printed); flags after `--` go to `squall load` as is
# (e.g. `-- --idempotency-ttl 60s`). The mock answers every call after 5 ms, without faults (the
# stack's breaker trips at 5 failures in 60 s, far below 1% of 5,000/s); --profile FILE for others.
# --stall answers every call after 2.5 s instead: 128 connections then serve ~51 tasks/s, so the
# in-flight cap (--max-in-flight, default 10,000) fills within seconds and stays full, which is the
# generator's worst case whatever the machine (the drain after the offer window takes ~3 minutes).
# Needs: python3, curl, a release build of squall (built if missing). Loopback only.
set -euo pipefail
cd "$(dirname "$0")/../.."

DURATION=30m
RATE=5000
TARGET=stack
DUPLICATES=""
CSV=0
PROFILE=""
SQUALL="${SQUALL:-}"
EXTRA=()
usage="usage: $0 [--duration 30m] [--rate 5000] [--target raw|stack|tasks] [--duplicates F] [--csv] [--profile FILE | --stall] [--squall PATH] [-- LOAD-FLAGS...]"
STALL=0
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) DURATION="$2"; shift 2 ;;
    --rate) RATE="$2"; shift 2 ;;
    --target) TARGET="$2"; shift 2 ;;
    --duplicates) DUPLICATES="$2"; shift 2 ;;
    --csv) CSV=1; shift ;;
    --profile) PROFILE="$2"; shift 2 ;;
    --stall) STALL=1; shift ;;
    --squall) SQUALL="$2"; shift 2 ;;
    --) shift; EXTRA=("$@"); break ;;
    *) echo "$usage" >&2; exit 2 ;;
  esac
done
[ "$STALL" = 1 ] && [ -n "$PROFILE" ] && { echo "memory.sh: --stall and --profile are exclusive" >&2; exit 2; }
case "$TARGET" in raw|stack|tasks) ;; *) echo "memory.sh: --target raw, stack or tasks, got '$TARGET'" >&2; exit 2 ;; esac
case "$DURATION" in
  *h) SECONDS_TOTAL=$(( ${DURATION%h} * 3600 )) ;;
  *m) SECONDS_TOTAL=$(( ${DURATION%m} * 60 )) ;;
  *s) SECONDS_TOTAL=${DURATION%s} ;;
  *) echo "memory.sh: --duration like 30m, 90s or 1h, got '$DURATION'" >&2; exit 2 ;;
esac
[ -z "$DUPLICATES" ] && { [ "$TARGET" = raw ] && DUPLICATES=0 || DUPLICATES=0.05; }
if [ -z "$SQUALL" ]; then
  swift build -c release --product squall >/dev/null
  SQUALL="$(swift build -c release --show-bin-path)/squall"
fi

WORK="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_http() { for _ in $(seq 1 200); do curl -s -o /dev/null "$1" && return 0; sleep 0.05; done; return 1; }

if [ "$STALL" = 1 ]; then
  PROFILE="$WORK/profile.yaml"
  cat >"$PROFILE" <<'YAML'
latency: { fixed: 2500ms }
reply: { tokens: 24 }
YAML
elif [ -z "$PROFILE" ]; then
  PROFILE="$WORK/profile.yaml"
  cat >"$PROFILE" <<'YAML'
latency: { fixed: 5ms }
reply: { tokens: 24 }
YAML
fi
MOCK_PORT=$(free_port)
"$SQUALL" mock --port "$MOCK_PORT" --profile "$PROFILE" --threads 1 >"$WORK/mock.log" 2>&1 &
MOCK_PID=$!
pids+=("$MOCK_PID")
wait_http "http://127.0.0.1:$MOCK_PORT/v1/models" || { echo "memory.sh: squall mock did not start" >&2; cat "$WORK/mock.log" >&2; exit 3; }
WATCH=("mock=$MOCK_PID")
URL="http://127.0.0.1:$MOCK_PORT"
if [ "$TARGET" = tasks ]; then
  SERVE_PORT=$(free_port)
  "$SQUALL" serve --port "$SERVE_PORT" --llm-url "$URL" --workers 1024 --queue 100000 >"$WORK/serve.log" 2>&1 &
  SERVE_PID=$!
  pids+=("$SERVE_PID")
  wait_http "http://127.0.0.1:$SERVE_PORT/health" || { echo "memory.sh: squall serve did not start" >&2; cat "$WORK/serve.log" >&2; exit 3; }
  WATCH+=("serve=$SERVE_PID")
  URL="http://127.0.0.1:$SERVE_PORT"
fi

LOAD=("$SQUALL" load --target "$TARGET" --url "$URL" --rate "${RATE}/s" --duration "$DURATION" --connections 128)
[ "$TARGET" != raw ] && LOAD+=(--duplicates "$DUPLICATES")
[ "$CSV" = 1 ] && LOAD+=(--csv "$WORK/tasks.csv")
LOAD+=("${EXTRA[@]}")
echo "squall load --target $TARGET at ${RATE}/s for $DURATION (duplicates $DUPLICATES, csv $([ "$CSV" = 1 ] && echo on || echo off)${EXTRA:+, ${EXTRA[*]}}); $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at start" >&2
python3 Benchmarks/load/sample_rss.py "$WORK/rss.json" "$WORK/load.out" 5 "${WATCH[@]}" -- "${LOAD[@]}" 2>"$WORK/load.err" || true
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
CSV_BYTES=$([ "$CSV" = 1 ] && stat -c %s "$WORK/tasks.csv" 2>/dev/null || echo 0)
grep -E '^(tasks|outcomes|failures by cause|duplicates|keys executed|dropped|scheduler lag)' "$WORK/load.out" || { echo "memory.sh: squall load printed no summary" >&2; tail -20 "$WORK/load.err" >&2; exit 3; }
python3 - "$WORK/rss.json" "$SECONDS_TOTAL" "$CSV_BYTES" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
seconds, csv_bytes = int(sys.argv[2]), int(sys.argv[3])
goals = {"load": 150, "mock": 100}
mb = lambda b: b / 2**20
print(f"generator exit {r['exit']} after {r['seconds']} s (asked {seconds} s)" + (f"; tasks.csv {csv_bytes / 2**20:.0f} MB on disk" if csv_bytes else ""))
met = True
for name, samples in r["samples"].items():
    if not samples:
        continue
    peak = r["peak"][name]
    goal = goals.get(name)
    verdict = "" if goal is None else (f"  (goal <= {goal} MB: " + ("met" if mb(peak) <= goal else "NOT met") + ")")
    met &= goal is None or mb(peak) <= goal
    print(f"{name:5} RSS start {mb(samples[0][1]):6.1f} MB  peak {mb(peak):6.1f} MB{verdict}")
    step = max(1, len(samples) // 12)
    print(f"      samples (s:MB) " + " ".join(f"{t}:{mb(b):.0f}" for t, b in samples[::step] + ([samples[-1]] if (len(samples) - 1) % step else [])))
print("memory goals: " + ("met" if met else "NOT met"))
PY
