#!/usr/bin/env bash
# squall load --target raw vs hey vs wrk, against the same MockLLM (no faults), same connection
# count, in one run, printed as ratios. Also: scheduler lag of an open-loop run at 5,000 req/s.
#
# Usage: Benchmarks/load/run.sh [SECONDS] [CONNECTIONS]     (defaults: 10 s, 64 connections)
# Needs: hey, wrk (apt-get install hey wrk); builds squall in release mode unless SQUALL is set.
# Loopback only (127.0.0.1); every tool runs for a fixed time and stops by itself.
set -euo pipefail
cd "$(dirname "$0")/../.."
SECS="${1:-10}"
CONNS="${2:-64}"
RATE="${RATE:-5000}"
PORT="${PORT:-18931}"
URL="http://127.0.0.1:${PORT}"
CHAT="${URL}/v1/chat/completions"
WORK="$(mktemp -d)"
trap 'kill "${MOCK_PID:-}" 2>/dev/null || true; rm -rf "$WORK"' EXIT

for tool in hey wrk; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool is not installed (apt-get install $tool)" >&2; exit 3; }
done
if [[ -z "${SQUALL:-}" ]]; then
  swift build -c release --product squall >&2
  SQUALL="$(swift build -c release --show-bin-path)/squall"
fi

BODY='{"model":"llama-3.1-8b-instant","messages":[{"role":"user","content":"What is the capital of France?"}],"max_tokens":256}'
printf '%s' "$BODY" > "$WORK/body.json"
cat > "$WORK/post.lua" <<LUA
wrk.method = "POST"
wrk.body   = '$BODY'
wrk.headers["Content-Type"] = "application/json"
LUA

# One MockLLM for every tool: healthy, no latency, one event-loop thread per core.
"$SQUALL" mock --host 127.0.0.1 --port "$PORT" >"$WORK/mock.log" 2>&1 &
MOCK_PID=$!
for _ in $(seq 1 100); do
  curl -s -o /dev/null "$URL/v1/models" && break
  sleep 0.1
done

echo "machine: $(nproc) cores; ${SECS}s per tool; ${CONNS} connections; target ${CHAT}"

hey -z "${SECS}s" -c "$CONNS" -m POST -T application/json -D "$WORK/body.json" "$CHAT" >"$WORK/hey.txt"
HEY=$(awk '/Requests\/sec/ {print $2}' "$WORK/hey.txt")

wrk -t2 -c "$CONNS" -d "${SECS}s" -s "$WORK/post.lua" "$CHAT" >"$WORK/wrk.txt"
WRK=$(awk '/Requests\/sec/ {print $2}' "$WORK/wrk.txt")

"$SQUALL" load --target raw --url "$URL" --concurrency "$CONNS" --connections "$CONNS" --duration "${SECS}s" \
  >"$WORK/squall-closed.txt"
SQUALL_RPS=$(awk '/^tasks:/ {for (i=1;i<=NF;i++) if ($i ~ /\/s$/) {sub("/s","",$i); print $i}}' "$WORK/squall-closed.txt")

"$SQUALL" load --target raw --url "$URL" --rate "${RATE}/s" --connections "$CONNS" --duration "${SECS}s" \
  >"$WORK/squall-open.txt"
LAG=$(grep '^scheduler lag' "$WORK/squall-open.txt")
PACER=$(grep '^pacer lag' "$WORK/squall-open.txt" || true)
OPEN_RPS=$(awk '/^tasks:/ {for (i=1;i<=NF;i++) if ($i ~ /\/s$/) {sub("/s","",$i); print $i}}' "$WORK/squall-open.txt")
OPEN_OUT=$(grep -E '^(outcomes|dropped)' "$WORK/squall-open.txt" | tr '\n' ' ')
P99=$(echo "$LAG" | sed -E 's/.* p99 ([0-9.]+)ms.*/\1/')

echo
echo "| tool | requests/s | ratio to hey | ratio to wrk |"
echo "|---|---:|---:|---:|"
awk -v h="$HEY" -v w="$WRK" -v s="$SQUALL_RPS" 'BEGIN {
  printf "| squall load --target raw --concurrency (closed loop) | %.0f | %.2f× | %.2f× |\n", s, s/h, s/w
  printf "| hey | %.0f | 1.00× | %.2f× |\n", h, h/w
  printf "| wrk (ceiling) | %.0f | %.2f× | 1.00× |\n", w, w/h }'
echo
echo "open loop at ${RATE}/s for ${SECS}s: achieved ${OPEN_RPS}/s; ${OPEN_OUT}"
echo "$PACER"
echo "$LAG"
awk -v p="$P99" 'BEGIN { printf "scheduler lag p99 %.3f ms (target <= 1 ms): %s\n", p, (p <= 1.0 ? "met" : "NOT met") }'
