/// The live driver for `squall run --mode live`.
public enum LiveDriverProvider {
    /// The live driver for `options`.
    public static func make(_ options: LiveOptions) -> (any ScenarioDriver)? {
        LiveScenarioDriver(options: options)
    }
}
