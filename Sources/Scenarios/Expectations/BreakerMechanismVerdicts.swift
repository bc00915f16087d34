import Reliability

/// Verdicts on the breaker judged against what it saw rather than against the clock of the fault
/// window: `opens_after: N failures`, `opens_within: Xs of the threshold crossing` (both from the
/// failures counted in `BreakerCrossingTally`) and `closes_within: Xs of the first call after the
/// outage` (from the first call the provider saw after the window, `WindowEdgeTally`). When traffic happens to
/// arrive no longer moves the verdict: a breaker that trips on its Nth failure passes on every seed.
enum BreakerMechanismVerdicts {
    static func fmtD(_ s: Double) -> String { DurationFormat.short(.fromSeconds(s)) }
    static func fmtT(_ s: Double) -> String { "t=" + DurationFormat.short(.fromSeconds(s)) }
    static func seconds(_ ns: Int64) -> Double { Double(ns) / 1e9 }

    static func notRecorded(_ name: String, _ expected: String) -> ExpectationVerdict {
        ExpectationVerdict(
            name: name, expected: expected, observed: "not recorded", passed: false, observations: 0,
            detail: "the run did not keep the breaker's failure counts (ResultNeeds.mechanisms)")
    }

    static func thresholdText(_ t: BreakerThreshold) -> String {
        "\(t.failures) counted failures within \(DurationFormat.short(t.window))"
    }

    /// The breaker opened exactly when its counted failures reached N: never with fewer, and no
    /// CLOSED period reached N (or went past it) without opening. Rests on the openings and the
    /// periods that reached N.
    static func opensAfter(name: String, threshold t: BreakerThreshold, result: ScenarioResult) -> ExpectationVerdict {
        let expected = "opens at \(thresholdText(t))"
        guard result.breaker.configured else { return BreakerVerdicts.noBreaker(name, expected: expected) }
        guard let f = result.aggregates.mechanisms.breakerCrossing else { return notRecorded(name, expected) }
        let judged = f.opens + f.unopenedCrossings
        guard judged > 0 else {
            return .noEvidence(
                name: name, expected: expected, observed: "never reached \(t.failures) failures",
                detail: "at most \(f.peakFailures) counted failures within \(DurationFormat.short(t.window)), so the breaker had no reason to open")
        }
        var problems: [String] = []
        if let m = f.minFailuresAtOpen, m < t.failures {
            problems.append("opened with only \(m) counted failures")
        }
        if f.unopenedCrossings > 0, let at = f.firstUnopenedNanos {
            problems.append("reached \(t.failures) failures at \(fmtT(seconds(at))) and stayed closed (\(f.unopenedCrossings) such periods)")
        }
        if f.exceededPeriods > 0, let at = f.firstExceededNanos {
            problems.append("more than \(t.failures) failures while closed, first at \(fmtT(seconds(at))) (\(f.exceededPeriods) periods)")
        }
        let observed = problems.isEmpty ? "opened at \(t.failures) failures" : problems[0]
        let detail = "\(f.opens) openings (\(f.opensAtThreshold) with exactly \(t.failures) failures in the window, "
            + "\(f.minFailuresAtOpen.map(String.init) ?? "-")..\(f.maxFailuresAtOpen.map(String.init) ?? "-")), "
            + "\(f.crossings) closed periods reached \(t.failures)"
            + (problems.count > 1 ? "; also: " + problems.dropFirst().joined(separator: "; ") : "")
        return ExpectationVerdict(
            name: name, expected: expected, observed: observed, passed: problems.isEmpty, observations: judged,
            value: Double(f.maxFailuresAtOpen ?? f.peakFailures), detail: detail)
    }

    /// Every crossing of the threshold was followed by an opening within `limit`; rests on the
    /// CLOSED periods that reached N.
    static func opensWithinCrossing(name: String, threshold t: BreakerThreshold, limit: Duration, result: ScenarioResult) -> ExpectationVerdict {
        let expected = "<= \(DurationFormat.short(limit)) after the threshold crossing (\(thresholdText(t)))"
        guard result.breaker.configured else { return BreakerVerdicts.noBreaker(name, expected: expected) }
        guard let f = result.aggregates.mechanisms.breakerCrossing else { return notRecorded(name, expected) }
        let crossings = f.openedAfterCrossing + f.unopenedCrossings
        guard crossings > 0 else {
            return .noEvidence(
                name: name, expected: expected, observed: "no threshold crossing",
                detail: "at most \(f.peakFailures) counted failures within \(DurationFormat.short(t.window)): the threshold was never crossed")
        }
        if f.unopenedCrossings > 0, let at = f.firstUnopenedNanos {
            return ExpectationVerdict(
                name: name, expected: expected, observed: "never opened", passed: false, observations: crossings,
                detail: "crossed at \(fmtT(seconds(at))) and stayed closed; \(f.unopenedCrossings) of \(crossings) crossings without an opening")
        }
        let delay = seconds(f.maxDelayNanos)
        return ExpectationVerdict(
            name: name, expected: expected, observed: fmtD(delay), passed: delay <= limit.seconds + 1e-9,
            observations: crossings, value: delay,
            detail: "the slowest of \(crossings) openings after the crossing; \(f.opens) openings in all")
    }

    /// The breaker, open at the end of window `w`, closed within `limit` of the first call the
    /// provider saw after the window — the first call that could succeed (a breaker open at the
    /// window's end sends it as its probe once its recovery timeout allows; without a call log,
    /// the first request the stack made). Rests on the transitions from the window's start on.
    static func closesWithinFirstRequest(name: String, window w: Int, limit: Duration, result: ScenarioResult) -> ExpectationVerdict {
        let expected = "<= \(DurationFormat.short(limit)) after the first call after window \(w)"
        guard result.breaker.configured else { return BreakerVerdicts.noBreaker(name, expected: expected) }
        guard let window = result.faultWindows.first(where: { $0.index == w }) else {
            return ExpectationEvaluator.missingWindow(name, w)
        }
        guard let edge = result.aggregates.mechanisms.windowEdges.first(where: { $0.window == w }) else {
            return ExpectationVerdict(
                name: name, expected: expected, observed: "not recorded", passed: false, observations: 0,
                detail: "the run did not keep the first request after the window (ResultNeeds.mechanisms)")
        }
        let transitions = result.breaker.transitions.filter { $0.at >= window.start }
        guard transitions.contains(where: { $0.to == "open" && $0.at < window.end }) else {
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
        guard let reference = edge.firstCallSeconds ?? edge.firstRequestSeconds else {
            return .noEvidence(
                name: name, expected: expected, observed: "no call after the window",
                detail: "no request followed window \(w)'s end (\(fmtT(window.end))), so the breaker had nothing to close on")
        }
        guard let close = transitions.first(where: { $0.to == "closed" && $0.at >= window.end }) else {
            return ExpectationVerdict(
                name: name, expected: expected, observed: "never closed", passed: false, observations: transitions.count,
                detail: "first request after the window at \(fmtT(reference)); state at the end of the run: \(result.breaker.finalState)")
        }
        let delay = max(0, close.at - reference)
        return ExpectationVerdict(
            name: name, expected: expected, observed: fmtD(delay), passed: delay <= limit.seconds + 1e-9,
            observations: transitions.count, value: delay,
            detail: "window ended \(fmtT(window.end)), first call after it \(fmtT(reference)), closed \(fmtT(close.at)) (\(close.cause))")
    }
}
