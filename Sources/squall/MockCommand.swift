import ArgumentParser

/// `squall mock` (being built on its own branch; this file is replaced when it lands).
struct MockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "mock", abstract: "(in progress)")
    func run() async throws { throw RunFailure(message: "'squall mock' is not available in this build yet") }
}
