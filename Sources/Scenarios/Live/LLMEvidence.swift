/// Live runs whose mock saw none of the run's calls while tasks succeeded (the target calls some
/// other LLM, or is not pointed at Squall's mock): every LLM-side figure is then empty, and an
/// expectation on it (`llm_calls_per_task <= 3` holds at 0) would pass blind. Such expectations get
/// "no evidence" instead, naming why.
public enum LLMEvidence {
    /// Whether expectation `e` rests on the LLM call stream.
    public static func restsOnCalls(_ e: Expectation) -> Bool {
        switch e {
        case .threshold(_, let metric, _, _):
            switch metric {
            case .llmCallsPerTask, .llmCalls, .llmCallsPerDay, .tokensPerDay, .costPerDay, .offeredLoad, .routeCostShare,
                .duplicateExecutions:
                return true
            default: return false
            }
        case .executionsPerKey: return true
        default: return false
        }
    }

    /// Replaces the verdicts of LLM-side expectations with "no evidence" when `result.llmLog` says
    /// the mock saw no call of this run although tasks succeeded (a no-op otherwise and in the simulator).
    public static func withhold(_ scenario: Scenario, from result: inout ScenarioResult) {
        guard let log = result.llmLog, log.counted == 0, result.totals.succeeded > 0 else { return }
        for (i, e) in scenario.expectations.enumerated() where i < result.expectations.count && restsOnCalls(e) {
            let v = result.expectations[i]
            result.expectations[i] = .noEvidence(
                name: v.name, expected: v.expected, observed: "no LLM call at the mock",
                detail: "the mock (\(log.source)) saw no call of this run while \(result.totals.succeeded) tasks succeeded: the target does not call Squall's mock")
        }
    }
}
