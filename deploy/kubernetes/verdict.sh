#!/usr/bin/env bash
# Gate CI on a sharded squall run on Kubernetes: wait for the shards Job, resume the merge Job
# (created suspended), wait for it, print the merge's output and exit with its exit code.
#
#   deploy/kubernetes/verdict.sh [-n NAMESPACE] [--timeout SECONDS] [--poll SECONDS]
#                                [--shards-job NAME] [--merge-job NAME]
#
# Exit codes are squall's: 0 every expectation held, 1 an expectation failed, 2 bad input or parts
# that do not belong together, 3 could not run — which here also covers a shard that failed for
# good (the merge is then not started), a Job past its deadline, this script's --timeout (default
# 10800 s for both Jobs together) and a merge container that ended without an exit code of its own
# (e.g. OOM-killed). Needs kubectl with access to the namespace.
set -Eeuo pipefail

namespace=()
timeout=10800
poll=5
shards_job=squall-shards
merge_job=squall-merge

usage() { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    -n|--namespace) [ $# -ge 2 ] || usage; namespace=(--namespace "$2"); shift 2 ;;
    --timeout)      [ $# -ge 2 ] || usage; timeout="$2"; shift 2 ;;
    --poll)         [ $# -ge 2 ] || usage; poll="$2"; shift 2 ;;
    --shards-job)   [ $# -ge 2 ] || usage; shards_job="$2"; shift 2 ;;
    --merge-job)    [ $# -ge 2 ] || usage; merge_job="$2"; shift 2 ;;
    -h|--help)      usage ;;
    *) echo "verdict: unknown argument '$1' (valid: -n NAMESPACE, --timeout SECONDS, --poll SECONDS, --shards-job NAME, --merge-job NAME)" >&2; exit 2 ;;
  esac
done
case "$timeout$poll" in *[!0-9]*) echo "verdict: --timeout and --poll take whole seconds" >&2; exit 2 ;; esac

kc() { kubectl ${namespace[@]+"${namespace[@]}"} "$@"; }
# A kubectl call that fails is "could not run" (3), never mistaken for a verdict (kubectl exits 1).
trap 'echo "verdict: a kubectl call failed (verdict.sh line $LINENO)" >&2; exit 3' ERR
deadline=$((SECONDS + timeout))

# Prints Complete or Failed once the Job has finished; exits 3 on the script's timeout.
wait_for_job() {
  local conditions
  while :; do
    if ! conditions="$(kc get job "$1" -o jsonpath='{range .status.conditions[*]}{.type}={.status}{"\n"}{end}')"; then
      echo "verdict: cannot read job/$1" >&2; exit 3
    fi
    if grep -qx 'Complete=True' <<<"$conditions"; then echo Complete; return; fi
    if grep -qx 'Failed=True' <<<"$conditions"; then echo Failed; return; fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "verdict: job/$1 has not finished after ${timeout}s" >&2; exit 3
    fi
    sleep "$poll"
  done
}

echo "verdict: waiting for job/$shards_job" >&2
shards_state="$(wait_for_job "$shards_job")" || exit $?
if [ "$shards_state" = Failed ]; then
  failed="$(kc get job "$shards_job" -o jsonpath='{.status.failedIndexes}' || true)"
  reason="$(kc get job "$shards_job" -o jsonpath='{.status.conditions[?(@.type=="Failed")].reason}: {.status.conditions[?(@.type=="Failed")].message}' || true)"
  echo "verdict: job/$shards_job failed (${reason:-no reason given}; failed indexes: ${failed:-none recorded}); not merging. See: kubectl logs job/$shards_job" >&2
  exit 3
fi

echo "verdict: job/$shards_job complete; resuming job/$merge_job" >&2
kc patch job "$merge_job" --type=merge -p '{"spec":{"suspend":false}}' >/dev/null
state="$(wait_for_job "$merge_job")" || exit $?

# The newest merge pod and its merge container's exit code (a retried pod replaces an older one).
last="$(kc get pods -l "job-name=$merge_job" --sort-by=.metadata.creationTimestamp \
  -o jsonpath='{range .items[*]}{.metadata.name}{" "}{range .status.containerStatuses[?(@.name=="merge")]}{.state.terminated.exitCode}{end}{"\n"}{end}' \
  | sed '/^[[:space:]]*$/d' | tail -n 1)"
pod="${last%% *}"
code="${last#"$pod"}"; code="${code// /}"
if [ -n "$pod" ]; then kc logs "$pod" -c merge || true; fi
case "$code" in
  0|1|2|3)
    echo "verdict: job/$merge_job $state, merge exit code $code" >&2
    exit "$code" ;;
  "")
    echo "verdict: job/$merge_job $state but its merge container has no exit code (pod: ${pod:-none}); see kubectl describe job/$merge_job" >&2
    exit 3 ;;
  *)
    echo "verdict: the merge container ended with $code (killed? OOM?), not a verdict; see kubectl describe pod/$pod" >&2
    exit 3 ;;
esac
