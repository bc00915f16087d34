import ArgumentParser

/// `squall load` (being built on its own branch; this file is replaced when it lands).
struct LoadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "load", abstract: "(in progress)")
    func run() async throws { throw RunFailure(message: "'squall load' is not available in this build yet") }
}
