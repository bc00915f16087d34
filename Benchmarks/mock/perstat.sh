#!/usr/bin/env bash
# Per-request kernel figures of one or more `squall mock` builds under the benchmark load: syscalls,
# futex calls (contention on a lock both event loops take), context switches and CPU time per request (`perf stat` on the mock's process while
# `wrk -t2 -c64 -d5s` runs Benchmarks/mock/post.lua against it), builds in alternating rounds.
# A thread hop per request (work handed off the event loop) shows as extra syscalls (eventfd, futex)
# and context switches per request.
#
#   Benchmarks/mock/perstat.sh [--rounds 2] SQUALL [SQUALL...]
#
# Needs: perf (permission to count another process's events), wrk.
set -euo pipefail
cd "$(dirname "$0")/../.."

ROUNDS=2
if [ "${1:-}" = "--rounds" ]; then ROUNDS="$2"; shift 2; fi
[ $# -ge 1 ] || { echo "usage: $0 [--rounds 2] SQUALL [SQUALL...]" >&2; exit 2; }
for tool in wrk perf; do
  command -v "$tool" >/dev/null || { echo "perstat.sh: '$tool' is not installed" >&2; exit 3; }
done

WORK="$(mktemp -d)"
mock_pid=""
cleanup() {
  [ -n "$mock_pid" ] && kill "$mock_pid" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_port() { for _ in $(seq 1 100); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.05; done; return 1; }

# Voluntary (the thread slept: futex, epoll) and involuntary (preempted) context switches of all the
# process's threads so far.
switches() { cat /proc/"$1"/task/*/status | awk '/^voluntary_ctxt/ { v += $2 } /^nonvoluntary_ctxt/ { n += $2 } END { print v, n }'; }

echo "wrk -t2 -c64 -d5s per build and round, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq 1 "$ROUNDS"); do
  for bin in "$@"; do
    port=$(free_port)
    "$bin" mock --port "$port" --profile Benchmarks/mock/profile.yaml >"$WORK/mock.log" 2>&1 &
    mock_pid=$!
    wait_port "$port" || { echo "perstat.sh: $bin did not start" >&2; cat "$WORK/mock.log" >&2; exit 3; }
    perf stat -x, -e raw_syscalls:sys_enter,syscalls:sys_enter_futex,context-switches,task-clock -p "$mock_pid" -o "$WORK/stat" -- sleep 5.3 &
    perf_pid=$!
    read -r vol0 invol0 < <(switches "$mock_pid")
    requests=$(wrk -t2 -c64 -d5s -s Benchmarks/mock/post.lua "http://127.0.0.1:$port/v1/chat/completions" | awk '/requests in/ { print $1 }')
    read -r vol1 invol1 < <(switches "$mock_pid")
    wait "$perf_pid"
    kill "$mock_pid"; wait "$mock_pid" 2>/dev/null || true; mock_pid=""
    awk -F, -v r="$requests" -v b="$bin" -v n="$round" -v vol=$((vol1 - vol0)) -v invol=$((invol1 - invol0)) '
      $3 == "raw_syscalls:sys_enter" { s = $1 } $3 == "syscalls:sys_enter_futex" { f = $1 }
      $3 == "context-switches" { c = $1 } $3 == "task-clock" { t = $1 }
      END { printf "round %d  %-40s %8d req  %5.2f syscalls/req  %6.4f futex/req  %5.3f ctxsw/req (%5.3f voluntary, %5.3f preempted)  %5.1f us CPU/req\n", n, b, r, s / r, f / r, c / r, vol / r, invol / r, t * 1000 / r }' "$WORK/stat"
  done
done
echo "load $(cut -d' ' -f1-3 /proc/loadavg)"
