import ArgumentParser
import Foundation
import Scenarios
import YAMLConfig

/// `squall validate FILE…`: loads scenario files strictly without running them. Exit 0 when all
/// are valid, 2 otherwise (every error printed with file:line:column, field and what is valid).
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate", abstract: "Check scenario files without running them.")

    @Argument(help: "Scenario files (or bundled scenario names).")
    var files: [String] = []

    func run() throws {
        guard !files.isEmpty else { throw UsageError(message: "give at least one scenario file") }
        var errors: [String] = []
        for file in files {
            do {
                let s = try ScenarioCatalog.resolve(file)
                try ExpectationPresence.require(s)
                print("ok: \(file): \(s.name), \(s.expectations.count) expectation\(s.expectations.count == 1 ? "" : "s")")
            } catch {
                errors.append(error.description)
            }
        }
        guard errors.isEmpty else { throw UsageError(message: errors.joined(separator: "\nsquall: error: ")) }
    }
}
