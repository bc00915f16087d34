import ArgumentParser

/// `squall list` (being built on its own branch; this file is replaced when it lands).
struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "(in progress)")
    func run() async throws { throw RunFailure(message: "'squall list' is not available in this build yet") }
}
