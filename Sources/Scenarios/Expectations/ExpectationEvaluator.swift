import Foundation
import Reliability

/// Turns a scenario's expectations and a run's result into verdicts. Reads the result only.
public enum ExpectationEvaluator {
    /// Evaluates every expectation of `scenario` against `result`, fills `result.expectations` and
    /// `result.arithmetic` (computed for every run, at the confidence the scenario asks or 99%).
    public static func evaluate(_ scenario: Scenario, _ result: inout ScenarioResult) {
        var confidence = 0.99
        for e in scenario.expectations { if case .arithmetic(_, let c) = e { confidence = c } }
        let arithmetic = ArithmeticReport.compute(scenario: scenario, result: result, confidence: confidence)
        result.arithmetic = arithmetic
        result.expectations = scenario.expectations.map { e in
            var v = verdict(e, result: result, arithmetic: arithmetic)
            if v.measuredFrom == nil { v.measuredFrom = e.evidence.source(mode: result.mode) }
            return v
        }
    }

    static func verdict(_ e: Expectation, result: ScenarioResult, arithmetic: FailureArithmetic) -> ExpectationVerdict {
        // A target whose breaker Squall cannot see (no stack events) but whose breaker was
        // inferred at the LLM: the inferable `breaker.*` expectations are judged on that.
        if !result.breaker.configured, let f = result.aggregates.mechanisms.inferredBreaker,
            let v = InferredBreakerVerdicts.verdict(e, f, result: result)
        {
            return v
        }
        switch e {
        case .shutdown(let name, let measure, let threshold):
            return ShutdownExpectation.verdict(name: name, measure: measure, threshold: threshold, result: result)
        case .serviceLatency(let name, let kind, let statistic, let threshold):
            return ServiceLatencyExpectation.verdict(name: name, kind: kind, statistic: statistic, threshold: threshold, result: result)
        case .threshold(let name, let metric, let threshold, let scope):
            return thresholdVerdict(name: name, metric: metric, threshold: threshold, scope: scope, result: result)
        case .arithmetic(let name, let confidence):
            let pct = Percent.format(confidence, digits: 1)
            let expected = "expected failure probability \(sci(arithmetic.expectedFailureProbability)) inside the \(pct) exact interval"
            guard arithmetic.tasks > 0 else {
                return .noEvidence(name: name, expected: expected, observed: "no tasks", detail: "no task finished")
            }
            return ExpectationVerdict(
                name: name,
                expected: expected,
                observed: "\(arithmetic.observedFailures)/\(arithmetic.tasks) failed, interval [\(sci(arithmetic.intervalLower)), \(sci(arithmetic.intervalUpper))]",
                passed: arithmetic.consistent, observations: arithmetic.tasks, value: arithmetic.observedFailureProbability,
                detail: arithmetic.framing + (arithmetic.notes.isEmpty ? "" : "; " + arithmetic.notes.joined(separator: "; ")))
        case .breakerOpensWithin(let name, let w, let limit):
            return BreakerVerdicts.opensWithin(name: name, window: w, limit: limit, result: result)
        case .breakerClosesWithin(let name, let w, let limit):
            return BreakerVerdicts.closesWithin(name: name, window: w, limit: limit, result: result)
        case .breakerCallsWhileOpen(let name, let t):
            return BreakerVerdicts.callsWhileOpen(name: name, threshold: t, result: result)
        case .breakerHalfOpenProbes(let name, let t):
            return BreakerVerdicts.halfOpenProbes(name: name, threshold: t, result: result)
        case .breakerCycles(let name, let t):
            return BreakerVerdicts.cycles(name: name, threshold: t, result: result)
        case .executionsPerKey(let name, let t):
            return DuplicateVerdicts.executionsPerKey(name: name, threshold: t, result: result)
        case .replaysIdentical(let name):
            return DuplicateVerdicts.replaysIdentical(name: name, result: result)
        case .reexecutionAfterTTL(let name):
            return DuplicateVerdicts.reexecutionAfterTTL(name: name, result: result)
        case .recoversWithin(let name, let w, let limit, let tolerance):
            return recovery(name: name, window: w, limit: limit, tolerance: tolerance, result: result)
        case .breakerOpensAfter(let name, let t):
            return BreakerMechanismVerdicts.opensAfter(name: name, threshold: t, result: result)
        case .breakerOpensWithinCrossing(let name, let t, let limit):
            return BreakerMechanismVerdicts.opensWithinCrossing(name: name, threshold: t, limit: limit, result: result)
        case .breakerClosesWithinFirstRequest(let name, let w, let limit):
            return BreakerMechanismVerdicts.closesWithinFirstRequest(name: name, window: w, limit: limit, result: result)
        case .retryClustering(let name, let t, let spec):
            return CallLogVerdicts.retryClustering(name: name, threshold: t, spec: spec, result: result)
        case .retryAfterEarly(let name, let t, let tolerance):
            return CallLogVerdicts.retryAfterEarly(name: name, threshold: t, tolerance: tolerance, result: result)
        case .reexecutionWithin(let name, let horizon):
            return CallLogVerdicts.reexecutionWithin(name: name, horizon: horizon, result: result)
        }
    }

    static func missingWindow(_ name: String, _ w: Int) -> ExpectationVerdict {
        ExpectationVerdict(name: name, expected: "window \(w)", observed: "no such window", passed: false, observations: 0)
    }

    static func countVerdict(_ name: String, _ t: Threshold, _ observed: Int, observations: Int, detail: String) -> ExpectationVerdict {
        ExpectationVerdict(
            name: name, expected: t.description, observed: String(observed), passed: t.holds(Double(observed)),
            observations: observations, value: Double(observed), detail: detail)
    }

    // MARK: Thresholds

    /// The aggregates of the tasks a window scope covers (executed and finished ones, by intended
    /// start), with a label; nil for the run scope, a missing window, or a scope the run did not keep.
    static func scoped(_ scope: ExpectationScope, _ result: ScenarioResult) -> (figures: ScopeFigures, label: String, window: FaultWindowInfo)? {
        let w: Int, kept: WindowScope, range: String
        switch scope {
        case .run: return nil
        case .before(let x): (w, kept) = (x, .before)
        case .during(let x): (w, kept) = (x, .during)
        case .after(let x): (w, kept) = (x, .after)
        }
        guard let window = result.faultWindows.first(where: { $0.index == w }),
            let figures = result.aggregates.scope(kept, window: w)
        else { return nil }
        switch kept {
        case .before: range = "before \(fmtT(window.start))"
        case .during: range = "in \(fmtT(window.start))..\(fmtT(window.end))"
        case .after: range = "from \(fmtT(window.end))"
        }
        return (figures, "\(figures.tasks) tasks arriving \(range) (window \(w): \(window.label))", window)
    }

    static func thresholdVerdict(
        name: String, metric: Metric, threshold: Threshold, scope: ExpectationScope, result: ScenarioResult
    ) -> ExpectationVerdict {
        let value: Double
        var detail: String
        let observations: Int
        if case .run = scope {
            observations = runObservations(metric, result)
            guard observations > 0 else {
                return .noEvidence(
                    name: name, expected: threshold.description, observed: "no tasks",
                    detail: "nothing to measure: no task finished (or no call was billed)")
            }
            (value, detail) = runValue(metric, result)
        } else {
            guard let (figures, label, window) = scoped(scope, result) else {
                let known = result.faultWindows.contains { w in
                    switch scope { case .before(let x), .during(let x), .after(let x): return w.index == x; case .run: return false }
                }
                return ExpectationVerdict(
                    name: name, expected: threshold.description, observed: known ? "not recorded" : "no such window",
                    passed: false, observations: 0,
                    detail: known ? "the run did not keep this window scope (ResultNeeds)" : "")
            }
            observations = figures.tasks
            guard observations > 0 else {
                return .noEvidence(name: name, expected: threshold.description, observed: "no tasks", detail: label)
            }
            (value, detail) = scopedValue(metric, figures: figures, window: window, scope: scope, result: result)
            detail = detail.isEmpty ? label : label + "; " + detail
        }
        if threshold.confidence != nil {
            let (count, days) = CountTest.count(metric, value: value, result: result)
            return CountTest.verdict(
                name: name, threshold: threshold, value: value, count: count, days: days, observations: observations,
                detail: detail)
        }
        return ExpectationVerdict(
            name: name, expected: threshold.description, observed: threshold.unit.format(value),
            passed: threshold.holds(value), observations: observations, value: value, detail: detail)
    }

    /// How many observations a run-wide figure rests on: finished tasks for rates, shares and
    /// per-task figures; latencies recorded; submissions for usage and offered load; billed
    /// completions for a cost share (0 when nothing was billed).
    static func runObservations(_ metric: Metric, _ r: ScenarioResult) -> Int {
        let done = r.totals.succeeded + r.totals.failed
        switch metric {
        case .successRate, .failures, .failuresPerDay, .attemptsPerTask, .llmCallsPerTask, .failuresByCause,
            .routeTaskShare:
            return done
        case .latency:
            return r.latency.count
        case .llmCalls, .llmCallsPerDay, .tokensPerDay, .costPerDay, .offeredLoad:
            return r.totals.submitted
        case .duplicateExecutions:
            return r.totals.tasks
        case .routeCostShare:
            return r.usage.cost > 0 ? r.usage.executions : 0
        }
    }

    static func runValue(_ metric: Metric, _ r: ScenarioResult) -> (Double, String) {
        let done = r.totals.succeeded + r.totals.failed
        switch metric {
        case .successRate:
            return (r.totals.successRate, "\(r.totals.succeeded)/\(done) tasks succeeded")
        case .failures:
            return (Double(r.totals.failed), "of \(done) tasks")
        case .failuresPerDay:
            return (r.perDay.failures, "\(r.totals.failed) failures in \(fmtD(r.durationSeconds))")
        case .latency(let p):
            let v = r.latency.percentile(p) ?? r.latency.p99
            return (v, "from the intended start, over \(r.latency.count) finished tasks")
        case .attemptsPerTask:
            return (r.attempts.meanAttempts, "max \(r.attempts.maxAttempts); \(fmtN(r.attempts.meanCalls)) calls per task")
        case .llmCallsPerTask:
            return (r.attempts.meanCalls, "LLM calls actually sent per finished task; \(fmtN(r.attempts.meanAttempts)) attempts per task")
        case .llmCalls:
            return (Double(r.usage.llmCalls), "\(r.usage.executions) completions generated")
        case .llmCallsPerDay:
            return (r.perDay.llmCalls, "\(r.usage.llmCalls) calls in \(fmtD(r.durationSeconds))")
        case .tokensPerDay:
            return (r.perDay.tokens, "\(r.usage.totalTokens) tokens in \(fmtD(r.durationSeconds))")
        case .costPerDay:
            return (r.perDay.cost, String(format: "$%.4f in %@", r.usage.cost, fmtD(r.durationSeconds)))
        case .duplicateExecutions:
            return (Double(r.duplicates.duplicateExecutions), "\(r.duplicates.submitted) duplicates submitted, \(r.duplicates.replayed) replayed, \(r.duplicates.conflicts) conflicts")
        case .offeredLoad:
            let arrivals = r.timeSeries.points.reduce(0) { $0 + $1.arrivals }
            return (arrivals == 0 ? 0 : Double(r.usage.llmCalls) / Double(arrivals), "\(r.usage.llmCalls) calls for \(arrivals) submissions")
        case .failuresByCause(let c):
            let v = r.failuresByCause.first { $0.name == c.rawValue }?.count ?? 0
            return (Double(v), "of \(r.totals.failed) failures")
        case .routeTaskShare(let rule):
            let u = r.usage.byRoute.first { $0.route == rule }
            return (u?.taskShare ?? 0, "\(u?.tasks ?? 0) tasks to \(u?.model ?? "-")")
        case .routeCostShare(let rule):
            let u = r.usage.byRoute.first { $0.route == rule }
            return (u?.costShare ?? 0, String(format: "$%.4f of $%.4f", u?.cost ?? 0, r.usage.cost))
        }
    }

    static func scopedValue(
        _ metric: Metric, figures f: ScopeFigures, window: FaultWindowInfo, scope: ExpectationScope, result: ScenarioResult
    ) -> (Double, String) {
        switch metric {
        case .successRate:
            return (f.tasks == 0 ? 1 : Double(f.succeeded) / Double(f.tasks), "\(f.succeeded) succeeded")
        case .failures:
            return (Double(f.failed), "")
        case .latency(let p):
            guard let latency = f.latency else { return (0, "latency was not recorded for this scope") }
            return (latency.percentile(p) ?? latency.p99, "from the intended start (HDR histogram, 3 significant digits)")
        case .attemptsPerTask:
            return (f.tasks == 0 ? 0 : Double(f.attempts) / Double(f.tasks), "")
        case .llmCallsPerTask:
            return (f.tasks == 0 ? 0 : Double(f.calls) / Double(f.tasks), "LLM calls sent by these tasks")
        case .llmCalls, .offeredLoad:
            let calls: Int
            let arrivals: Int
            var how: String
            if case .during = scope {
                calls = window.llmCalls
                arrivals = window.arrivals
                how = "calls sent inside the window by any task"
            } else {
                calls = f.calls
                arrivals = f.tasks
                how = "calls made by these tasks"
            }
            if case .llmCalls = metric { return (Double(calls), how) }
            how += ": \(calls) calls / \(arrivals) arrivals"
            return (arrivals == 0 ? 0 : Double(calls) / Double(arrivals), how)
        case .failuresByCause(let c):
            return (Double(f.failures(c.rawValue)), "")
        case .duplicateExecutions, .failuresPerDay, .llmCallsPerDay, .tokensPerDay, .costPerDay, .routeTaskShare,
            .routeCostShare:
            return runValue(metric, result)
        }
    }

    // MARK: Recovery

    /// Success ratio of arriving tasks after the window, in steps, against the pre-window baseline
    /// (from the run's `RecoverySeries` of the window).
    static func recovery(name: String, window w: Int, limit: Duration, tolerance: Double, result: ScenarioResult) -> ExpectationVerdict {
        guard result.faultWindows.contains(where: { $0.index == w }) else { return missingWindow(name, w) }
        let expected = "<= \(DurationFormat.short(limit)) after window \(w) end"
        guard let series = result.aggregates.recovery.first(where: { $0.window == w }) else {
            return ExpectationVerdict(name: name, expected: expected, observed: "not recorded", passed: false,
                observations: 0, detail: "the run did not keep recovery steps for window \(w) (ResultNeeds)")
        }
        let baseline = series.before.ratio ?? 1
        let target = baseline - tolerance
        let step = series.stepSeconds
        let filled = series.steps.enumerated().filter { $0.element.tasks > 0 }
        let after = series.steps.reduce(series.later) { $0 + $1.tasks }
        guard after > 0 else {
            return .noEvidence(
                name: name, expected: expected, observed: "no tasks after the window",
                detail: "no task arrived after window \(w) ended, so recovery could not be seen")
        }
        var recoveredAt: Double?
        for (j, entry) in filled.enumerated() {
            guard (entry.element.ratio ?? 0) >= target else { continue }
            if j + 1 < filled.count {
                guard (filled[j + 1].element.ratio ?? 0) >= target else { continue }
            }
            recoveredAt = Double(entry.offset) * step
            break
        }
        let baseText = "baseline success \(Percent.format(baseline, digits: 2)) (before the window), tolerance \(Percent.format(tolerance, digits: 2)), steps of \(fmtD(step))"
        guard let at = recoveredAt else {
            let horizon = series.later > 0 ? " within \(fmtD(step * Double(RecoverySeries.maxSteps)))" : ""
            return ExpectationVerdict(
                name: name, expected: expected, observed: "not recovered" + horizon, passed: false, observations: after,
                detail: baseText)
        }
        return ExpectationVerdict(
            name: name, expected: expected, observed: fmtD(at), passed: at <= limit.seconds + 1e-9,
            observations: after, value: at, detail: baseText)
    }

    // MARK: Formatting

    static func fmtD(_ s: Double) -> String { DurationFormat.short(.fromSeconds(s)) }
    static func fmtT(_ s: Double) -> String { "t=" + DurationFormat.short(.fromSeconds(s)) }
    static func fmtN(_ v: Double) -> String { String(format: "%.3f", v) }
    static func sci(_ p: Double) -> String {
        if p == 0 { return "0" }
        if p >= 0.001 { return String(format: "%.4f", p) }
        return String(format: "%.2e", p)
    }
}
