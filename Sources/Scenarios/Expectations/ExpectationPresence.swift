import YAMLConfig

/// A scenario must state what must hold: one with no expectations would pass 0 of 0 and prove
/// nothing, so the commands that run or check scenarios reject it as bad input (exit 2).
public enum ExpectationPresence {
    /// Throws a `ConfigError` naming the file when `scenario` states no expectations.
    public static func require(_ scenario: Scenario) throws(ConfigError) {
        guard scenario.expectations.isEmpty else { return }
        throw ConfigError(
            file: scenario.source, line: 0, column: 0, path: "expect",
            message: "the scenario '\(scenario.name)' states no expectations, so a run would pass without checking anything; "
                + "add at least one under 'expect:' (e.g. success_rate: \">= 99%\")")
    }
}
