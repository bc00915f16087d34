import ArgumentParser

/// `squall serve` (being built on its own branch; this file is replaced when it lands).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "(in progress)")
    func run() async throws { throw RunFailure(message: "'squall serve' is not available in this build yet") }
}
