import Reliability

/// Verdicts computed from the LLM call log alone (contract 4), so they mean the same for the
/// simulator, the in-process stack and a foreign service: retry clustering after correlated
/// failures, Retry-After compliance, and re-executions of a key within a horizon.
enum CallLogVerdicts {
    static func fmtD(_ s: Double) -> String { DurationFormat.short(.fromSeconds(s)) }

    static func notRecorded(_ name: String, _ expected: String, _ what: String) -> ExpectationVerdict {
        ExpectationVerdict(
            name: name, expected: expected, observed: "not recorded", passed: false, observations: 0,
            detail: "the run did not keep \(what) (ResultNeeds.mechanisms)")
    }

    /// The share of retries that landed in their burst's busiest window, pooled over the bursts
    /// of retries after correlated failures; rests on the retries in those bursts.
    static func retryClustering(name: String, threshold t: Threshold, spec: RetryClusterSpec, result: ScenarioResult) -> ExpectationVerdict {
        guard let f = result.aggregates.mechanisms.retryClustering else {
            return notRecorded(name, t.description, "retry clustering")
        }
        let win = DurationFormat.short(spec.window)
        guard f.bursts > 0 else {
            return .noEvidence(
                name: name, expected: t.description, observed: "no correlated failure",
                detail: "no \(win) of failed calls was followed by \(f.minRetries) or more retries")
        }
        let detail = "\(f.inBusiestWindow) of \(f.retries) retries after \(f.bursts) correlated failures fell in their burst's busiest \(win); "
            + "worst burst \(f.maxPeak)/\(f.maxPeakOf), largest burst \(f.largestBurst) retries"
        return ExpectationVerdict(
            name: name, expected: t.description, observed: t.unit.format(f.share), passed: t.holds(f.share),
            observations: f.retries, value: f.share, detail: detail)
    }

    /// Retries sent more than the tolerance before the instant a Retry-After allowed; rests on
    /// the retries that followed a response carrying one.
    static func retryAfterEarly(name: String, threshold t: Threshold, tolerance: Duration, result: ScenarioResult) -> ExpectationVerdict {
        guard let f = result.aggregates.mechanisms.retryAfter else {
            return notRecorded(name, t.description, "Retry-After compliance")
        }
        guard f.retries > 0 else {
            return .noEvidence(
                name: name, expected: t.description, observed: "no retry after a Retry-After",
                detail: "\(f.responses) responses carried a Retry-After that reached the client, and no call of the same task followed one")
        }
        var detail = "\(f.early) of \(f.retries) retries after a Retry-After came more than \(DurationFormat.short(tolerance)) early, in \(f.earlyTasks) tasks"
        if f.early > 0 {
            detail += "; most early by \(fmtD(Double(f.maxEarlyNanos) / 1e9))"
            if let p50 = f.earlyP50Seconds { detail += ", median \(fmtD(p50))" }
        }
        return ExpectationVerdict(
            name: name, expected: t.description, observed: String(f.early), passed: t.holds(Double(f.early)),
            observations: f.retries, value: Double(f.early), detail: detail)
    }

    /// No key was executed again by another submission within the horizon of its first execution,
    /// whatever the TTL; rests on the keys executed.
    static func reexecutionWithin(name: String, horizon: Duration, result: ScenarioResult) -> ExpectationVerdict {
        let expected = "no key executed again within \(DurationFormat.short(horizon))"
        guard let f = result.aggregates.mechanisms.reexecution else {
            return notRecorded(name, expected, "the keys' executions")
        }
        guard f.executedKeys > 0 else {
            return .noEvidence(
                name: name, expected: expected, observed: "no key executed", detail: "no completion was generated for a known key")
        }
        var detail = "\(f.executedKeys) keys executed"
        if let g = f.minGapNanos {
            detail += "; \(f.reexecutions) re-executions by another submission, the soonest \(fmtD(Double(g) / 1e9)) after the first"
        }
        if !result.duplicates.idempotencyEnabled { detail += "; the stack has no idempotency" }
        return ExpectationVerdict(
            name: name, expected: expected, observed: "\(f.reexecutedKeys) keys re-executed", passed: f.reexecutedKeys == 0,
            observations: f.executedKeys, value: Double(f.reexecutedKeys), detail: detail)
    }
}
