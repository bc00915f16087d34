import Traffic

/// Knobs of a simulator run that are not part of the scenario.
public struct SimulationOptions: Sendable {
    /// Overrides the scenario's seed; nil keeps it. Default nil.
    public var seed: UInt64?
    /// How long after the last arrival in-flight tasks may drain before the run is cut and marked
    /// incomplete. Default 7 days of scenario time.
    public var drainLimit: Duration
    /// Time-series interval; nil picks one. Default nil.
    public var interval: Duration?
    /// Record only this shard's slice (`squall run --shard I/N`): every shard simulates the whole
    /// schedule (the stack couples every task) but records only the keys `k` with `k % N == I`
    /// (an original and all its duplicates), and shard 0 also the stack's events. Nil records
    /// everything. Default nil.
    public var shard: Shard?
    /// Also infer the breaker from the LLM calls and arrivals, as for a foreign target
    /// (`MechanismFigures.inferredBreaker`), to validate the inference against the simulator's
    /// real transitions; nil infers nothing. Default nil.
    public var inferBreaker: InferredBreakerRule?

    /// Creates options; see each field for its default.
    public init(
        seed: UInt64? = nil, drainLimit: Duration = .seconds(7 * 86_400), interval: Duration? = nil, shard: Shard? = nil,
        inferBreaker: InferredBreakerRule? = nil
    ) {
        self.seed = seed
        self.drainLimit = drainLimit
        self.interval = interval
        self.shard = shard
        self.inferBreaker = inferBreaker
    }
}
