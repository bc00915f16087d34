import Reliability

/// Verdicts on the circuit breaker's behaviour (`expect.breaker`). Each rests on what the breaker
/// could see: calls inside the fault window, its open periods, its half-open periods. An empty
/// population is "no evidence", not a pass; a stack without a breaker fails every one of them.
enum BreakerVerdicts {
    static func fmtD(_ s: Double) -> String { DurationFormat.short(.fromSeconds(s)) }
    static func fmtT(_ s: Double) -> String { "t=" + DurationFormat.short(.fromSeconds(s)) }

    /// The verdict on an expectation about a breaker the stack does not have: it fails (a missing
    /// mechanism is a defect to report, not bad input).
    static func noBreaker(_ name: String, expected: String) -> ExpectationVerdict {
        ExpectationVerdict(
            name: name, expected: expected, observed: "no breaker configured", passed: false, observations: 0,
            detail: "the stack has no circuit breaker ('stack.breaker: off'), so nothing can open, shed load or close")
    }

    /// The breaker opened within `limit` of the start of window `w`; rests on the calls sent inside the window.
    static func opensWithin(name: String, window w: Int, limit: Duration, result: ScenarioResult) -> ExpectationVerdict {
        guard result.breaker.configured else {
            return noBreaker(name, expected: "<= \(DurationFormat.short(limit)) after window \(w) start")
        }
        guard let window = result.faultWindows.first(where: { $0.index == w }) else {
            return ExpectationEvaluator.missingWindow(name, w)
        }
        let expected = "<= \(DurationFormat.short(limit)) after window \(w) start (\(fmtT(window.start)))"
        // What the breaker could see: calls sent inside the window, or, for a target that does not
        // report its calls (a task service), the submissions that arrived in it.
        let (seen, what) = window.llmCalls > 0 ? (window.llmCalls, "calls sent") : (window.arrivals, "submissions arriving")
        guard seen > 0 else {
            return .noEvidence(
                name: name, expected: expected, observed: "no calls in the window",
                detail: "no LLM call was sent inside window \(w), so the breaker could not see the fault")
        }
        guard let open = result.breaker.transitions.first(where: { ($0.to == "open") && $0.at >= window.start }) else {
            return ExpectationVerdict(
                name: name, expected: expected, observed: "never opened", passed: false, observations: seen,
                detail: "no transition to open at or after \(fmtT(window.start)); \(seen) \(what) inside the window")
        }
        let delay = open.at - window.start
        return ExpectationVerdict(
            name: name, expected: expected, observed: fmtD(delay), passed: delay <= limit.seconds + 1e-9,
            observations: seen, value: delay, detail: "opened at \(fmtT(open.at)) (\(open.cause)); \(seen) \(what) inside the window")
    }

    /// The breaker, opened in window `w`, closed within `limit` of the window's end; rests on the
    /// transitions from the window's start on (no evidence when it never opened in the window).
    static func closesWithin(name: String, window w: Int, limit: Duration, result: ScenarioResult) -> ExpectationVerdict {
        guard result.breaker.configured else {
            return noBreaker(name, expected: "<= \(DurationFormat.short(limit)) after window \(w) end")
        }
        guard let window = result.faultWindows.first(where: { $0.index == w }) else {
            return ExpectationEvaluator.missingWindow(name, w)
        }
        let expected = "<= \(DurationFormat.short(limit)) after window \(w) end (\(fmtT(window.end)))"
        let transitions = result.breaker.transitions.filter { $0.at >= window.start }
        let openedInWindow = transitions.contains { $0.to == "open" && $0.at < window.end }
        guard openedInWindow else {
            return .noEvidence(
                name: name, expected: expected, observed: "never opened in the window",
                detail: "the breaker did not open inside window \(w), so there was nothing to close")
        }
        let stateAtEnd = result.breaker.transitions.last(where: { $0.at < window.end })?.to ?? "closed"
        if stateAtEnd == "closed" {
            return ExpectationVerdict(
                name: name, expected: expected, observed: "0s", passed: true, observations: transitions.count, value: 0,
                detail: "already closed when the window ended")
        }
        guard let close = transitions.first(where: { $0.to == "closed" && $0.at >= window.end }) else {
            return ExpectationVerdict(
                name: name, expected: expected, observed: "never closed", passed: false, observations: transitions.count,
                detail: "state at the end of the run: \(result.breaker.finalState)")
        }
        let delay = close.at - window.end
        return ExpectationVerdict(
            name: name, expected: expected, observed: fmtD(delay), passed: delay <= limit.seconds + 1e-9,
            observations: transitions.count, value: delay, detail: "closed at \(fmtT(close.at)) (\(close.cause))")
    }

    /// Calls sent while OPEN; rests on the open periods (no evidence when the breaker never opened).
    static func callsWhileOpen(name: String, threshold t: Threshold, result: ScenarioResult) -> ExpectationVerdict {
        guard result.breaker.configured else { return noBreaker(name, expected: t.description) }
        let b = result.breaker
        guard b.opens > 0 else {
            return .noEvidence(
                name: name, expected: t.description, observed: "never opened",
                detail: "the breaker never opened, so no call could be sent while open")
        }
        return ExpectationEvaluator.countVerdict(
            name, t, b.callsWhileOpen, observations: b.opens,
            detail: "over \(b.opens) open periods: \(b.rejections) admissions rejected, \(fmtD(b.secondsOpen)) open")
    }

    /// The most calls in one HALF_OPEN period; rests on the half-open periods.
    static func halfOpenProbes(name: String, threshold t: Threshold, result: ScenarioResult) -> ExpectationVerdict {
        guard result.breaker.configured else { return noBreaker(name, expected: t.description) }
        let b = result.breaker
        let periods = b.transitions.filter { $0.to == "half_open" }.count
        guard periods > 0 else {
            return .noEvidence(
                name: name, expected: t.description, observed: "never half-open",
                detail: "the breaker never reached half-open, so no probe was admitted")
        }
        return ExpectationEvaluator.countVerdict(
            name, t, b.maxCallsPerHalfOpen, observations: periods,
            detail: "most calls in one of \(periods) half-open periods; \(b.halfOpenCalls) over the run")
    }

    /// CLOSED→OPEN cycles; rests on the calls the breaker judged.
    static func cycles(name: String, threshold t: Threshold, result: ScenarioResult) -> ExpectationVerdict {
        guard result.breaker.configured else { return noBreaker(name, expected: t.description) }
        let b = result.breaker
        let calls = result.usage.llmCalls
        guard calls > 0 else {
            return .noEvidence(
                name: name, expected: t.description, observed: "no calls", detail: "no LLM call was sent, so the breaker saw nothing")
        }
        return ExpectationEvaluator.countVerdict(
            name, t, b.cycles, observations: calls, detail: "\(b.opens) opens, \(b.closes) closes over \(calls) calls")
    }
}
