import Reliability

/// Counts, from the stack events, the failures a circuit breaker could see and when they crossed a
/// threshold — independently of the breaker — so that `breaker.opens_after: N failures` and
/// `opens_within: Xs of the threshold crossing` judge the breaker by what it saw, not by when
/// traffic happened to arrive.
///
/// A *period* is one CLOSED spell of the breaker (from time 0 or a transition to CLOSED until the
/// next transition). Only attempts that *started* in the period count (the breaker ignores results
/// of calls admitted before its last transition), and only failures of the `counted` classes ending
/// within `window` of each other. The crossing is the end of the failure that made the count reach
/// N. The breaker's own events come first for the failure that opened it (the transition, then the
/// attempt's end at the same instant), so a period is judged once the next transition (or the end
/// of the run) shows that no more of its failures can arrive. State: the last N + 1 failure
/// instants of the current period, so memory is bounded by the threshold.
struct BreakerCrossingTally: Sendable, Equatable, Codable {
    let threshold: Int
    let windowNs: Int64
    let countedMask: UInt8

    var inPeriod = true
    var periodStart: Int64 = 0
    var periodEnd: Int64?
    var recent: [Int64] = []
    var crossing: Int64?
    var exceeded: Int64?
    var peak = 0
    var sawEvents = false
    var figures = BreakerCrossingFigures()

    init(_ t: BreakerThreshold) {
        threshold = max(1, t.failures)
        windowNs = ScenarioClock.nanoseconds(t.window)
        countedMask = t.counted.reduce(0) { $0 | Self.bit($1) }
    }

    static func bit(_ c: FailureClass) -> UInt8 {
        switch c {
        case .success: return 1
        case .transient: return 2
        case .throttled: return 4
        case .permanent: return 8
        }
    }

    /// An attempt ended at `end` after starting at `start`, classified `failureClass`.
    mutating func attemptEnded(failureClass: FailureClass, start: Int64, end: Int64) {
        sawEvents = true
        guard countedMask & Self.bit(failureClass) != 0, inPeriod, start >= periodStart else { return }
        if let pe = periodEnd, end > pe { return }
        recent.append(end)
        if recent.count > threshold + 1 { recent.removeFirst() }
        let count = recent.reduce(0) { $0 + ($1 > end - windowNs ? 1 : 0) }
        peak = max(peak, count)
        if count >= threshold, crossing == nil { crossing = end }
        if count > threshold, exceeded == nil, periodEnd.map({ end < $0 }) ?? true { exceeded = end }
    }

    /// The breaker changed state at `at`.
    mutating func transition(at: Int64, from: BreakerState, to: BreakerState) {
        sawEvents = true
        if inPeriod, periodEnd == nil, from == .closed, to == .open {
            periodEnd = at  // judged at the next transition: the failure that opened it comes next
            return
        }
        if inPeriod { finalizePeriod() }
        if to == .closed {
            inPeriod = true
            periodStart = at
            periodEnd = nil
            recent.removeAll(keepingCapacity: true)
            crossing = nil
            exceeded = nil
            peak = 0
        }
    }

    /// Judges the current period (at the next transition, or the end of the run).
    mutating func finalizePeriod() {
        guard inPeriod else { return }
        inPeriod = false
        if crossing != nil { figures.crossings += 1 }
        figures.peakFailures = max(figures.peakFailures, peak)
        if let e = exceeded {
            figures.exceededPeriods += 1
            figures.firstExceededNanos = min(figures.firstExceededNanos ?? e, e)
        }
        if let t = periodEnd {
            figures.opens += 1
            let n = recent.reduce(0) { $0 + ($1 > t - windowNs && $1 <= t ? 1 : 0) }
            if n == threshold { figures.opensAtThreshold += 1 }
            figures.minFailuresAtOpen = min(figures.minFailuresAtOpen ?? n, n)
            figures.maxFailuresAtOpen = max(figures.maxFailuresAtOpen ?? n, n)
            if let c = crossing {
                figures.openedAfterCrossing += 1
                figures.maxDelayNanos = max(figures.maxDelayNanos, t - c)
            }
        } else if let c = crossing {
            figures.unopenedCrossings += 1
            figures.firstUnopenedNanos = min(figures.firstUnopenedNanos ?? c, c)
        }
    }

    /// The figures at the end of the run (the period still running is judged).
    func finish() -> BreakerCrossingFigures {
        var copy = self
        copy.finalizePeriod()
        var f = copy.figures
        f.threshold = threshold
        f.windowSeconds = ScenarioClock.seconds(windowNs)
        return f
    }

    /// Combines with another shard's tally: exact when at most one of the two saw stack events
    /// (one shard records the shared stack's events, as with `BreakerTally`).
    mutating func merge(_ o: BreakerCrossingTally) {
        if !o.sawEvents { return }
        if !sawEvents { self = o }
    }
}

/// What `BreakerCrossingTally` found over a run.
public struct BreakerCrossingFigures: Sendable, Hashable, Codable {
    /// The threshold counted against (N failures).
    public var threshold = 0
    /// Its window, seconds.
    public var windowSeconds = 0.0
    /// CLOSED periods in which the count reached N.
    public var crossings = 0
    /// CLOSED→OPEN transitions.
    public var opens = 0
    /// Of which with exactly N counted failures in the window at the instant of opening.
    public var opensAtThreshold = 0
    /// The fewest and most counted failures in the window at an opening.
    public var minFailuresAtOpen: Int?
    /// See `minFailuresAtOpen`.
    public var maxFailuresAtOpen: Int?
    /// Openings that followed a crossing in their period.
    public var openedAfterCrossing = 0
    /// The longest time from a crossing to the opening, nanoseconds.
    public var maxDelayNanos: Int64 = 0
    /// Periods whose count reached N but that ended without opening (still closed at the end).
    public var unopenedCrossings = 0
    /// The earliest such crossing, nanoseconds.
    public var firstUnopenedNanos: Int64?
    /// Periods in which the count went past N while the breaker stayed closed.
    public var exceededPeriods = 0
    /// The earliest failure past N, nanoseconds.
    public var firstExceededNanos: Int64?
    /// The most counted failures within the window in one period (at most N + 1: "more than N").
    public var peakFailures = 0
}
