#!/usr/bin/env bash
# squall sweep throughput, side by side in one run with the loop it replaces, and squall plan wall time.
#
# Usage: Benchmarks/sweep/run.sh [--rounds N] [--jobs N]      (from the repository root)
#   --rounds N  alternating rounds (default 3); medians are compared
#   --jobs N    simulations at once for both sides (default: the number of cores)
#
# Sweep: Benchmarks/sweep/sweep-10k.yaml, 16 configurations x 3 seeds = 48 runs of one simulated
# day at 10,000 tasks/day each, by `squall sweep` (one process, the batch runner) and by the loop a
# user writes without it: one `squall run --seed S` per configuration and seed on a generated file,
# `xargs -P JOBS` for the same parallelism (it writes each run's full report set; the sweep writes
# its own files). Configurations/second = 16 / wall seconds. Wall and CPU from /usr/bin/time.
# Plan: `squall plan groq-capacity-plan` (7 levels x 3 seeds at the peak and at the mean, then the
# bisection), wall and CPU seconds.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=3
JOBS=$(nproc)
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS="$2"; shift 2 ;;
    --jobs) JOBS="$2"; shift 2 ;;
    *) echo "usage: $0 [--rounds N] [--jobs N]" >&2; exit 2 ;;
  esac
done
[ -x /usr/bin/time ] || { echo "run.sh: /usr/bin/time is needed (apt-get install time)" >&2; exit 3; }

swift build -c release --product squall >/dev/null
SQUALL="$(swift build -c release --show-bin-path)/squall"
FILE=Benchmarks/sweep/sweep-10k.yaml
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

# The loop's inputs: one file per configuration (the sweep: section's grid), one job per seed.
CONFIGS=0
for attempts in 2 3 4 5; do
  for threshold in 3 5 10 20; do
    f="$OUT/c-$attempts-$threshold.yaml"
    sed -e "s/attempts: 5,/attempts: $attempts,/" -e "s/failure_threshold: 5,/failure_threshold: $threshold,/" \
      -e "s/^name: bench-sweep-10k/name: c-$attempts-$threshold/" -e '/^sweep:/,$d' "$FILE" >"$f"
    for seed in 1 2 3; do echo "$f $seed"; done >>"$OUT/jobs"
    CONFIGS=$((CONFIGS + 1))
  done
done
RUNS=$(wc -l <"$OUT/jobs")

median() { sort -n | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2}'; }
timed() { /usr/bin/time -f '%e %U %S' -o "$OUT/t" "$@" >/dev/null 2>&1 || true; awk '{printf "%s %.2f\n", $1, $2 + $3}' "$OUT/t"; }

echo "machine: $(nproc) cores, $(uname -sr), load average $(cut -d' ' -f1-3 /proc/loadavg); --jobs $JOBS"
echo "sweep: $FILE, $CONFIGS configurations x 3 seeds = $RUNS runs of 10,000 tasks"
: >"$OUT/sweep"; : >"$OUT/loop"; : >"$OUT/plan"
for i in $(seq 1 "$ROUNDS"); do
  timed "$SQUALL" sweep "$FILE" --jobs "$JOBS" --out "$OUT/sweep-out" >>"$OUT/sweep"
  timed sh -c "xargs -P $JOBS -L 1 sh -c '\"$SQUALL\" run \"\$0\" --seed \"\$1\" --quiet --out \"$OUT/loop-out/\$1\"' <'$OUT/jobs'" >>"$OUT/loop"
done
for i in $(seq 1 "$ROUNDS"); do
  timed "$SQUALL" plan groq-capacity-plan --jobs "$JOBS" --out "$OUT/plan-out" >>"$OUT/plan"
done
sw=$(cut -d' ' -f1 <"$OUT/sweep" | median); sc=$(cut -d' ' -f2 <"$OUT/sweep" | median)
lw=$(cut -d' ' -f1 <"$OUT/loop" | median); lc=$(cut -d' ' -f2 <"$OUT/loop" | median)
pw=$(cut -d' ' -f1 <"$OUT/plan" | median); pc=$(cut -d' ' -f2 <"$OUT/plan" | median)
echo "squall sweep       wall s: $(cut -d' ' -f1 <"$OUT/sweep" | tr '\n' ' ') CPU s: $(cut -d' ' -f2 <"$OUT/sweep" | tr '\n' ' ')"
echo "squall run loop    wall s: $(cut -d' ' -f1 <"$OUT/loop" | tr '\n' ' ') CPU s: $(cut -d' ' -f2 <"$OUT/loop" | tr '\n' ' ')"
awk -v c="$CONFIGS" -v r="$RUNS" -v sw="$sw" -v sc="$sc" -v lw="$lw" -v lc="$lc" 'BEGIN {
  printf "median: sweep %.2f s wall (%.2f configurations/s, %.2f runs/s), %.2f s CPU; loop %.2f s wall, %.2f s CPU\n", sw, c / sw, r / sw, sc, lw, lc
  printf "squall sweep is %.1fx faster than the squall run loop by wall time, %.1fx by CPU time\n", lw / sw, lc / sc }'
echo "squall plan groq-capacity-plan wall s: $(cut -d' ' -f1 <"$OUT/plan" | tr '\n' ' ') CPU s: $(cut -d' ' -f2 <"$OUT/plan" | tr '\n' ' ')"
echo "median: plan $pw s wall, $pc s CPU"
