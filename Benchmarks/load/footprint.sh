#!/usr/bin/env bash
# Memory per task in flight of `squall load`: against a `squall mock` answering every call after 3 s
# (128 connections serve ~43 tasks/s, so the in-flight cap fills at once and stays full), runs
# `squall load --rate 5000/s --duration 6s` with `--max-in-flight 2000` and with 10000 for each
# target, and prints both peak RSS figures and (peak₁₀₀₀₀ − peak₂₀₀₀) / 8,000 — what one more task
# in flight costs (its async frames, request and queue place). Builds compared one after the other.
#
#   Benchmarks/load/footprint.sh [--targets "raw stack"] SQUALL [SQUALL...]
#
# Needs: python3, /usr/bin/time. Loopback only; about 5 minutes per build and target (`squall load`
# waits for the tasks in flight: 10,000 at ~43/s).
set -euo pipefail
cd "$(dirname "$0")/../.."
TARGETS="raw stack"
if [ "${1:-}" = "--targets" ]; then TARGETS="$2"; shift 2; fi
[ $# -ge 1 ] || { echo "usage: $0 [--targets \"raw stack\"] SQUALL [SQUALL...]" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "footprint.sh: /usr/bin/time is not installed (apt-get install time)" >&2; exit 3; }
WORK="$(mktemp -d)"
mock_pid=""
cleanup() { [ -n "$mock_pid" ] && kill "$mock_pid" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_port() { for _ in $(seq 1 100); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.05; done; return 1; }
cat >"$WORK/profile.yaml" <<'YAML'
latency: { fixed: 3s }
reply: { tokens: 24 }
YAML
echo "squall load at 5000/s for 6 s against answers after 3 s; $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
for bin in "$@"; do
  port=$(free_port)
  "$bin" mock --port "$port" --profile "$WORK/profile.yaml" >"$WORK/mock.log" 2>&1 &
  mock_pid=$!
  wait_port "$port" || { echo "footprint.sh: $bin mock did not start" >&2; cat "$WORK/mock.log" >&2; exit 3; }
  for target in $TARGETS; do
    for cap in 2000 10000; do
      /usr/bin/time -o "$WORK/time.$cap" -f "%M" "$bin" load --target "$target" --url "http://127.0.0.1:$port" \
        --rate 5000/s --duration 6s --connections 128 --max-in-flight "$cap" >/dev/null 2>"$WORK/load.err" \
        || { echo "footprint.sh: squall load failed" >&2; tail -5 "$WORK/load.err" >&2; exit 3; }
    done
    lo=$(tail -1 "$WORK/time.2000"); hi=$(tail -1 "$WORK/time.10000")
    python3 -c 'import sys; b, t, lo, hi = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]); print(f"{b:40} {t:6} peak {lo / 1024:6.1f} MB at 2,000 in flight, {hi / 1024:6.1f} MB at 10,000: {(hi - lo) / 8000:5.1f} KB per task in flight")' \
      "$(basename "$bin")" "$target" "$lo" "$hi"
  done
  kill "$mock_pid" 2>/dev/null || true; wait "$mock_pid" 2>/dev/null || true; mock_pid=""
done
