/// One simulator run of a batch: a configuration (a scenario, possibly altered — a planted
/// defect, a swept parameter, a shard) and a seed.
public struct BatchJob: Sendable {
    /// Names the configuration within the batch, e.g. `baseline`, `no_jitter`, `retry.attempts=3`.
    public var configuration: String
    /// The scenario to simulate (its `seed` is ignored: `seed` below is used).
    public var scenario: Scenario
    /// The seed of this run.
    public var seed: UInt64

    /// Creates a job.
    public init(configuration: String, scenario: Scenario, seed: UInt64) {
        self.configuration = configuration
        self.scenario = scenario
        self.seed = seed
    }
}
