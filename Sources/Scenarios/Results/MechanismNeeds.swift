import Reliability

/// What the mechanism expectations need kept beyond the run-wide figures (contract 5), configured
/// from the scenario's expectations: the breaker's failure threshold to count crossings against,
/// the first request after each fault window, retry clustering after correlated failures,
/// Retry-After compliance and re-executions within a horizon. Each part is kept only when an
/// expectation asks for it; `MechanismTally` keeps them.
public struct MechanismNeeds: Sendable, Hashable {
    /// Count failures against this threshold (`breaker.opens_after`, `opens_within … of the
    /// threshold crossing`); nil keeps nothing.
    public var breakerThreshold: BreakerThreshold?
    /// Keep the first request (stack events) and the first LLM call after each fault window's end
    /// (`closes_within … of the first call after the window`). Default false.
    public var firstRequestAfterWindows: Bool
    /// Measure retry clustering after correlated failures (`retry_clustering`); nil keeps nothing.
    public var retryClustering: RetryClusterSpec?
    /// Measure Retry-After compliance with this tolerance (`retry_after`); nil keeps nothing.
    public var retryAfterTolerance: Duration?
    /// Count keys re-executed within this horizon of their first execution
    /// (`duplicates.reexecution_within`); nil keeps nothing.
    public var reexecutionHorizon: Duration?
    /// Infer the breaker from the LLM call log and the arrivals with this rule (`breaker.*` for a
    /// target whose breaker Squall cannot see; `InferredBreakerMachine`); nil keeps nothing.
    public var inferredBreaker: InferredBreakerRule?

    /// Needs; default nothing.
    public init(
        breakerThreshold: BreakerThreshold? = nil, firstRequestAfterWindows: Bool = false,
        retryClustering: RetryClusterSpec? = nil, retryAfterTolerance: Duration? = nil, reexecutionHorizon: Duration? = nil
    ) {
        self.breakerThreshold = breakerThreshold
        self.firstRequestAfterWindows = firstRequestAfterWindows
        self.retryClustering = retryClustering
        self.retryAfterTolerance = retryAfterTolerance
        self.reexecutionHorizon = reexecutionHorizon
    }

    /// Whether nothing is kept.
    public var isEmpty: Bool {
        breakerThreshold == nil && !firstRequestAfterWindows && retryClustering == nil && retryAfterTolerance == nil
            && reexecutionHorizon == nil && inferredBreaker == nil
    }
}

/// A breaker's trip threshold as an expectation measures it: `failures` failures of the `counted`
/// classes ending within `window` of each other, among the calls admitted in one CLOSED period.
public struct BreakerThreshold: Sendable, Hashable {
    /// Failures that must open the breaker (the N of `opens_after: N failures`).
    public var failures: Int
    /// The sliding window they are counted in. Default 60 s.
    public var window: Duration
    /// Failure classes that count. Default transient and throttled (the breaker's default).
    public var counted: Set<FailureClass>

    /// Creates a threshold; see each field for its default.
    public init(failures: Int, window: Duration = .seconds(60), counted: Set<FailureClass> = [.transient, .throttled]) {
        self.failures = failures
        self.window = window
        self.counted = counted
    }
}

/// How retry clustering is measured: a *correlated failure* is a group of failed calls whose
/// answers reached their clients within the same `window`-long bin of time; its retries are the
/// next calls of those tasks. A burst counts once it has at least `minRetries` retries.
public struct RetryClusterSpec: Sendable, Hashable {
    /// Bin length of a correlated failure and of the busiest-window count. Default 100 ms.
    public var window: Duration
    /// Fewest retries for a group to count as a burst. Default 5.
    public var minRetries: Int

    /// Creates a spec; see each field for its default.
    public init(window: Duration = .milliseconds(100), minRetries: Int = 5) {
        self.window = window
        self.minRetries = minRetries
    }
}
