#!/usr/bin/env bash
# The mock's memory over a long run (issue #9 item 10): drives `squall mock` at RATE requests/s with a
# new idempotency key and attribution tag per request (as Squall submits), 1% of them answered 429,
# while drain.py reads the call log by cursor every 0.5 s as Squall would; reports the records
# drained, any dropped, and the mock's peak RSS (VmHWM; target <= 100 MB).
#
#   Benchmarks/mock/memory.sh [--duration 30m] [--rate 5000] [--connections 50] [--squall PATH]
#
# Needs: wrk, python3, a release build of squall (built if missing).
set -euo pipefail
cd "$(dirname "$0")/../.."

DURATION=30m
RATE=5000
CONNECTIONS=50
SQUALL=""
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) DURATION="$2"; shift 2 ;;
    --rate) RATE="$2"; shift 2 ;;
    --connections) CONNECTIONS="$2"; shift 2 ;;
    --squall) SQUALL="$2"; shift 2 ;;
    *) echo "usage: $0 [--duration 30m] [--rate 5000] [--connections 50] [--squall PATH]" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null || { echo "memory.sh: 'wrk' is not installed" >&2; exit 3; }
if [ -z "$SQUALL" ]; then
  swift build -c release --product squall >/dev/null
  SQUALL="$(swift build -c release --show-bin-path)/squall"
fi
case "$DURATION" in
  *h) SECONDS_TOTAL=$(( ${DURATION%h} * 3600 )) ;;
  *m) SECONDS_TOTAL=$(( ${DURATION%m} * 60 )) ;;
  *s) SECONDS_TOTAL=${DURATION%s} ;;
  *) echo "memory.sh: --duration like 30m, 90s or 1h" >&2; exit 2 ;;
esac

WORK="$(mktemp -d)"
mock_pid=""
cleanup() { [ -n "$mock_pid" ] && kill "$mock_pid" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_port() { for _ in $(seq 1 100); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.05; done; return 1; }

cat >"$WORK/profile.yaml" <<'YAML'
reply: { tokens: 24 }
faults:
  - { rate: 1%, status: 429, retry_after: 1s }
YAML
PORT=$(free_port)
"$SQUALL" mock --port "$PORT" --profile "$WORK/profile.yaml" --threads 2 >"$WORK/mock.log" 2>&1 &
mock_pid=$!
wait_port "$PORT" || { echo "memory.sh: squall mock did not start" >&2; cat "$WORK/mock.log" >&2; exit 3; }
RUN=$(python3 -c 'import random,string; print("".join(random.choice(string.digits+string.ascii_lowercase) for _ in range(8)))')
curl -s -X POST --data "{\"run\":\"$RUN\"}" "http://127.0.0.1:$PORT/_squall/run" >/dev/null
START_RSS=$(awk '/^VmRSS:/ { print $2 * 1024 }' "/proc/$mock_pid/status")
echo "squall mock pid $mock_pid, run $RUN, ${RATE}/s for $DURATION over $CONNECTIONS connections, start RSS $START_RSS B, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2

python3 Benchmarks/mock/drain.py "http://127.0.0.1:$PORT" "$mock_pid" "$SECONDS_TOTAL" >"$WORK/drain.json" &
drain_pid=$!
RATE="$RATE" CONNECTIONS="$CONNECTIONS" RUN="$RUN" \
  wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --timeout 10s -s Benchmarks/mock/paced.lua "http://127.0.0.1:$PORT" >"$WORK/wrk.out" 2>&1
wait "$drain_pid"
cat "$WORK/wrk.out" >&2
curl -s -o "$WORK/stats.json" "http://127.0.0.1:$PORT/_squall/stats"
python3 - "$WORK/drain.json" "$WORK/stats.json" "$START_RSS" "$SECONDS_TOTAL" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
s = json.load(open(sys.argv[2]))
start_rss, seconds = int(sys.argv[3]), int(sys.argv[4])
print(f"requests served        {s['requests_total']}  ({s['requests_total'] / seconds:.0f}/s over {seconds} s)")
print(f"call-log records read  {d['records']}  (dropped {d['dropped']}, {d['reads']} reads, tagged {d['tagged']}, completed {d['completed']})")
print(f"statuses               {d['statuses']}")
print(f"keys tracked/evicted   {s['keys_tracked']} / {s['keys_evicted']}")
print(f"RSS start              {start_rss / 2**20:.1f} MB")
print(f"RSS peak (VmHWM)       {d['vm_hwm'] / 2**20:.1f} MB   (target <= 100 MB)")
print("RSS samples (s, MB)    " + " ".join(f"{t}:{r / 2**20:.0f}" for t, r in d['rss_samples'][:: max(1, len(d['rss_samples']) // 12)]))
PY
