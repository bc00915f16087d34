import ArgumentParser

/// Every subcommand, in the order `squall --help` lists them. Each lives in `<Name>Command.swift`.
enum SquallCommands {
    static let all: [any ParsableCommand.Type] = [BackoffCommand.self]
}
