/// Duplicate submissions and what the idempotency layer made of them, with executions counted at
/// the LLM (completions fully generated per idempotency key).
public struct DuplicateStats: Sendable, Codable, Hashable {
    /// Whether the stack had idempotency on.
    public var idempotencyEnabled: Bool
    /// Duplicate submissions (same key and payload as an earlier one).
    public var submitted: Int
    /// Duplicates sent while the original was in flight (by schedule).
    public var concurrent: Int
    /// Duplicates answered from the stored result.
    public var replayed: Int
    /// Duplicates rejected because the original was still in flight (409).
    public var conflicts: Int
    /// Duplicates executed again because the original's record had expired (allowed).
    public var reexecutedAfterTTL: Int
    /// Duplicates executed again although the key was still live (idempotency off or broken).
    public var reexecutedWithinTTL: Int
    /// Idempotency keys whose completions were generated more than once while the key was live
    /// (the `duplicate_executions` figure; 0 when suppression works).
    public var duplicateExecutions: Int
    /// The most completions generated for one key within its TTL.
    public var maxExecutionsPerKey: Int
    /// Replays whose result differed from the original's.
    public var replayMismatches: Int
    /// Whether every replay returned the original result.
    public var replaysIdentical: Bool { replayMismatches == 0 }

    /// Creates stats.
    public init(
        idempotencyEnabled: Bool, submitted: Int, concurrent: Int, replayed: Int, conflicts: Int,
        reexecutedAfterTTL: Int, reexecutedWithinTTL: Int, duplicateExecutions: Int, maxExecutionsPerKey: Int,
        replayMismatches: Int
    ) {
        self.idempotencyEnabled = idempotencyEnabled
        self.submitted = submitted
        self.concurrent = concurrent
        self.replayed = replayed
        self.conflicts = conflicts
        self.reexecutedAfterTTL = reexecutedAfterTTL
        self.reexecutedWithinTTL = reexecutedWithinTTL
        self.duplicateExecutions = duplicateExecutions
        self.maxExecutionsPerKey = maxExecutionsPerKey
        self.replayMismatches = replayMismatches
    }

    enum CodingKeys: String, CodingKey {
        case idempotencyEnabled, submitted, concurrent, replayed, conflicts, reexecutedAfterTTL = "reexecutedAfterTtl"
        case reexecutedWithinTTL = "reexecutedWithinTtl", duplicateExecutions, maxExecutionsPerKey, replayMismatches
        case replaysIdentical
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        idempotencyEnabled = try c.decode(Bool.self, forKey: .idempotencyEnabled)
        submitted = try c.decode(Int.self, forKey: .submitted)
        concurrent = try c.decode(Int.self, forKey: .concurrent)
        replayed = try c.decode(Int.self, forKey: .replayed)
        conflicts = try c.decode(Int.self, forKey: .conflicts)
        reexecutedAfterTTL = try c.decode(Int.self, forKey: .reexecutedAfterTTL)
        reexecutedWithinTTL = try c.decode(Int.self, forKey: .reexecutedWithinTTL)
        duplicateExecutions = try c.decode(Int.self, forKey: .duplicateExecutions)
        maxExecutionsPerKey = try c.decode(Int.self, forKey: .maxExecutionsPerKey)
        replayMismatches = try c.decode(Int.self, forKey: .replayMismatches)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(idempotencyEnabled, forKey: .idempotencyEnabled)
        try c.encode(submitted, forKey: .submitted)
        try c.encode(concurrent, forKey: .concurrent)
        try c.encode(replayed, forKey: .replayed)
        try c.encode(conflicts, forKey: .conflicts)
        try c.encode(reexecutedAfterTTL, forKey: .reexecutedAfterTTL)
        try c.encode(reexecutedWithinTTL, forKey: .reexecutedWithinTTL)
        try c.encode(duplicateExecutions, forKey: .duplicateExecutions)
        try c.encode(maxExecutionsPerKey, forKey: .maxExecutionsPerKey)
        try c.encode(replayMismatches, forKey: .replayMismatches)
        try c.encode(replaysIdentical, forKey: .replaysIdentical)
    }
}
