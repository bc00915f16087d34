import Traffic

extension SubmissionSchedule {
    /// The submissions of `scenario` for `seed` over the scenario's duration: what every driver sends.
    public init(scenario: Scenario, seed: UInt64) {
        self.init(
            arrivals: scenario.load.arrival, duration: scenario.duration,
            promptWeights: scenario.load.prompts.map(\.weight), duplicates: scenario.load.duplicates, seed: seed)
    }
}
