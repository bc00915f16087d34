/// Live runs whose LLM-side figures cannot be trusted to be complete are never allowed to pass blind:
///
/// - the mock saw no call of the run although tasks succeeded (the target calls some other LLM, or
///   is not pointed at Squall's mock): every LLM-side figure is empty, and an expectation on it
///   (`llm_calls_per_task <= 3` holds at 0) gets "no evidence";
/// - calls arrived but none carried the run's tag (`--no-tag` / `load: { tag: false }`, or a target
///   that drops the prompt's marker): calls, tokens and cost still count, but per-key figures
///   (executions per key, duplicate executions) are unavailable and their expectations get "no evidence".
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

    /// Whether expectation `e` needs calls attributed to idempotency keys.
    public static func restsOnKeys(_ e: Expectation) -> Bool {
        switch e {
        case .threshold(_, .duplicateExecutions, _, _), .executionsPerKey: return true
        default: return false
        }
    }

    /// Replaces the verdicts that `result.llmLog` cannot support with "no evidence" (a no-op in the
    /// simulator, and when the log has every call attributed).
    public static func withhold(_ scenario: Scenario, from result: inout ScenarioResult) {
        guard let log = result.llmLog else { return }
        let succeeded = result.totals.succeeded
        let why: String
        let applies: (Expectation) -> Bool
        if log.counted == 0, succeeded > 0 {
            why =
                "the mock (\(log.source)) saw no call of this run while \(succeeded) tasks succeeded: the target does not call Squall's mock"
            applies = restsOnCalls
        } else if log.counted > 0, log.attributed == 0 {
            why =
                log.tagged
                ? "none of the \(log.counted) calls at the mock carried this run's tag: the target drops it, so per-key figures are unavailable"
                : "prompts were not tagged (--no-tag / load.tag: false), so calls cannot be attributed to keys: per-key figures are unavailable"
            applies = restsOnKeys
        } else {
            return
        }
        for (i, e) in scenario.expectations.enumerated() where i < result.expectations.count && applies(e) {
            let v = result.expectations[i]
            result.expectations[i] = .noEvidence(
                name: v.name, expected: v.expected, observed: log.counted == 0 ? "no LLM call at the mock" : "calls not attributed to keys",
                detail: why)
        }
    }
}
