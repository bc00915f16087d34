/// Where a live run's LLM-side figures came from: the mock's per-request call log, drained by
/// `CallLogFeeder` (issue #9 item 2). Calls, offered load, tokens, cost and executions per key of a
/// live run are computed from these records only; this says how many were read and which of them
/// could be attributed to the run's submissions.
public struct LLMCallLogSummary: Sendable, Codable, Hashable {
    /// The call log read: `in-process mock at URL` or the external mock's URL.
    public var source: String
    /// The run id the mock was started with (the `SquallTag` run of every submission).
    public var run: String
    /// Whether submissions carried the attribution tag (`--no-tag` / `load: { tag: false }` turn it off).
    public var tagged: Bool
    /// Records read from the log.
    public var read: Int = 0
    /// Records counted as this run's calls (`read` less `otherRun`).
    public var counted: Int = 0
    /// Counted records that carried this run's tag (attributed to a key).
    public var attributed: Int = 0
    /// Counted records without any tag (not attributed to a key).
    public var untagged: Int = 0
    /// Records tagged with another run id (a previous run's stragglers): not counted.
    public var otherRun: Int = 0
    /// Records of this run that belong to another shard's keys (a sharded live run reads the whole
    /// log and counts only its own keys' calls; untagged calls belong to shard 0); nil unsharded.
    public var otherShard: Int?
    /// Records the log overwrote before they were read: the LLM-side figures miss them.
    public var dropped: Int = 0
    /// Loud findings about the evidence (no tagged call seen while tasks succeeded, records lost…).
    public var warnings: [String] = []

    /// Whether every LLM-side figure rests on all of the run's calls.
    public var complete: Bool { dropped == 0 }

    /// Creates a summary with no records read yet.
    public init(source: String, run: String, tagged: Bool) {
        self.source = source
        self.run = run
        self.tagged = tagged
    }
}
