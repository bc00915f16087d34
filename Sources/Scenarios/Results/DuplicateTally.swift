/// What the idempotency layer did with duplicate submissions (the driver's view): duplicates sent
/// concurrently, re-executed (after the TTL, or within it when idempotency is off), and replays
/// that differed from the original. Submitted, replayed and conflict counts come from the task
/// outcomes (`TaskTotalsTally`), executions per key from the LLM calls (`UsageTally`).
public struct DuplicateTally: Sendable, Codable, Equatable {
    var concurrent = 0
    var reexecutedAfterTTL = 0
    var reexecutedWithinTTL = 0
    var replayMismatches = 0

    /// An empty tally.
    public init() {}

    /// Adds another tally's counts.
    public mutating func merge(_ o: DuplicateTally) {
        concurrent += o.concurrent
        reexecutedAfterTTL += o.reexecutedAfterTTL
        reexecutedWithinTTL += o.reexecutedWithinTTL
        replayMismatches += o.replayMismatches
    }

    func summary(idempotencyEnabled: Bool, totals: TaskTotalsTally, keys: KeyExecutionTable) -> DuplicateStats {
        DuplicateStats(
            idempotencyEnabled: idempotencyEnabled, submitted: totals.duplicates, concurrent: concurrent,
            replayed: totals.replayed, conflicts: totals.conflicts, reexecutedAfterTTL: reexecutedAfterTTL,
            reexecutedWithinTTL: reexecutedWithinTTL, duplicateExecutions: keys.duplicateKeys,
            maxExecutionsPerKey: keys.maxPerKey, replayMismatches: replayMismatches)
    }
}
