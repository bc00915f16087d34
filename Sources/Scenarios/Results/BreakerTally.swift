import Reliability

/// The circuit breaker over the run, from the stack events: every transition (a few per recovery
/// timeout, so bounded by the run's length, not its task count), time open in integer nanoseconds,
/// calls sent while open or half-open, rejections.
public struct BreakerTally: Sendable, Codable, Equatable {
    var state: BreakerState = .closed
    var sinceNanos: Int64 = 0
    var transitions: [BreakerTransitionRecord] = []
    var opens = 0
    var closes = 0
    var cycles = 0
    var openNanos: Int64 = 0
    var callsWhileOpen = 0
    var halfOpenCalls = 0
    var currentHalfOpenCalls = 0
    var maxCallsPerHalfOpen = 0
    var rejections = 0

    /// An empty tally (breaker closed at time 0).
    public init() {}

    /// Counts one stack event.
    @inline(__always)
    public mutating func record(_ event: TaskEvent) {
        switch event {
        case .attemptStarted:
            switch state {
            case .open, .forcedOpen: callsWhileOpen += 1
            case .halfOpen:
                halfOpenCalls += 1
                currentHalfOpenCalls += 1
                maxCallsPerHalfOpen = max(maxCallsPerHalfOpen, currentHalfOpenCalls)
            default: break
            }
        case .breakerRejected:
            rejections += 1
        case .breaker(let t):
            recordChange(at: t.at, from: t.from, to: t.to, cause: t.cause)
        default:
            break
        }
    }

    /// A state change (from the task flow's events, or observed on a task service).
    public mutating func recordChange(at: Duration, from: BreakerState, to: BreakerState, cause: BreakerCause) {
        let now = ScenarioClock.nanoseconds(at)
        closeSpan(until: now)
        transitions.append(BreakerTransitionRecord(at: at.seconds, from: from.rawValue, to: to.rawValue, cause: cause.label))
        switch to {
        case .open, .forcedOpen:
            opens += 1
            if from == .closed { cycles += 1 }
        case .closed:
            if from == .halfOpen { closes += 1 }
        case .halfOpen:
            currentHalfOpenCalls = 0
        case .disabled: break
        }
        state = to
        sinceNanos = now
    }

    /// Adds OPEN time from the last transition to `until`.
    mutating func closeSpan(until: Int64) {
        if (state == .open || state == .forcedOpen), until > sinceNanos { openNanos += until - sinceNanos }
        sinceNanos = max(sinceNanos, until)
    }

    /// Combines with another shard's tally. Exact when at most one of the two saw stack events
    /// (the usual split: one shard records the shared breaker); otherwise counts add and the
    /// transitions interleave by time, the later final state winning.
    public mutating func merge(_ o: BreakerTally) {
        if o.transitions.isEmpty && o.callsWhileOpen == 0 && o.halfOpenCalls == 0 && o.rejections == 0 { return }
        if transitions.isEmpty && callsWhileOpen == 0 && halfOpenCalls == 0 && rejections == 0 {
            self = o
            return
        }
        let later = o.sinceNanos > sinceNanos ? o : self
        transitions = (transitions + o.transitions).sorted { $0.at < $1.at }
        opens += o.opens
        closes += o.closes
        cycles += o.cycles
        openNanos += o.openNanos
        callsWhileOpen += o.callsWhileOpen
        halfOpenCalls += o.halfOpenCalls
        maxCallsPerHalfOpen = max(maxCallsPerHalfOpen, o.maxCallsPerHalfOpen)
        rejections += o.rejections
        state = later.state
        sinceNanos = later.sinceNanos
        currentHalfOpenCalls = later.currentHalfOpenCalls
    }

    /// The summary at the end of the run (`end` closes the last open span).
    func summary(configured: Bool, endNanos: Int64) -> BreakerSummary {
        var copy = self
        copy.closeSpan(until: endNanos)
        return BreakerSummary(
            configured: configured, transitions: transitions, opens: opens, closes: closes, cycles: cycles,
            secondsOpen: ScenarioClock.seconds(copy.openNanos), callsWhileOpen: callsWhileOpen,
            halfOpenCalls: halfOpenCalls, maxCallsPerHalfOpen: maxCallsPerHalfOpen, rejections: rejections,
            finalState: configured ? state.rawValue : "none")
    }
}
