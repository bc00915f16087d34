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
        result.expectations = scenario.expectations.map { verdict($0, result: result, arithmetic: arithmetic) }
    }

    static func verdict(_ e: Expectation, result: ScenarioResult, arithmetic: FailureArithmetic) -> ExpectationVerdict {
        switch e {
        case .shutdown(let name, let measure, let threshold):
            return ShutdownExpectation.verdict(name: name, measure: measure, threshold: threshold, result: result)
        case .threshold(let name, let metric, let threshold, let scope):
            return thresholdVerdict(name: name, metric: metric, threshold: threshold, scope: scope, result: result)
        case .arithmetic(let name, let confidence):
            let pct = Percent.format(confidence, digits: 1)
            return ExpectationVerdict(
                name: name,
                expected: "expected failure probability \(sci(arithmetic.expectedFailureProbability)) inside the \(pct) exact interval",
                observed: "\(arithmetic.observedFailures)/\(arithmetic.tasks) failed, interval [\(sci(arithmetic.intervalLower)), \(sci(arithmetic.intervalUpper))]",
                passed: arithmetic.consistent,
                detail: arithmetic.framing + (arithmetic.notes.isEmpty ? "" : "; " + arithmetic.notes.joined(separator: "; ")))
        case .breakerOpensWithin(let name, let w, let limit):
            guard let window = result.faultWindows.first(where: { $0.index == w }) else {
                return missingWindow(name, w)
            }
            let expected = "<= \(DurationFormat.short(limit)) after window \(w) start (\(fmtT(window.start)))"
            guard let open = result.breaker.transitions.first(where: { ($0.to == "open") && $0.at >= window.start }) else {
                return ExpectationVerdict(name: name, expected: expected, observed: "never opened", passed: false,
                    detail: "no transition to open at or after \(fmtT(window.start))")
            }
            let delay = open.at - window.start
            return ExpectationVerdict(
                name: name, expected: expected, observed: fmtD(delay), passed: delay <= limit.seconds + 1e-9,
                detail: "opened at \(fmtT(open.at)) (\(open.cause))")
        case .breakerClosesWithin(let name, let w, let limit):
            guard let window = result.faultWindows.first(where: { $0.index == w }) else {
                return missingWindow(name, w)
            }
            let expected = "<= \(DurationFormat.short(limit)) after window \(w) end (\(fmtT(window.end)))"
            let openedInWindow = result.breaker.transitions.contains { $0.to == "open" && $0.at >= window.start && $0.at < window.end }
            guard openedInWindow else {
                return ExpectationVerdict(name: name, expected: expected, observed: "never opened in the window", passed: false,
                    detail: "there was nothing to close")
            }
            let stateAtEnd = result.breaker.transitions.last(where: { $0.at < window.end })?.to ?? "closed"
            if stateAtEnd == "closed" {
                return ExpectationVerdict(name: name, expected: expected, observed: "0s", passed: true,
                    detail: "already closed when the window ended")
            }
            guard let close = result.breaker.transitions.first(where: { $0.to == "closed" && $0.at >= window.end }) else {
                return ExpectationVerdict(name: name, expected: expected, observed: "never closed", passed: false,
                    detail: "state at the end of the run: \(result.breaker.finalState)")
            }
            let delay = close.at - window.end
            return ExpectationVerdict(
                name: name, expected: expected, observed: fmtD(delay), passed: delay <= limit.seconds + 1e-9,
                detail: "closed at \(fmtT(close.at)) (\(close.cause))")
        case .breakerCallsWhileOpen(let name, let t):
            return countVerdict(name, t, result.breaker.callsWhileOpen,
                detail: "\(result.breaker.rejections) admissions rejected, \(fmtD(result.breaker.secondsOpen)) open")
        case .breakerHalfOpenProbes(let name, let t):
            return countVerdict(name, t, result.breaker.maxCallsPerHalfOpen,
                detail: "most calls in one half-open period; \(result.breaker.halfOpenCalls) over the run")
        case .breakerCycles(let name, let t):
            return countVerdict(name, t, result.breaker.cycles,
                detail: "\(result.breaker.opens) opens, \(result.breaker.closes) closes")
        case .executionsPerKey(let name, let t):
            return countVerdict(name, t, result.duplicates.maxExecutionsPerKey,
                detail: "\(result.duplicates.duplicateExecutions) keys executed more than once within the TTL; \(result.duplicates.submitted) duplicates submitted")
        case .replaysIdentical(let name):
            let d = result.duplicates
            guard d.replayed > 0 else {
                return ExpectationVerdict(name: name, expected: "every replay identical to the original", observed: "no replays",
                    passed: false, detail: "no duplicate arrived after its original finished, so nothing was checked")
            }
            return ExpectationVerdict(
                name: name, expected: "every replay identical to the original",
                observed: "\(d.replayed - d.replayMismatches)/\(d.replayed) identical", passed: d.replayMismatches == 0,
                detail: "\(d.conflicts) duplicates rejected while the original was in flight")
        case .reexecutionAfterTTL(let name):
            let d = result.duplicates
            let ok = d.reexecutedAfterTTL > 0 && d.reexecutedWithinTTL == 0
            return ExpectationVerdict(
                name: name, expected: "duplicates after the TTL run again; none within it",
                observed: "\(d.reexecutedAfterTTL) after the TTL, \(d.reexecutedWithinTTL) within", passed: ok,
                detail: d.reexecutedAfterTTL == 0
                    ? "no duplicate arrived after its key expired; make duplicates.delay reach past the TTL"
                    : "re-executions after the TTL are not counted as duplicate executions")
        case .recoversWithin(let name, let w, let limit, let tolerance):
            return recovery(name: name, window: w, limit: limit, tolerance: tolerance, result: result)
        }
    }

    static func missingWindow(_ name: String, _ w: Int) -> ExpectationVerdict {
        ExpectationVerdict(name: name, expected: "window \(w)", observed: "no such window", passed: false)
    }

    static func countVerdict(_ name: String, _ t: Threshold, _ observed: Int, detail: String) -> ExpectationVerdict {
        ExpectationVerdict(name: name, expected: t.description, observed: String(observed), passed: t.holds(Double(observed)), detail: detail)
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
        if case .run = scope {
            (value, detail) = runValue(metric, result)
        } else {
            guard let (figures, label, window) = scoped(scope, result) else {
                let known = result.faultWindows.contains { w in
                    switch scope { case .before(let x), .during(let x), .after(let x): return w.index == x; case .run: return false }
                }
                return ExpectationVerdict(
                    name: name, expected: threshold.description, observed: known ? "not recorded" : "no such window",
                    passed: false, detail: known ? "the run did not keep this window scope (ResultNeeds)" : "")
            }
            (value, detail) = scopedValue(metric, figures: figures, window: window, scope: scope, result: result)
            detail = detail.isEmpty ? label : label + "; " + detail
        }
        return ExpectationVerdict(
            name: name, expected: threshold.description, observed: threshold.unit.format(value),
            passed: threshold.holds(value), detail: detail)
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
                detail: "the run did not keep recovery steps for window \(w) (ResultNeeds)")
        }
        let baseline = series.before.ratio ?? 1
        let target = baseline - tolerance
        let step = series.stepSeconds
        let filled = series.steps.enumerated().filter { $0.element.tasks > 0 }
        guard !filled.isEmpty || series.later > 0 else {
            return ExpectationVerdict(name: name, expected: expected, observed: "no tasks after the window", passed: false)
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
            return ExpectationVerdict(name: name, expected: expected, observed: "not recovered" + horizon, passed: false, detail: baseText)
        }
        return ExpectationVerdict(
            name: name, expected: expected, observed: fmtD(at), passed: at <= limit.seconds + 1e-9, detail: baseText)
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
