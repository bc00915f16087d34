#!/usr/bin/env bash
# Live timing fidelity (issue #10 item 6): runs live catalog scenarios at several time scales and
# --time-scale auto, and prints each run's scheduler lag, per-attempt real overhead, their
# distortion at the scale (scenario time), how many timing verdicts were untrustworthy, and the
# scale auto chose. Measured facts of this machine at the time of the run, not assertions.
#
# Usage: Benchmarks/fidelity/run.sh            (provider-outage-breaker on the in-process stack at
#                                               ×60, ×1440 and auto; live-service-end-to-end through
#                                               the reference service at ×1, ×60, ×1440 and auto)
#        FULL=1 Benchmarks/fidelity/run.sh     (adds provider-outage-breaker at ×1: one hour)
# Builds squall in release mode unless SQUALL is set. Loopback only; every run is bounded by its
# scenario's duration ÷ K plus its drain limit.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [[ -z "${SQUALL:-}" ]]; then
  swift build -c release --product squall >&2
  SQUALL="$(swift build -c release --show-bin-path)/squall"
fi
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

run() {  # scenario scale
  local name="$1" scale="$2" out="$WORK/$1-$2"
  local started=$SECONDS
  "$SQUALL" run "$name" --mode live --time-scale "$scale" --out "$out" --quiet > "$out.log" 2>&1 || true
  python3 - "$out/$name/summary.json" "$name" "$scale" "$((SECONDS - started))" "$out.log" <<'PY'
import json, sys
path, name, scale, secs, log = sys.argv[1:]
try:
    s = json.load(open(path))
except Exception as e:
    print(f"| {name} | {scale} | run failed: {open(log).read().strip()[:200]} |"); sys.exit()
f = s.get("fidelity") or {}
lag, ov = f.get("lag", {}), f.get("overhead", {})
held = sum(1 for v in s["expectations"] if v["status"] == "pass")
k = f.get("time_scale", 0)
auto = f.get("auto")
label = f"auto → {k:g}" if auto else f"{k:g}"
print(f"| {name} | {label} | {secs} s | {lag.get('p50_ms',0):.3f} / {lag.get('p99_ms',0):.3f} / {lag.get('max_ms',0):.3f} ({lag.get('n',0)}) "
      f"| {ov.get('p50_ms',0):.3f} / {ov.get('p99_ms',0):.3f} / {ov.get('max_ms',0):.3f} ({ov.get('n',0)}) "
      f"| {f.get('distortion_seconds',0):.3f} s | {f.get('untrustworthy',0)} | {held}/{len(s['expectations'])} |")
if auto:
    print(f"|  | reason: {auto['reason']} |  |  |  |  |  |  |")
PY
}

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)   $(date -u +%H:%M) UTC"
echo
echo "| scenario | ×K | real time | lag p50 / p99 / max ms (n) | overhead p50 / p99 / max ms (n) | distortion (scenario) | untrustworthy | held |"
echo "|---|---:|---:|---|---|---:|---:|---:|"
[[ -n "${FULL:-}" ]] && run provider-outage-breaker 1
for k in 60 1440 auto; do run provider-outage-breaker "$k"; done
for k in 1 60 1440 auto; do run live-service-end-to-end "$k"; done
