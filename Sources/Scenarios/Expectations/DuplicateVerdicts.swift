/// Verdicts on duplicate suppression (`expect.duplicates`), counted at the LLM. Each rests on its
/// own population: executed tasks, replays, re-executions.
enum DuplicateVerdicts {
    /// The most completions generated for one key within its TTL; rests on the executed tasks.
    static func executionsPerKey(name: String, threshold t: Threshold, result: ScenarioResult) -> ExpectationVerdict {
        let d = result.duplicates
        let tasks = result.totals.tasks
        guard tasks > 0 else {
            return .noEvidence(name: name, expected: t.description, observed: "no tasks", detail: "no task was executed")
        }
        return ExpectationEvaluator.countVerdict(
            name, t, d.maxExecutionsPerKey, observations: tasks,
            detail: "\(d.duplicateExecutions) keys executed more than once within the TTL; \(d.submitted) duplicates submitted")
    }

    /// Every replay returned the original's result; rests on the replays.
    static func replaysIdentical(name: String, result: ScenarioResult) -> ExpectationVerdict {
        let d = result.duplicates
        let expected = "every replay identical to the original"
        guard d.replayed > 0 else {
            return .noEvidence(
                name: name, expected: expected, observed: "no replays",
                detail: "no duplicate arrived after its original finished, so nothing was checked")
        }
        return ExpectationVerdict(
            name: name, expected: expected, observed: "\(d.replayed - d.replayMismatches)/\(d.replayed) identical",
            passed: d.replayMismatches == 0, observations: d.replayed, value: Double(d.replayMismatches),
            detail: "\(d.conflicts) duplicates rejected while the original was in flight")
    }

    /// Duplicates after the TTL ran again and none within it; rests on the re-executions.
    static func reexecutionAfterTTL(name: String, result: ScenarioResult) -> ExpectationVerdict {
        let d = result.duplicates
        let expected = "duplicates after the TTL run again; none within it"
        guard d.idempotencyEnabled else {
            return ExpectationVerdict(
                name: name, expected: expected, observed: "idempotency off", passed: false, observations: 0,
                detail: "the stack has no idempotency ('stack.idempotency: off'): every duplicate runs again, with no TTL to pass")
        }
        let observed = "\(d.reexecutedAfterTTL) after the TTL, \(d.reexecutedWithinTTL) within"
        guard d.reexecutedAfterTTL > 0 else {
            return .noEvidence(
                name: name, expected: expected, observed: observed,
                detail: "no duplicate arrived after its key expired; make duplicates.delay reach past the TTL")
        }
        return ExpectationVerdict(
            name: name, expected: expected, observed: observed, passed: d.reexecutedWithinTTL == 0,
            observations: d.reexecutedAfterTTL + d.reexecutedWithinTTL, value: Double(d.reexecutedWithinTTL),
            detail: "re-executions after the TTL are not counted as duplicate executions")
    }
}
