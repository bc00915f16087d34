import Reliability

extension ResultNeeds {
    /// What `scenario`'s expectations need kept: for each threshold scoped before, during or after
    /// a fault window, that scope (with a latency histogram when a latency percentile is asked);
    /// for each `recovers_within`, the window's recovery steps; and, for the failure arithmetic
    /// (computed for every run), the breaker's longest recovery timeout as the steady-state margin;
    /// and what the mechanism expectations read (`MechanismNeeds`). For a `foreignTarget` (a task
    /// service whose breaker Squall cannot see) with a breaker expectation that can be inferred at
    /// the LLM, the inference (docs/live.md "Breaker inferred at the LLM").
    public init(scenario: Scenario, foreignTarget: Bool = false) {
        self.init(steadyStateBuffer: scenario.stack.breaker?.maxRecoveryTimeout ?? .zero)
        if foreignTarget, scenario.expectations.contains(where: \.breakerInferable) {
            mechanisms.inferredBreaker = scenario.breakerInference ?? InferredBreakerRule()
        }
        for e in scenario.expectations {
            switch e {
            case .threshold(_, let metric, _, let scope):
                var latency = false
                if case .latency = metric { latency = true }
                switch scope {
                case .run: break
                case .before(let w): window(w) { $0.scopes.insert(.before); $0.latency = $0.latency || latency }
                case .during(let w): window(w) { $0.scopes.insert(.during); $0.latency = $0.latency || latency }
                case .after(let w): window(w) { $0.scopes.insert(.after); $0.latency = $0.latency || latency }
                }
            case .recoversWithin(_, let w, let limit, _):
                let step = RecoverySeries.step(for: limit)
                window(w) { $0.recoveryStep = min($0.recoveryStep ?? step, step) }
            case .breakerOpensAfter(_, let t), .breakerOpensWithinCrossing(_, let t, _):
                mechanisms.breakerThreshold = mechanisms.breakerThreshold ?? t
            case .breakerClosesWithinFirstRequest:
                mechanisms.firstRequestAfterWindows = true
            case .retryClustering(_, _, let spec):
                mechanisms.retryClustering = mechanisms.retryClustering ?? spec
            case .retryAfterEarly(_, _, let tolerance):
                mechanisms.retryAfterTolerance = min(mechanisms.retryAfterTolerance ?? tolerance, tolerance)
            case .reexecutionWithin(_, let horizon):
                mechanisms.reexecutionHorizon = max(mechanisms.reexecutionHorizon ?? horizon, horizon)
            default:
                break
            }
        }
    }
}
