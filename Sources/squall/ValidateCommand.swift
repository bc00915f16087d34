import ArgumentParser

/// `squall validate` (being built on its own branch; this file is replaced when it lands).
struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "validate", abstract: "(in progress)")
    func run() async throws { throw RunFailure(message: "'squall validate' is not available in this build yet") }
}
