#!/usr/bin/env bash
# The catalog audit at full size: every bundled simulator scenario over seeds 1..200 as written
# (false fails) and every applicable planted defect over seeds 1..20 (detection), on every core.
# Writes OUT/audit/audit.md and audit.json (default OUT: .build/audit-bench, not committed) and
# prints the wall time, the machine and the audit's exit code (0: every scenario meets the bar).
#
# Usage: Benchmarks/audit/run.sh [--seeds N] [--mutant-seeds M] [--jobs J] [--out DIR]   (from anywhere)
set -euo pipefail
cd "$(dirname "$0")/../.."
SEEDS=200
MSEEDS=20
JOBS=$(nproc)
OUT=.build/audit-bench
while [ $# -gt 0 ]; do
  case "$1" in
    --seeds) SEEDS="$2"; shift 2 ;;
    --mutant-seeds) MSEEDS="$2"; shift 2 ;;
    --jobs) JOBS="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    *) echo "usage: $0 [--seeds N] [--mutant-seeds M] [--jobs J] [--out DIR]" >&2; exit 2 ;;
  esac
done
swift build -c release --product squall >/dev/null
SQUALL="$(swift build -c release --show-bin-path)/squall"
echo "machine: $(nproc) cores, $(uname -sr), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "audit: catalog, seeds 1..$SEEDS, mutants over seeds 1..$MSEEDS, $JOBS jobs"
start=$(date +%s.%N)
set +e
"$SQUALL" audit --catalog --seeds "$SEEDS" --mutant-seeds "$MSEEDS" --mutants all --jobs "$JOBS" --out "$OUT"
code=$?
set -e
end=$(date +%s.%N)
printf 'wall time: %.1f s\n' "$(echo "$end - $start" | bc -l)"
echo "exit code: $code (0 = every scenario meets the bar)"
echo "report: $OUT/audit/audit.md"
exit "$code"
