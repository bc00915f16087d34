#!/usr/bin/env bash
# Sharding (issue #13) on this machine: an audit as one process against the same audit as two
# shard processes run at once, then `squall merge`; and the time `squall merge` takes for 100 parts.
#
# Usage: Benchmarks/scale/run.sh [--rounds N] [--load-only | --live-run | --sweep]   (from the repository root; release build)
#
# The audit is 64 simulator runs (the outage scenario below: 32 seeds as written + 2 guards x 16
# seeds). Compared, in alternating rounds (medians of wall time):
#   one      squall audit --jobs 1                       one process, one simulation at a time
#   shards   squall audit --jobs 1 --shard I/2, I=0,1    two processes at once, then squall merge
#   jobs2    squall audit --jobs 2                       one process, two simulations at a time
# On a 2-core machine `shards` and `jobs2` can at best halve `one`; what they add over it is the
# ratio. Every round checks that the merged audit.json equals the unsharded one byte for byte.
#
# Then a live load (issue #13 item 2): one `squall mock`, and the same total schedule
# (--rate LRATE/s, --tasks LTASKS, open loop, --target raw) offered by one `squall load` process vs
# two `squall load --shard I/2` processes at once + `squall merge`; compared: the real send rate
# each achieved (sent / wall, merged: all sent / the longer shard's wall) and the wall time (the
# shards' including the merge). Every round checks the merged counts equal the one-process counts.
# --load-only skips the audit figures. LRATE (default 20000) and LTASKS (default 100000) from the
# environment; the mock listens on 127.0.0.1:${SQUALL_BENCH_PORT:-46417}.
#
# Then a live scenario run (issue #13, `squall run --mode live --shard`): the same live scenario
# (RTASKS originals, default 12000, in 10 minutes of scenario time at --time-scale RSCALE, default
# 60: 10 s of real time) against the same mock, as one `squall run --mode live` process vs two
# `--shard I/2` processes at once (one --run-id, --start-delay 1s) + `squall merge`; compared: the
# wall time (the shards' including their start delay and the merge) and the real send rate
# (submissions / the real time the schedule spans: 10 min / RSCALE, plus the worst submission lag).
# Every round checks the merged counts (tasks, outcomes, LLM calls) equal the one-process counts.
# --live-run runs only this part.
#
# --sweep (only this part): a sweep of 64 configurations (4 x 4 x 4 of the outage scenario's retry
# attempts, backoff minimum and breaker threshold, one seed each, one simulated day) as one
# `squall sweep --jobs 1` vs two `--jobs 1 --shard I/2` processes at once + `squall merge` (and
# `--jobs 2` in one process); medians of wall time; every round checks the merged sweep.json
# equals the unsharded one byte for byte.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=3
LOAD_ONLY=0
LIVE_RUN_ONLY=0
SWEEP_ONLY=0
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS="$2"; shift 2 ;;
    --load-only) LOAD_ONLY=1; shift ;;
    --live-run) LIVE_RUN_ONLY=1; LOAD_ONLY=1; shift ;;
    --sweep) SWEEP_ONLY=1; LOAD_ONLY=1; shift ;;
    *) echo "usage: $0 [--rounds N] [--load-only | --live-run | --sweep]" >&2; exit 2 ;;
  esac
done
swift build -c release --product squall >/dev/null
SQUALL="$(swift build -c release --show-bin-path)/squall"
OUT=$(mktemp -d)
MOCK_PID=
trap 'if [ -n "$MOCK_PID" ]; then kill "$MOCK_PID" 2>/dev/null || true; fi; rm -rf "$OUT"' EXIT
cat > "$OUT/outage.yaml" <<'YAML'
name: scale-outage
duration: 1d
load: { tasks_per_day: 20000 }
stack:
  retry: { attempts: 3, min: 1s, max: 4s, jitter: full }
  breaker: { failure_threshold: 5, window: 30s, recovery_timeout: 15s }
llm:
  latency: { lognormal: { median: 800ms, p99: 6s } }
  faults: [ { during: 10h..10h30m, status: 503 }, { rate: 1%, status: 500 } ]
expect:
  breaker: { calls_while_open: 0 }
  before: { success_rate: ">= 98%" }
guards: [no_breaker, breaker_never_trips]
YAML
AUDIT=(audit "$OUT/outage.yaml" --seeds 32 --mutant-seeds 16 --mutants listed)

now() { date +%s.%N; }
sub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f\n", a - b }'; }
div() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f\n", a / b }'; }
median() { sort -n | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2}'; }
# compare_shards LABEL RESULT-GLOB SQUALL-ARGS...: ROUNDS alternating rounds of the command as one
# process (--jobs 1), as two --shard I/2 processes at once + squall merge, and as --jobs 2; checks
# the merged RESULT file equals the unsharded one byte for byte; prints the medians of wall time.
compare_shards() {
  local label=$1 result=$2; shift 2
  : > "$OUT/one"; : > "$OUT/shards"; : > "$OUT/jobs2"
  echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  for r in $(seq 1 "$ROUNDS"); do
    rm -rf "$OUT/r"
    t0=$(now); "$SQUALL" "$@" --jobs 1 --out "$OUT/r/one" >/dev/null || [ $? -eq 1 ]; t1=$(now)
    "$SQUALL" "$@" --jobs 1 --shard 0/2 --out "$OUT/r/parts" >/dev/null &
    p0=$!
    "$SQUALL" "$@" --jobs 1 --shard 1/2 --out "$OUT/r/parts" >/dev/null &
    p1=$!
    wait $p0; wait $p1
    "$SQUALL" merge "$OUT"/r/parts/part-*-of-2 --out "$OUT/r/merged" >/dev/null || [ $? -eq 1 ]
    t2=$(now)
    "$SQUALL" "$@" --jobs 2 --out "$OUT/r/jobs2" >/dev/null || [ $? -eq 1 ]; t3=$(now)
    # shellcheck disable=SC2086 # the glob names one file in each tree
    cmp -s $OUT/r/one/$result $OUT/r/merged/$result || { echo "round $r: merged $result differs" >&2; exit 1; }
    one=$(sub "$t1" "$t0"); shards=$(sub "$t2" "$t1"); jobs2=$(sub "$t3" "$t2")
    echo "$one" >> "$OUT/one"; echo "$shards" >> "$OUT/shards"; echo "$jobs2" >> "$OUT/jobs2"
    printf 'round %d: %s: one %.2f s, 2 shards + merge %.2f s, --jobs 2 %.2f s (merged %s identical)\n' \
      "$r" "$label" "$one" "$shards" "$jobs2" "$result"
  done
  one=$(median < "$OUT/one"); shards=$(median < "$OUT/shards"); jobs2=$(median < "$OUT/jobs2")
  printf 'median wall: one %.2f s, 2 shards + merge %.2f s (%sx faster), --jobs 2 %.2f s (%sx faster); load average after: %s\n' \
    "$one" "$shards" "$(div "$one" "$shards")" "$jobs2" "$(div "$one" "$jobs2")" "$(cut -d' ' -f1-3 /proc/loadavg)"
}
if [ "$SWEEP_ONLY" -eq 1 ]; then
  cp "$OUT/outage.yaml" "$OUT/sweep.yaml"
  cat >> "$OUT/sweep.yaml" <<'YAML'
sweep:
  vary:
    stack.retry.attempts: 2,3,4,5
    stack.retry.min: 250ms,500ms,1s,4s
    stack.breaker.failure_threshold: 3,5,10,20
  sampling: grid
  seeds: 1
YAML
  SWEEP=(sweep "$OUT/sweep.yaml")
  compare_shards "sweep of 64 configurations" 'sweep/*/sweep.json' "${SWEEP[@]}"
  exit 0
fi
if [ "$LOAD_ONLY" -eq 0 ]; then
compare_shards "audit of 64 runs" 'audit/audit.json' "${AUDIT[@]}"

# Merge time for 100 parts: an audit of 400 runs (200 seeds + 2 guards x 100) in 100 shards.
rm -rf "$OUT/p100"
BIG=(audit "$OUT/outage.yaml" --seeds 200 --mutant-seeds 100 --mutants listed --jobs 1)
sed -i 's/duration: 1d/duration: 1h/' "$OUT/outage.yaml"   # short runs: this part measures the merge
sed -i 's/10h..10h30m/20m..30m/' "$OUT/outage.yaml"
for i in $(seq 0 99); do
  "$SQUALL" "${BIG[@]}" --shard "$i/100" --out "$OUT/p100" >/dev/null &
  if (( (i + 1) % 2 == 0 )); then wait; fi
done
wait
: > "$OUT/merge"
for r in $(seq 1 "$ROUNDS"); do
  rm -rf "$OUT/m100"
  t0=$(now); "$SQUALL" merge "$OUT"/p100/part-*-of-100 --out "$OUT/m100" >/dev/null || [ $? -eq 1 ]; t1=$(now)
  sub "$t1" "$t0" >> "$OUT/merge"
done
printf 'squall merge of 100 parts (400 runs): median %.3f s over %d rounds\n' "$(median < "$OUT/merge")" "$ROUNDS"
fi

# A live load: one process vs two shard processes against one mock, the same total schedule.
if [ "$LIVE_RUN_ONLY" -eq 0 ]; then
LRATE=${LRATE:-20000}
LTASKS=${LTASKS:-100000}
PORT=${SQUALL_BENCH_PORT:-46417}
URL="http://127.0.0.1:$PORT"
"$SQUALL" mock --host 127.0.0.1 --port "$PORT" >"$OUT/mock.log" 2>&1 &
MOCK_PID=$!
for _ in $(seq 1 100); do curl -sf "$URL/v1/models" >/dev/null 2>&1 && break; sleep 0.1; done
LOAD=(load --target raw --url "$URL" --rate "${LRATE}/s" --tasks "$LTASKS" --connections 64 --log-level error)
rate() { sed -n 's/.* \([0-9.]*\)\/s real.*/\1/p' "$1" | head -1; }
recorded() { sed -n 's/^tasks: .* \([0-9]*\) recorded.*/\1/p' "$1" | head -1; }
: > "$OUT/lone"; : > "$OUT/lshards"; : > "$OUT/rone"; : > "$OUT/rshards"
for r in $(seq 1 "$ROUNDS"); do
  rm -rf "$OUT/l"; mkdir -p "$OUT/l"
  t0=$(now); "$SQUALL" "${LOAD[@]}" >"$OUT/l/one.txt"; t1=$(now)
  "$SQUALL" "${LOAD[@]}" --shard 0/2 --out "$OUT/l/parts" >"$OUT/l/s0.txt" &
  p0=$!
  "$SQUALL" "${LOAD[@]}" --shard 1/2 --out "$OUT/l/parts" >"$OUT/l/s1.txt" &
  p1=$!
  wait $p0; wait $p1
  "$SQUALL" merge "$OUT"/l/parts/part-*-of-2 --out "$OUT/l/merged" >"$OUT/l/merged.txt"
  t2=$(now)
  [ "$(recorded "$OUT/l/one.txt")" = "$(recorded "$OUT/l/merged.txt")" ] ||
    { echo "round $r: merged load recorded $(recorded "$OUT/l/merged.txt"), one process $(recorded "$OUT/l/one.txt")" >&2; exit 1; }
  one=$(sub "$t1" "$t0"); shards=$(sub "$t2" "$t1")
  echo "$one" >> "$OUT/lone"; echo "$shards" >> "$OUT/lshards"
  rate "$OUT/l/one.txt" >> "$OUT/rone"; rate "$OUT/l/merged.txt" >> "$OUT/rshards"
  printf 'load round %d: one process %.2f s wall, %s sends/s; 2 shards + merge %.2f s wall, %s sends/s (merged counts equal)\n' \
    "$r" "$one" "$(rate "$OUT/l/one.txt")" "$shards" "$(rate "$OUT/l/merged.txt")"
done
lone=$(median < "$OUT/lone"); lshards=$(median < "$OUT/lshards"); rone=$(median < "$OUT/rone"); rshards=$(median < "$OUT/rshards")
printf 'live load %s tasks at %s/s: median send rate one %s/s, 2 shards %s/s (%sx); median wall one %.2f s, 2 shards + merge %.2f s (%sx)\n' \
  "$LTASKS" "$LRATE" "$rone" "$rshards" "$(div "$rshards" "$rone")" "$lone" "$lshards" "$(div "$lone" "$lshards")"
kill "$MOCK_PID" 2>/dev/null || true; wait "$MOCK_PID" 2>/dev/null || true; MOCK_PID=
fi

# A live scenario run: one process vs two shard processes driving one mock (squall run --mode live --shard).
RTASKS=${RTASKS:-12000}
RSCALE=${RSCALE:-60}
PORT=${SQUALL_BENCH_PORT:-46417}
URL="http://127.0.0.1:$PORT"
"$SQUALL" mock --host 127.0.0.1 --port "$PORT" >"$OUT/mock.log" 2>&1 &
MOCK_PID=$!
for _ in $(seq 1 100); do curl -sf "$URL/v1/models" >/dev/null 2>&1 && break; sleep 0.1; done
cat > "$OUT/live.yaml" <<YAML
name: scale-live
mode: live
duration: 10m
time_scale: $RSCALE
load: { tasks_per_day: $((RTASKS * 144)), arrival: constant }
stack:
  timeout: 10m
  retry: { attempts: 3, min: 1s, max: 4s }
llm:
  latency: 100ms
expect:
  success_rate: ">= 99%"
YAML
field() { python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print(s["totals"]["tasks"], s["totals"]["succeeded"], s["usage"]["llm_calls"])' "$1"; }
lagmax() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["fidelity"]["lag"]["max_ms"])' "$1"; }
span=$(awk -v s="$RSCALE" 'BEGIN { printf "%.3f", 600 / s }')
: > "$OUT/wone"; : > "$OUT/wshards"; : > "$OUT/sone"; : > "$OUT/sshards"
for r in $(seq 1 "$ROUNDS"); do
  rm -rf "$OUT/v"; mkdir -p "$OUT/v"
  t0=$(now); "$SQUALL" run "$OUT/live.yaml" --llm-url "$URL" --quiet --out "$OUT/v/one" >/dev/null || [ $? -eq 1 ]; t1=$(now)
  "$SQUALL" run "$OUT/live.yaml" --llm-url "$URL" --run-id "bench-$r" --start-delay 1s --shard 0/2 --out "$OUT/v/parts" >"$OUT/v/s0.txt" 2>&1 &
  p0=$!
  "$SQUALL" run "$OUT/live.yaml" --llm-url "$URL" --run-id "bench-$r" --start-delay 1s --shard 1/2 --out "$OUT/v/parts" >"$OUT/v/s1.txt" 2>&1 &
  p1=$!
  wait $p0 || { cat "$OUT/v/s0.txt" >&2; exit 1; }
  wait $p1 || { cat "$OUT/v/s1.txt" >&2; exit 1; }
  "$SQUALL" merge "$OUT"/v/parts/part-*-of-2 --out "$OUT/v/merged" >/dev/null 2>&1 || [ $? -eq 1 ]
  t2=$(now)
  a="$OUT/v/one/scale-live/summary.json"; b="$OUT/v/merged/scale-live/summary.json"
  [ "$(field "$a")" = "$(field "$b")" ] || { echo "round $r: merged live run counts $(field "$b"), one process $(field "$a")" >&2; exit 1; }
  n=$(field "$a" | cut -d' ' -f1)
  one=$(sub "$t1" "$t0"); shards=$(sub "$t2" "$t1")
  sone=$(awk -v n="$n" -v s="$span" -v l="$(lagmax "$a")" 'BEGIN { printf "%.0f", n / (s + l / 1000) }')
  sshards=$(awk -v n="$n" -v s="$span" -v l="$(lagmax "$b")" 'BEGIN { printf "%.0f", n / (s + l / 1000) }')
  echo "$one" >> "$OUT/wone"; echo "$shards" >> "$OUT/wshards"; echo "$sone" >> "$OUT/sone"; echo "$sshards" >> "$OUT/sshards"
  printf 'live run round %d: %s tasks; one process %.2f s wall, %s sends/s (lag max %s ms); 2 shards + merge %.2f s wall, %s sends/s (lag max %s ms; merged counts equal)\n' \
    "$r" "$n" "$one" "$sone" "$(lagmax "$a")" "$shards" "$sshards" "$(lagmax "$b")"
done
wone=$(median < "$OUT/wone"); wshards=$(median < "$OUT/wshards"); sone=$(median < "$OUT/sone"); sshards=$(median < "$OUT/sshards")
printf 'live run %s tasks at x%s: median send rate one %s/s, 2 shards %s/s (%sx); median wall one %.2f s, 2 shards + merge %.2f s (%sx)\n' \
  "$RTASKS" "$RSCALE" "$sone" "$sshards" "$(div "$sshards" "$sone")" "$wone" "$wshards" "$(div "$wone" "$wshards")"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
