#!/usr/bin/env bash
# Sharding (issue #13) on this machine: an audit as one process against the same audit as two
# shard processes run at once, then `squall merge`; and the time `squall merge` takes for 100 parts.
#
# Usage: Benchmarks/scale/run.sh [--rounds N]      (from the repository root; release build)
#
# The audit is 64 simulator runs (the outage scenario below: 32 seeds as written + 2 guards x 16
# seeds). Compared, in alternating rounds (medians of wall time):
#   one      squall audit --jobs 1                       one process, one simulation at a time
#   shards   squall audit --jobs 1 --shard I/2, I=0,1    two processes at once, then squall merge
#   jobs2    squall audit --jobs 2                       one process, two simulations at a time
# On a 2-core machine `shards` and `jobs2` can at best halve `one`; what they add over it is the
# ratio. Every round checks that the merged audit.json equals the unsharded one byte for byte.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=3
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS="$2"; shift 2 ;;
    *) echo "usage: $0 [--rounds N]" >&2; exit 2 ;;
  esac
done
swift build -c release --product squall >/dev/null
SQUALL="$(swift build -c release --show-bin-path)/squall"
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
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
: > "$OUT/one"; : > "$OUT/shards"; : > "$OUT/jobs2"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq 1 "$ROUNDS"); do
  rm -rf "$OUT/r"
  t0=$(now); "$SQUALL" "${AUDIT[@]}" --jobs 1 --out "$OUT/r/one" >/dev/null || [ $? -eq 1 ]; t1=$(now)
  "$SQUALL" "${AUDIT[@]}" --jobs 1 --shard 0/2 --out "$OUT/r/parts" >/dev/null &
  p0=$!
  "$SQUALL" "${AUDIT[@]}" --jobs 1 --shard 1/2 --out "$OUT/r/parts" >/dev/null &
  p1=$!
  wait $p0; wait $p1
  "$SQUALL" merge "$OUT"/r/parts/part-*-of-2 --out "$OUT/r/merged" >/dev/null || [ $? -eq 1 ]
  t2=$(now)
  "$SQUALL" "${AUDIT[@]}" --jobs 2 --out "$OUT/r/jobs2" >/dev/null || [ $? -eq 1 ]; t3=$(now)
  cmp -s "$OUT/r/one/audit/audit.json" "$OUT/r/merged/audit/audit.json" || { echo "round $r: merged audit differs" >&2; exit 1; }
  one=$(sub "$t1" "$t0"); shards=$(sub "$t2" "$t1"); jobs2=$(sub "$t3" "$t2")
  echo "$one" >> "$OUT/one"; echo "$shards" >> "$OUT/shards"; echo "$jobs2" >> "$OUT/jobs2"
  printf 'round %d: one %.2f s, 2 shards + merge %.2f s, --jobs 2 %.2f s (merged audit identical)\n' "$r" "$one" "$shards" "$jobs2"
done
one=$(median < "$OUT/one"); shards=$(median < "$OUT/shards"); jobs2=$(median < "$OUT/jobs2")
printf 'median wall: one %.2f s, 2 shards + merge %.2f s (%sx faster), --jobs 2 %.2f s (%sx faster)\n' \
  "$one" "$shards" "$(div "$one" "$shards")" "$jobs2" "$(div "$one" "$jobs2")"

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
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
