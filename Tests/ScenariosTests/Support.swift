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

/// One row of a streamed `tasks.csv`, read back for assertions (times in seconds).
struct TaskRow: Hashable {
    var id: Int
    var key: String
    var duplicate: Bool
    var intendedStart: Double
    var started: Double
    var finished: Double
    var latency: Double
    var result: String
    var cause: String
    var attempts: Int
    var calls: Int
    var lastOutcome: String
    var route: String

    /// Rows of the file at `path` (plain fields: the tests' names need no quoting).
    static func read(_ path: String) throws -> [TaskRow] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var rows: [TaskRow] = []
        for line in text.split(separator: "\n").dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            rows.append(
                TaskRow(
                    id: Int(f[0])!, key: f[1], duplicate: f[2] == "true", intendedStart: Double(f[3])!,
                    started: Double(f[4])!, finished: Double(f[5])!, latency: Double(f[6])!, result: f[7], cause: f[8],
                    attempts: Int(f[9])!, calls: Int(f[10])!, lastOutcome: f[11], route: f[12]))
        }
        return rows
    }
}

/// A fresh path for a `tasks.csv` under the temporary directory.
func temporaryTasksPath() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("squall-tasks-\(UUID().uuidString).csv").path
}

/// Simulates and evaluates, streaming `tasks.csv` to a temporary file; returns the result and its rows.
func simulateWithTasks(_ s: Scenario, options: SimulationOptions = SimulationOptions()) throws -> (ScenarioResult, [TaskRow]) {
    let path = temporaryTasksPath()
    defer { try? FileManager.default.removeItem(atPath: path) }
    var result = try Simulator(scenario: s, options: options).run(tasksCSV: path)
    ExpectationEvaluator.evaluate(s, &result)
    return (result, try TaskRow.read(path))
}

/// Runs `s` in `mode` with `runner`, streaming `tasks.csv`; returns the result and its rows.
func runWithTasks(_ runner: ScenarioRunner, _ s: Scenario, mode: RunMode) async throws -> (ScenarioResult, [TaskRow]) {
    let path = temporaryTasksPath()
    defer { try? FileManager.default.removeItem(atPath: path) }
    let r = try await runner.run(s, mode: mode, tasksCSV: path)
    return (r, try TaskRow.read(path))
}
