/// Knobs of a simulator run that are not part of the scenario.
public struct SimulationOptions: Sendable {
    /// Overrides the scenario's seed; nil keeps it. Default nil.
    public var seed: UInt64?
    /// How long after the last arrival in-flight tasks may drain before the run is cut and marked
    /// incomplete. Default 7 days of scenario time.
    public var drainLimit: Duration
    /// Time-series interval; nil picks one. Default nil.
    public var interval: Duration?
    /// Also infer the breaker from the LLM calls and arrivals, as for a foreign target
    /// (`MechanismFigures.inferredBreaker`), to validate the inference against the simulator's
    /// real transitions; nil infers nothing. Default nil.
    public var inferBreaker: InferredBreakerRule?

    /// Creates options; see each field for its default.
    public init(
        seed: UInt64? = nil, drainLimit: Duration = .seconds(7 * 86_400), interval: Duration? = nil,
        inferBreaker: InferredBreakerRule? = nil
    ) {
        self.seed = seed
        self.drainLimit = drainLimit
        self.interval = interval
        self.inferBreaker = inferBreaker
    }
}
