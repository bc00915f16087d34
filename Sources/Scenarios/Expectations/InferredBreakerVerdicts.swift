import Reliability

/// `breaker.*` verdicts for a target whose breaker Squall cannot see (a foreign task service),
/// judged on the breaker inferred at the LLM (`InferredBreakerFigures`, docs/live.md "Breaker
/// inferred at the LLM"): `opens_within` and `closes_within` a fault window, `cycles` and
/// `half_open_probes` (the most calls in one isolated burst during an inferred open). A window
/// whose traffic is too sparse to tell an open breaker from low traffic is "no evidence", never a
/// pass; a service that keeps calling through the outage fails `opens_within` with the calls it sent.
enum InferredBreakerVerdicts {
    /// The verdicts' `measured from`.
    static let source = "inferred at the LLM (mock call log)"

    static func fmtD(_ s: Double) -> String { DurationFormat.short(.fromSeconds(s)) }
    static func fmtT(_ s: Double) -> String { "t=" + DurationFormat.short(.fromSeconds(s)) }

    /// The verdict on `e` from `f`, or nil when `e` is not a breaker expectation judged this way.
    static func verdict(_ e: Expectation, _ f: InferredBreakerFigures, result: ScenarioResult) -> ExpectationVerdict? {
        var v: ExpectationVerdict
        switch e {
        case .breakerOpensWithin(let name, let w, let limit):
            v = opensWithin(name: name, window: w, limit: limit, f, result)
        case .breakerClosesWithin(let name, let w, let limit):
            v = closesWithin(name: name, window: w, limit: limit, f, result)
        case .breakerCycles(let name, let t):
            v = truncated(name, t.description, f) ?? cycles(name: name, threshold: t, f)
        case .breakerHalfOpenProbes(let name, let t):
            v = truncated(name, t.description, f) ?? probes(name: name, threshold: t, f)
        default:
            return nil
        }
        v.measuredFrom = source
        return v
    }

    static func truncated(_ name: String, _ expected: String, _ f: InferredBreakerFigures) -> ExpectationVerdict? {
        guard f.truncated else { return nil }
        return ExpectationVerdict(
            name: name, expected: expected, observed: "not recorded", passed: false, observations: 0,
            detail: "more than \(InferredBreakerTally.maxEvents) arrivals and calls: the inference stopped recording")
    }

    static func counts(_ f: InferredBreakerFigures, _ w: Int) -> InferredWindowCounts {
        f.windows.first { $0.window == w } ?? InferredWindowCounts(window: w, arrivals: 0, calls: 0, failedCalls: 0)
    }

    static func seen(_ c: InferredWindowCounts) -> String {
        "\(c.calls) calls (\(c.failedCalls) failed) for \(c.arrivals) arrivals inside the window"
    }

    /// The inferred breaker opened within `limit` of window `w`'s start.
    static func opensWithin(name: String, window w: Int, limit: Duration, _ f: InferredBreakerFigures, _ r: ScenarioResult) -> ExpectationVerdict {
        guard let window = r.faultWindows.first(where: { $0.index == w }) else { return ExpectationEvaluator.missingWindow(name, w) }
        let expected = "<= \(DurationFormat.short(limit)) after window \(w) start (\(fmtT(window.start)))"
        if let t = truncated(name, expected, f) { return t }
        let c = counts(f, w)
        guard let open = f.transitions.first(where: { $0.to == "open" && $0.at >= window.start }) else {
            guard c.failedCalls > 0 else {
                return .noEvidence(
                    name: name, expected: expected, observed: "no failed call in the window",
                    detail: "no call failed inside window \(w) (\(seen(c))), so no breaker had a reason to open")
            }
            guard c.arrivals >= f.rule.evidenceArrivals else {
                return .noEvidence(
                    name: name, expected: expected, observed: "too few arrivals",
                    detail: "\(seen(c)): fewer than \(f.rule.evidenceArrivals) arrivals cannot tell an open breaker from low traffic")
            }
            return ExpectationVerdict(
                name: name, expected: expected, observed: "never opened", passed: false, observations: c.arrivals,
                detail: "calls kept reaching the LLM: \(seen(c)) (\(String(format: "%.2f", Double(c.calls) / Double(c.arrivals)))x)"
                    + (f.stalls > 0 ? "; \(f.stalls) silences were stalls (failing calls came back at the pace of arrivals)" : ""))
        }
        let delay = open.at - window.start
        return ExpectationVerdict(
            name: name, expected: expected, observed: fmtD(delay), passed: delay <= limit.seconds + 1e-9, observations: c.arrivals,
            value: delay, detail: "inferred open at \(fmtT(open.at)) (\(open.cause)); \(seen(c))")
    }

    /// The inferred breaker, opened in window `w`, closed within `limit` of the window's end.
    static func closesWithin(name: String, window w: Int, limit: Duration, _ f: InferredBreakerFigures, _ r: ScenarioResult) -> ExpectationVerdict {
        guard let window = r.faultWindows.first(where: { $0.index == w }) else { return ExpectationEvaluator.missingWindow(name, w) }
        let expected = "<= \(DurationFormat.short(limit)) after window \(w) end (\(fmtT(window.end)))"
        if let t = truncated(name, expected, f) { return t }
        let later = f.transitions.filter { $0.at >= window.start }
        guard later.contains(where: { $0.to == "open" && $0.at < window.end }) else {
            return .noEvidence(
                name: name, expected: expected, observed: "never opened in the window",
                detail: "no opening was inferred inside window \(w) (\(seen(counts(f, w)))), so there was nothing to close")
        }
        if (f.transitions.last { $0.at < window.end }?.to ?? "closed") == "closed" {
            return ExpectationVerdict(
                name: name, expected: expected, observed: "0s", passed: true, observations: later.count, value: 0,
                detail: "inferred closed already when the window ended")
        }
        guard let close = later.first(where: { $0.to == "closed" && $0.at >= window.end }) else {
            if f.undecidedAtEnd {
                return .noEvidence(
                    name: name, expected: expected, observed: "undecided",
                    detail: "calls came back after the window but too few tasks arrived after them to tell probes from closed traffic")
            }
            return ExpectationVerdict(
                name: name, expected: expected, observed: "never closed", passed: false, observations: later.count,
                detail: "calls never tracked arrivals again after \(fmtT(window.end)); \(f.probes) probes")
        }
        let delay = close.at - window.end
        return ExpectationVerdict(
            name: name, expected: expected, observed: fmtD(delay), passed: delay <= limit.seconds + 1e-9,
            observations: later.count, value: delay, detail: "inferred closed at \(fmtT(close.at)) (\(close.cause))")
    }

    /// Inferred CLOSED→OPEN cycles; rests on the calls read.
    static func cycles(name: String, threshold t: Threshold, _ f: InferredBreakerFigures) -> ExpectationVerdict {
        guard f.calls > 0 else {
            return .noEvidence(name: name, expected: t.description, observed: "no calls", detail: "no LLM call reached the mock")
        }
        return ExpectationEvaluator.countVerdict(
            name, t, f.opens, observations: f.calls,
            detail: "\(f.opens) inferred opens, \(f.closes) closes over \(f.calls) calls and \(f.arrivals) arrivals")
    }

    /// The most calls in one isolated burst during an inferred open; rests on the inferred opens.
    static func probes(name: String, threshold t: Threshold, _ f: InferredBreakerFigures) -> ExpectationVerdict {
        guard f.opens > 0 else {
            return .noEvidence(
                name: name, expected: t.description, observed: "never opened", detail: "no opening was inferred, so no call was a probe")
        }
        return ExpectationEvaluator.countVerdict(
            name, t, f.maxProbeBurst, observations: f.opens,
            detail: "most calls in one probe burst; \(f.probes) probes over \(f.opens) inferred open periods (\(fmtD(f.secondsOpen)) open)")
    }
}

extension Expectation {
    /// Whether this is a `breaker.*` expectation that can be judged on the breaker inferred at
    /// the LLM (`opens_within`, `closes_within` a window, `cycles`, `half_open_probes`).
    public var breakerInferable: Bool {
        switch self {
        case .breakerOpensWithin, .breakerClosesWithin, .breakerCycles, .breakerHalfOpenProbes: return true
        default: return false
        }
    }
}
