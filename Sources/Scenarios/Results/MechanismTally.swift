import Reliability

/// The accumulators of the mechanism expectations, kept only when an expectation asks
/// (`MechanismNeeds`): breaker threshold crossings and the first request after each fault window
/// from the stack events; retry clustering, Retry-After compliance and re-executions within a
/// horizon from the LLM call log. `ResultRecorder` routes the three streams here when `active`.
struct MechanismTally: Sendable, Equatable, Codable {
    var crossing: BreakerCrossingTally?
    var edges: WindowEdgeTally?
    var clustering: RetryClusterTally?
    var retryAfter: RetryAfterTally?
    var reexecution: ReexecutionTally?
    var inferred: InferredBreakerTally?
    let windows: [FaultWindowInfo]
    /// Whether anything is kept (the recorder skips the routing otherwise).
    let active: Bool

    init(needs: MechanismNeeds, windows: [FaultWindowInfo], closesKeys: Bool) {
        crossing = needs.breakerThreshold.map(BreakerCrossingTally.init)
        edges = needs.firstRequestAfterWindows && !windows.isEmpty ? WindowEdgeTally(windows: windows) : nil
        clustering = needs.retryClustering.map(RetryClusterTally.init)
        retryAfter = needs.retryAfterTolerance.map { RetryAfterTally(tolerance: $0) }
        reexecution = needs.reexecutionHorizon.map { ReexecutionTally(horizon: $0, closesKeys: closesKeys) }
        inferred = needs.inferredBreaker.map(InferredBreakerTally.init)
        self.windows = windows
        active = crossing != nil || edges != nil || clustering != nil || retryAfter != nil || reexecution != nil || inferred != nil
    }

    /// A submission arrived at `ns`.
    mutating func arrival(_ ns: Int64) { inferred?.arrival(ns) }

    /// A stack event.
    mutating func record(_ event: TaskEvent) {
        switch event {
        case .attemptStarted(_, let at):
            edges?.request(at: ScenarioClock.nanoseconds(at))
        case .breakerRejected(let at, _):
            edges?.request(at: ScenarioClock.nanoseconds(at))
        case .attemptEnded(_, _, let failureClass, let at, let latency):
            let end = ScenarioClock.nanoseconds(at)
            crossing?.attemptEnded(failureClass: failureClass, start: end - ScenarioClock.nanoseconds(latency), end: end)
        case .breaker(let t):
            crossing?.transition(at: ScenarioClock.nanoseconds(t.at), from: t.from, to: t.to)
        case .retryScheduled, .finished:
            break
        }
    }

    /// A breaker state change observed outside the task flow's events.
    mutating func breakerChange(at: Duration, from: BreakerState, to: BreakerState) {
        crossing?.transition(at: ScenarioClock.nanoseconds(at), from: from, to: to)
    }

    /// One call the provider saw.
    mutating func call(_ c: LLMCallRecord) {
        edges?.call(at: c.atNanos)
        clustering?.call(c)
        retryAfter?.call(c)
        reexecution?.call(c)
        inferred?.call(c)
    }

    /// Submission `id` ended: its per-task state goes.
    mutating func taskEnded(_ id: Int) {
        clustering?.ended(id)
        retryAfter?.ended(id)
    }

    /// Every submission of `keyID` ended.
    mutating func closeKey(_ keyID: Int) {
        clustering?.ended(CallIdentity.key(keyID))
        retryAfter?.ended(CallIdentity.key(keyID))
        reexecution?.close(keyID)
    }

    /// Adds another shard's tallies.
    mutating func merge(_ o: MechanismTally) {
        if let x = o.crossing { crossing?.merge(x) }
        if let x = o.edges { edges?.merge(x) }
        if let x = o.clustering { clustering?.merge(x) }
        if let x = o.retryAfter { retryAfter?.merge(x) }
        if let x = o.reexecution { reexecution?.merge(x) }
        if let x = o.inferred { inferred?.merge(x) }
    }

    /// The figures at the end of the run.
    func finish(endNanos: Int64 = 0) -> MechanismFigures {
        var f = MechanismFigures(
            breakerCrossing: crossing?.finish(), windowEdges: edges?.finish() ?? [], retryClustering: clustering?.finish(),
            retryAfter: retryAfter?.finish(), reexecution: reexecution?.finish())
        f.inferredBreaker = inferred?.finish(endNanos: endNanos, windows: windows)
        return f
    }
}

/// What the mechanism accumulators found (each nil or empty unless an expectation asked for it).
public struct MechanismFigures: Sendable, Hashable, Codable {
    /// Breaker threshold crossings and openings, from the stack events.
    public var breakerCrossing: BreakerCrossingFigures?
    /// The first request after each fault window's end.
    public var windowEdges: [WindowEdge] = []
    /// Retry clustering after correlated failures, from the call log.
    public var retryClustering: RetryClusterFigures?
    /// Retry-After compliance, from the call log.
    public var retryAfter: RetryAfterFigures?
    /// Keys re-executed within a horizon, from the call log.
    public var reexecution: ReexecutionFigures?
    /// The breaker inferred at the LLM (a target whose breaker Squall cannot see).
    public var inferredBreaker: InferredBreakerFigures?

    /// Creates figures; default nothing.
    public init(
        breakerCrossing: BreakerCrossingFigures? = nil, windowEdges: [WindowEdge] = [],
        retryClustering: RetryClusterFigures? = nil, retryAfter: RetryAfterFigures? = nil,
        reexecution: ReexecutionFigures? = nil
    ) {
        self.breakerCrossing = breakerCrossing
        self.windowEdges = windowEdges
        self.retryClustering = retryClustering
        self.retryAfter = retryAfter
        self.reexecution = reexecution
    }
}
