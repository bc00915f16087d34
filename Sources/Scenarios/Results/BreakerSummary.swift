/// The circuit breaker over the run.
public struct BreakerSummary: Sendable, Codable, Hashable {
    /// Whether the stack had a breaker.
    public var configured: Bool
    /// Every transition, in order.
    public var transitions: [BreakerTransitionRecord]
    /// Transitions into OPEN (from CLOSED or HALF_OPEN).
    public var opens: Int
    /// Transitions into CLOSED from HALF_OPEN (recoveries).
    public var closes: Int
    /// Open→close cycles: CLOSED→OPEN transitions.
    public var cycles: Int
    /// Seconds spent OPEN (including FORCED_OPEN).
    public var secondsOpen: Double
    /// LLM calls sent while the breaker was OPEN (must be 0: calls are only sent when admitted).
    public var callsWhileOpen: Int
    /// Calls sent during HALF_OPEN periods, all periods together.
    public var halfOpenCalls: Int
    /// The most calls sent during any one HALF_OPEN period.
    public var maxCallsPerHalfOpen: Int
    /// Admissions the breaker rejected.
    public var rejections: Int
    /// State at the end of the run.
    public var finalState: String

    /// Creates a summary.
    public init(
        configured: Bool, transitions: [BreakerTransitionRecord], opens: Int, closes: Int, cycles: Int,
        secondsOpen: Double, callsWhileOpen: Int, halfOpenCalls: Int, maxCallsPerHalfOpen: Int, rejections: Int,
        finalState: String
    ) {
        self.configured = configured
        self.transitions = transitions
        self.opens = opens
        self.closes = closes
        self.cycles = cycles
        self.secondsOpen = secondsOpen
        self.callsWhileOpen = callsWhileOpen
        self.halfOpenCalls = halfOpenCalls
        self.maxCallsPerHalfOpen = maxCallsPerHalfOpen
        self.rejections = rejections
        self.finalState = finalState
    }
}

/// One breaker state change.
public struct BreakerTransitionRecord: Sendable, Codable, Hashable {
    /// Scenario time, seconds.
    public var at: Double
    /// State before (`closed`, `open`, `half_open`, `forced_open`, `disabled`).
    public var from: String
    /// State after.
    public var to: String
    /// Why, e.g. `5 failures in window`, `probe failed`.
    public var cause: String
    /// Creates a record.
    public init(at: Double, from: String, to: String, cause: String) {
        self.at = at
        self.from = from
        self.to = to
        self.cause = cause
    }
}
