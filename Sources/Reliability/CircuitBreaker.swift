/// The breaker's state.
public enum BreakerState: String, Sendable, Hashable, Codable, CaseIterable {
    /// Calls flow; outcomes are counted.
    case closed
    /// Calls are rejected until the recovery timeout passes.
    case open
    /// A bounded number of probe calls decide between closed and open.
    case halfOpen = "half_open"
    /// Rejects everything until released by an operator.
    case forcedOpen = "forced_open"
    /// Admits everything and counts nothing.
    case disabled
}

/// When the breaker trips.
public enum BreakerTrip: Sendable, Hashable {
    /// `threshold` failures inside a sliding time `window` (the production design Squall started from).
    case failureCount(threshold: Int, window: Duration)
    /// A failure rate ≥ `threshold` over a sliding time `window`, once at least `minimumCalls` were
    /// recorded in it (resilience4j's time-based window).
    case failureRate(threshold: Double, minimumCalls: Int, window: Duration)
}

/// Circuit-breaker configuration.
public struct BreakerConfig: Sendable, Hashable {
    /// The trip rule. Default: 5 failures in 60 s.
    public var trip: BreakerTrip
    /// How long OPEN lasts before a probe is allowed. Default 30 s.
    public var recoveryTimeout: Duration
    /// Growth of the recovery timeout on consecutive opens without a close (1 = constant). Default 1.
    public var recoveryMultiplier: Double
    /// Cap of the grown recovery timeout. Default 10 min.
    public var maxRecoveryTimeout: Duration
    /// Probes admitted in HALF_OPEN; all must succeed to close. Default 1.
    public var halfOpenProbes: Int
    /// Failure classes that count against the breaker. Default transient and throttled.
    public var countedFailures: Set<FailureClass>

    /// Creates a configuration; see each field for its default.
    public init(
        trip: BreakerTrip = .failureCount(threshold: 5, window: .seconds(60)), recoveryTimeout: Duration = .seconds(30),
        recoveryMultiplier: Double = 1, maxRecoveryTimeout: Duration = .seconds(600), halfOpenProbes: Int = 1,
        countedFailures: Set<FailureClass> = [.transient, .throttled]
    ) {
        self.trip = trip
        self.recoveryTimeout = recoveryTimeout
        self.recoveryMultiplier = recoveryMultiplier
        self.maxRecoveryTimeout = maxRecoveryTimeout
        self.halfOpenProbes = halfOpenProbes
        self.countedFailures = countedFailures
    }
}

/// Why the breaker changed state.
public enum BreakerCause: Sendable, Hashable {
    /// `failures` failures counted inside the window reached the threshold.
    case failureThreshold(failures: Int)
    /// The failure rate over the window reached the threshold.
    case failureRate(rate: Double, calls: Int)
    /// The recovery timeout elapsed and a call arrived.
    case recoveryTimeoutElapsed
    /// A half-open probe failed.
    case probeFailed
    /// Every half-open probe succeeded.
    case probesSucceeded
    /// An operator forced, disabled or reset the breaker.
    case manual

    /// A short label for reports.
    public var label: String {
        switch self {
        case .failureThreshold(let n): return "\(n) failures in window"
        case .failureRate(let r, let c): return "failure rate \(Percent.format(r, digits: 1)) over \(c) calls"
        case .recoveryTimeoutElapsed: return "recovery timeout elapsed"
        case .probeFailed: return "probe failed"
        case .probesSucceeded: return "probes succeeded"
        case .manual: return "manual"
        }
    }
}

/// One state change, with its instant and cause.
public struct BreakerTransition: Sendable, Hashable {
    /// Scenario time of the change.
    public var at: Duration
    /// State before.
    public var from: BreakerState
    /// State after.
    public var to: BreakerState
    /// Why.
    public var cause: BreakerCause

    /// Creates a transition (drivers relaying one from another timeline, tests).
    public init(at: Duration, from: BreakerState, to: BreakerState, cause: BreakerCause) {
        self.at = at
        self.from = from
        self.to = to
        self.cause = cause
    }
}

/// The breaker's answer to a call that wants to go through.
public enum BreakerAdmission: Sendable, Hashable {
    /// Go ahead; report the result with `record(_:ticket:now:)` using this ticket.
    case admitted(BreakerTicket)
    /// Rejected without calling; come back at `retryAt` (scenario time).
    case rejected(retryAt: Duration)
}

/// Identifies an admitted call, so results of calls admitted in an earlier state are not mistaken
/// for probes (and stragglers from before an open do not count twice).
public struct BreakerTicket: Sendable, Hashable {
    /// The breaker generation the call was admitted in.
    public let generation: Int
    /// Whether the call is a half-open probe.
    public let isProbe: Bool
    /// Distinguishes probes of one half-open period (so a released probe's late result is ignored).
    public var serial: Int = 0
}

/// A circuit breaker as a deterministic state machine: every method takes `now`; transitions are
/// collected and drained with `takeTransitions()`.
public struct CircuitBreaker: Sendable {
    /// The configuration.
    public let config: BreakerConfig
    /// The current state.
    public private(set) var state: BreakerState = .closed
    /// When OPEN ends (valid in OPEN).
    public private(set) var openUntil: Duration = .zero
    /// Consecutive opens without a close (drives the growing recovery timeout).
    public private(set) var consecutiveOpens = 0

    private var generation = 0
    private var outcomes: [(at: Duration, failed: Bool)] = []
    private var outcomesHead = 0
    private var failuresInWindow = 0
    private var probesAdmitted = 0
    private var probesSucceeded = 0
    private var probeSerial = 0
    private var releasedProbes: Set<Int> = []
    private var pending: [BreakerTransition] = []

    /// `config.countedFailures` as a bit per `FailureClass` (a set lookup hashes on every call).
    private let countedMask: UInt8

    /// A closed breaker.
    public init(_ config: BreakerConfig) {
        self.config = config
        countedMask = config.countedFailures.reduce(0) { $0 | Self.bit($1) }
    }

    @inline(__always)
    private static func bit(_ c: FailureClass) -> UInt8 {
        switch c {
        case .success: return 1
        case .transient: return 2
        case .throttled: return 4
        case .permanent: return 8
        }
    }

    /// Asks to make a call at `now`.
    public mutating func admit(now: Duration) -> BreakerAdmission {
        switch state {
        case .disabled, .closed:
            return .admitted(BreakerTicket(generation: generation, isProbe: false))
        case .forcedOpen:
            return .rejected(retryAt: now + config.recoveryTimeout)
        case .open:
            guard now >= openUntil else { return .rejected(retryAt: openUntil) }
            transition(to: .halfOpen, at: now, cause: .recoveryTimeoutElapsed)
            return admitProbe(now: now)
        case .halfOpen:
            return admitProbe(now: now)
        }
    }

    private mutating func admitProbe(now: Duration) -> BreakerAdmission {
        guard probesAdmitted < config.halfOpenProbes else {
            // All probes are out; callers should come back after another recovery period at most.
            return .rejected(retryAt: now + currentRecoveryTimeout)
        }
        probesAdmitted += 1
        probeSerial += 1
        return .admitted(BreakerTicket(generation: generation, isProbe: true, serial: probeSerial))
    }

    /// Reports the class of an admitted call's outcome at `now`.
    public mutating func record(_ result: FailureClass, ticket: BreakerTicket, now: Duration) {
        guard ticket.generation == generation else { return }  // admitted before the last transition
        let failed = countedMask & Self.bit(result) != 0
        switch state {
        case .closed:
            if result == .permanent && !failed { return }  // permanent errors say nothing about health
            outcomes.append((now, failed))
            if failed { failuresInWindow += 1 }
            evaluate(now: now)
        case .halfOpen:
            guard ticket.isProbe, !releasedProbes.contains(ticket.serial) else { return }
            if failed {
                open(at: now, cause: .probeFailed)
            } else {
                probesSucceeded += 1
                if probesSucceeded >= config.halfOpenProbes {
                    consecutiveOpens = 0
                    transition(to: .closed, at: now, cause: .probesSucceeded)
                }
            }
        case .open, .forcedOpen, .disabled:
            return
        }
    }

    /// Gives back an admitted call that will never report a result (its task was cut short), so a
    /// half-open probe slot is not held forever. Results of released tickets are not counted.
    public mutating func release(_ ticket: BreakerTicket) {
        guard ticket.generation == generation, ticket.isProbe, state == .halfOpen,
            releasedProbes.insert(ticket.serial).inserted
        else { return }
        probesAdmitted = max(0, probesAdmitted - 1)
    }

    /// The recovery timeout that applies to the current or next open period.
    public var currentRecoveryTimeout: Duration {
        guard consecutiveOpens > 1, config.recoveryMultiplier != 1 else { return config.recoveryTimeout }
        let grown = config.recoveryTimeout.seconds * pow(config.recoveryMultiplier, Double(consecutiveOpens - 1))
        return .fromSeconds(min(grown, config.maxRecoveryTimeout.seconds))
    }

    /// Forces the breaker open until `reset`.
    public mutating func forceOpen(now: Duration) { transition(to: .forcedOpen, at: now, cause: .manual) }
    /// Disables the breaker (admits everything) until `reset`.
    public mutating func disable(now: Duration) { transition(to: .disabled, at: now, cause: .manual) }
    /// Returns to CLOSED with fresh metrics.
    public mutating func reset(now: Duration) {
        consecutiveOpens = 0
        transition(to: .closed, at: now, cause: .manual)
    }

    /// Whether transitions are waiting for `takeTransitions()`.
    public var hasPendingTransitions: Bool { !pending.isEmpty }

    /// Returns and clears the transitions since the last call.
    public mutating func takeTransitions() -> [BreakerTransition] {
        defer { pending.removeAll(keepingCapacity: true) }
        return pending
    }

    // MARK: Internals

    private mutating func evaluate(now: Duration) {
        let window: Duration
        switch config.trip {
        case .failureCount(_, let w): window = w
        case .failureRate(_, _, let w): window = w
        }
        while outcomesHead < outcomes.count, outcomes[outcomesHead].at <= now - window {
            if outcomes[outcomesHead].failed { failuresInWindow -= 1 }
            outcomesHead += 1
        }
        if outcomesHead > 1024, outcomesHead * 2 > outcomes.count {
            outcomes.removeFirst(outcomesHead)
            outcomesHead = 0
        }
        let calls = outcomes.count - outcomesHead
        switch config.trip {
        case .failureCount(let threshold, _):
            if failuresInWindow >= threshold { open(at: now, cause: .failureThreshold(failures: failuresInWindow)) }
        case .failureRate(let threshold, let minimumCalls, _):
            guard calls >= minimumCalls, calls > 0 else { return }
            let rate = Double(failuresInWindow) / Double(calls)
            if rate >= threshold { open(at: now, cause: .failureRate(rate: rate, calls: calls)) }
        }
    }

    private mutating func open(at now: Duration, cause: BreakerCause) {
        consecutiveOpens += 1
        openUntil = now + currentRecoveryTimeout
        transition(to: .open, at: now, cause: cause)
    }

    private mutating func transition(to next: BreakerState, at now: Duration, cause: BreakerCause) {
        let previous = state
        state = next
        generation += 1
        outcomes.removeAll(keepingCapacity: true)
        outcomesHead = 0
        failuresInWindow = 0
        probesAdmitted = 0
        probesSucceeded = 0
        releasedProbes.removeAll()
        pending.append(BreakerTransition(at: now, from: previous, to: next, cause: cause))
    }
}

import Foundation
