import Foundation
import Reliability
import Testing
import YAMLConfig

@testable import Scenarios

/// Parses a scenario from YAML text; the test fails with the loader's message on an error.
func scenario(_ yaml: String, file: String = "test.yaml") throws -> Scenario {
    try ScenarioLoader.parse(yaml, file: file)
}

/// The loader's error for `yaml` (nil when it loads).
func loadError(_ yaml: String) -> ConfigError? {
    do {
        _ = try ScenarioLoader.parse(yaml, file: "bad.yaml")
        return nil
    } catch {
        return error
    }
}

/// Simulates and evaluates.
func simulate(_ s: Scenario) -> ScenarioResult { ScenarioRunner.simulate(s) }

/// The verdict named `name`.
func verdict(_ r: ScenarioResult, _ name: String) -> ExpectationVerdict? {
    r.expectations.first { $0.name == name }
}
