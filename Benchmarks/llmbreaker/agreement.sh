#!/usr/bin/env bash
# Agreement of the breaker inferred at the LLM (issue #9 item 4) with the simulator's real breaker:
# per seed, the real last opening before the fault window's end and the first closing after it vs
# the inferred ones (bound 2 s), and the inferred openings of the same stack without a breaker.
# Scenarios: a 5-minute 503 outage at 2 tasks/s with the catalog breaker stack, and the catalog's
# provider-outage-breaker (one arrival every 8.6 s).
#
# Usage: Benchmarks/llmbreaker/agreement.sh [SEEDS]     (default 200; builds the tests first)
set -euo pipefail
cd "$(dirname "$0")/../.."
seeds="${1:-200}"
swift build --build-tests >/dev/null
SQUALL_AGREEMENT_SEEDS="$seeds" swift test --skip-build --filter InferredBreakerAgreement 2>&1 \
  | grep -E "inferred breaker agreement|✘|Test run"
