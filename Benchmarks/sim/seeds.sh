#!/usr/bin/env bash
# False-fail count of the bundled simulated scenarios over seeds 1..N (default 200): each scenario
# is run once per seed; a run that exits 1 is a fail, and the expectations that failed are counted.
# Usage: Benchmarks/sim/seeds.sh [N] [SQUALL_BINARY]      (from the repository root)
set -euo pipefail
cd "$(dirname "$0")/../.."
N="${1:-200}"
SQUALL="${2:-.build/release/squall}"
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
for name in $("$SQUALL" list | awk 'NF && $1 !~ /^live-/ && $1 != "Run" {print $1}'); do
  fails=0
  declare -A which=()
  for seed in $(seq 1 "$N"); do
    set +e
    text=$("$SQUALL" run "$name" --seed "$seed" --out "$OUT")
    rc=$?
    set -e
    if [ "$rc" -ne 0 ]; then
      fails=$((fails + 1))
      for e in $(printf '%s\n' "$text" | awk '/^  FAIL / {print $2}' | tr -d ':'); do
        which[$e]=$(( ${which[$e]:-0} + 1 ))
      done
      [ "$rc" -ne 1 ] && echo "  $name seed $seed: exit $rc" >&2
    fi
  done
  detail=""
  for e in "${!which[@]}"; do detail="$detail $e=${which[$e]}"; done
  printf '%-36s %3d/%d false fails%s\n' "$name" "$fails" "$N" "${detail:+ (}${detail# }${detail:+)}"
  unset which
done
