#!/usr/bin/env bash
# Simulator throughput, side by side with the SimPy model of the same scenario, in one run.
# Usage: Benchmarks/sim/run.sh        (from the repository root)
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product squall >/dev/null
SQUALL=.build/release/squall
if [ ! -x .build/venv-bench/bin/python ]; then
  python3 -m venv .build/venv-bench
  .build/venv-bench/bin/pip install --quiet simpy
fi
OUT=$(mktemp -d)
echo "machine: $(nproc) cores, $(uname -sr)"
for f in throughput-10k throughput-1m; do
  for i in 1 2 3; do
    $SQUALL run "Benchmarks/sim/$f.yaml" --out "$OUT" | grep -E "^(PASS|FAIL)|simulated"
  done
done
for n in 10000 1000000; do
  for i in 1 2 3; do
    .build/venv-bench/bin/python Benchmarks/sim/simpy_model.py "$n"
  done
done
rm -rf "$OUT"
