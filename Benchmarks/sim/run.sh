#!/usr/bin/env bash
# Simulator vs SimPy, side by side in one run (same model: Benchmarks/sim/simpy_model.py is
# arithmetic-five-attempts's traffic for one simulated day, as Benchmarks/sim/throughput-*.yaml).
#
# Usage: Benchmarks/sim/run.sh [--rounds N] [--quick]      (from the repository root)
#   --rounds N  alternating Squall/SimPy rounds per load (default 5); medians are compared
#   --quick     skip the 50,000,000-task run (it streams a ~5 GB tasks.csv and takes minutes)
#
# Prints every round's CPU time, the medians and their ratio (CPU time is the fair measure on a
# shared machine), what streaming tasks.csv costs (SimPy writes no per-task file, so the ratio
# compares runs without one), and peak RSS from /usr/bin/time -f %M: the simulation alone, and
# `squall run` writing the whole report, at 1,000,000 and at 50,000,000 tasks/day (the cap).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=5
QUICK=0
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS="$2"; shift 2 ;;
    --quick) QUICK=1; shift ;;
    *) echo "usage: $0 [--rounds N] [--quick]" >&2; exit 2 ;;
  esac
done
[ -x /usr/bin/time ] || { echo "run.sh: /usr/bin/time is needed for peak RSS (apt-get install time)" >&2; exit 3; }

swift build -c release --product squall >/dev/null
swift build -c release --product squall-sim-bench >/dev/null
BIN=$(swift build -c release --show-bin-path)
SQUALL="$BIN/squall"
BENCH="$BIN/squall-sim-bench"
PY=.build/venv-bench/bin/python
if [ ! -x "$PY" ]; then
  python3 -m venv .build/venv-bench
  .build/venv-bench/bin/pip install --quiet simpy
fi
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

median() { sort -n | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2}'; }
field() { sed -n "s/.*$1=\([^ ]*\).*/\1/p"; }

echo "machine: $(nproc) cores, $(uname -sr), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "squall: $("$SQUALL" --version 2>/dev/null || echo release build); simpy $("$PY" -c 'import simpy; print(simpy.__version__)')"
echo
for load in 10k:10000 1m:1000000; do
  name=${load%%:*}
  perday=${load##*:}
  : >"$OUT/squall-$name" ; : >"$OUT/simpy-$name"
  for i in $(seq 1 "$ROUNDS"); do
    "$BENCH" "Benchmarks/sim/throughput-$name.yaml" | field cpu_s >>"$OUT/squall-$name"
    "$PY" Benchmarks/sim/simpy_model.py "$perday" | sed -n 's/.*"cpu_s": \([0-9.]*\).*/\1/p' >>"$OUT/simpy-$name"
  done
  sq=$(median <"$OUT/squall-$name")
  sp=$(median <"$OUT/simpy-$name")
  printf '%-16s squall CPU s: %s\n' "$perday/day" "$(tr '\n' ' ' <"$OUT/squall-$name")"
  printf '%-16s simpy  CPU s: %s\n' "" "$(tr '\n' ' ' <"$OUT/simpy-$name")"
  printf '%-16s median squall %s s, simpy %s s: squall is %sx faster by CPU time\n\n' "" "$sq" "$sp" \
    "$(awk -v a="$sp" -v b="$sq" 'BEGIN {printf "%.1f", a / b}')"
done

# What streaming tasks.csv adds (one row per submission, 64 KiB buffered writes), at 1M tasks/day.
: >"$OUT/csv"
for i in $(seq 1 "$ROUNDS"); do
  "$BENCH" Benchmarks/sim/throughput-1m.yaml --tasks-csv "$OUT/tasks.csv" | field cpu_s >>"$OUT/csv"
done
rows=$(($(wc -l <"$OUT/tasks.csv") - 1))
printf 'tasks.csv at 1M/day: %s rows, %s MB; median CPU with it %s s vs %s s without (+%s s)\n\n' "$rows" \
  "$(($(stat -c %s "$OUT/tasks.csv") / 1000000))" "$(median <"$OUT/csv")" "$(median <"$OUT/squall-1m")" \
  "$(awk -v a="$(median <"$OUT/csv")" -v b="$(median <"$OUT/squall-1m")" 'BEGIN {printf "%.3f", a - b}')"
rm -f "$OUT/tasks.csv"

rss() {  # label, command...: runs it under /usr/bin/time and prints its peak RSS in MB
  local label=$1
  shift
  /usr/bin/time -f '%M' -o "$OUT/rss" "$@" >"$OUT/rss-out" 2>&1 || { cat "$OUT/rss-out" >&2; exit 1; }
  local line
  line=$(grep -E 'submissions=|simulated ' "$OUT/rss-out" | head -1 || true)
  printf 'peak RSS %-52s %6.1f MB   %s\n' "$label" "$(awk '{print $1 / 1024}' "$OUT/rss")" "$line"
}
rss "squall simulation, 1M tasks/day" "$BENCH" Benchmarks/sim/throughput-1m.yaml
rss "squall run (whole report, tasks.csv), 1M tasks/day" "$SQUALL" run Benchmarks/sim/throughput-1m.yaml --out "$OUT/reports"
rss "simpy model, 1M tasks/day" "$PY" Benchmarks/sim/simpy_model.py 1000000
if [ "$QUICK" = 0 ]; then
  rss "squall simulation, 50M tasks/day (the cap)" "$BENCH" Benchmarks/sim/throughput-50m.yaml
  rss "squall run (whole report, tasks.csv), 50M tasks/day" "$SQUALL" run Benchmarks/sim/throughput-50m.yaml --out "$OUT/reports"
fi
