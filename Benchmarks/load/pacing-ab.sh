#!/usr/bin/env bash
# A/B of `squall load`'s open-loop pacing between two builds (e.g. before and after a change to
# LoadDriver.pace): both generators drive the same `squall mock` (NEW's) at RATE/s for SECS
# seconds with 2% duplicates, in alternating rounds so the machine's other load hits both alike;
# prints per round the scheduler lag p99 (real ms), tasks sent and the generator's CPU seconds.
#
#   Benchmarks/load/pacing-ab.sh OLD_SQUALL NEW_SQUALL [ROUNDS=3] [TARGET=raw|stack] [RATE=5000] [SECS=10]
#
# Needs: /usr/bin/time. Loopback only; every run stops by itself after SECS.
set -euo pipefail
OLD=${1:?usage: pacing-ab.sh OLD_SQUALL NEW_SQUALL [ROUNDS] [TARGET] [RATE] [SECS]}
NEW=${2:?usage: pacing-ab.sh OLD_SQUALL NEW_SQUALL [ROUNDS] [TARGET] [RATE] [SECS]}
ROUNDS=${3:-3}; TARGET=${4:-raw}; RATE=${5:-5000}; SECS=${6:-10}
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
"$NEW" mock --host 127.0.0.1 --port "$PORT" >/dev/null 2>&1 &
MOCK=$!
trap 'kill $MOCK 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do (exec 3<>/dev/tcp/127.0.0.1/"$PORT") 2>/dev/null && break; sleep 0.05; done
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); target $TARGET at ${RATE}/s for ${SECS}s"
for r in $(seq 1 "$ROUNDS"); do
  for which in OLD NEW; do
    bin=${!which}
    out=$({ /usr/bin/time -f "cpu %U %S" "$bin" load --target "$TARGET" --url "http://127.0.0.1:$PORT" \
      --rate "${RATE}/s" --duration "${SECS}s" --duplicates 2% --connections 64 2>&1; } 2>&1)
    lag=$(echo "$out" | grep '^scheduler lag' | sed -E 's/.* p99 ([0-9.]+)ms.*/\1/')
    sent=$(echo "$out" | awk '/^tasks:/ {print $2}')
    cpu=$(echo "$out" | awk '/^cpu/ {print $2 + $3}')
    echo "round $r $which: scheduler lag p99 ${lag} ms, tasks ${sent}, generator CPU ${cpu} s, load $(cut -d' ' -f1 /proc/loadavg)"
  done
done
