import ArgumentParser

/// Every subcommand, in the order `squall --help` lists them. Each lives in `<Name>Command.swift`.
enum SquallCommands {
    static let all: [any ParsableCommand.Type] = [
        RunCommand.self, ValidateCommand.self, ListCommand.self, AuditCommand.self, MergeCommand.self, SweepCommand.self,
        PlanCommand.self, MockCommand.self, LoadCommand.self, ServeCommand.self, BackoffCommand.self,
    ]
}
