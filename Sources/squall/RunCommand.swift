import ArgumentParser

/// `squall run` (being built on its own branch; this file is replaced when it lands).
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "(in progress)")
    func run() async throws { throw RunFailure(message: "'squall run' is not available in this build yet") }
}
