import ArgumentParser
import Foundation

/// The `squall` command: parses flags and delegates to the libraries. Each subcommand lives in its own file.
@main
struct Squall: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "squall",
        abstract: "Chaos and load testing for the reliability stack of LLM-agent services.",
        discussion: """
            Exit codes: 0 all expectations held, 1 an expectation failed, 2 bad input or usage, \
            3 the run could not be carried out, 4 interrupted by SIGINT/SIGTERM (report written, marked \
            incomplete), 128+N killed by a second signal N (nothing written).
            """,
        version: SquallVersion.current,
        subcommands: SquallCommands.all
    )

    /// Runs the command, mapping errors to Squall's documented exit codes (ArgumentParser's own
    /// usage errors, 64, become 2).
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withSquallError: error)
        }
    }

    static func exit(withSquallError error: Error) -> Never {
        if let usage = error as? UsageError {
            FileHandle.standardError.write(Data(("squall: error: " + usage.message + "\n").utf8))
            Foundation.exit(2)
        }
        if let failure = error as? RunFailure {
            FileHandle.standardError.write(Data(("squall: cannot run: " + failure.message + "\n").utf8))
            Foundation.exit(3)
        }
        let code = exitCode(for: error)
        if code == .validationFailure {
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            Foundation.exit(2)
        }
        if code == .success || code.rawValue == 1 {
            Squall.exit(withError: error)
        }
        if error is ExitCode { Foundation.exit(code.rawValue) }
        FileHandle.standardError.write(Data(("squall: error: \(error)\n").utf8))
        Foundation.exit(code.rawValue == 0 ? 1 : code.rawValue)
    }
}

/// Bad input or usage: exit code 2, with a message naming the flag or file:line:column and what is valid.
struct UsageError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// The run could not be carried out (port in use, target unreachable): exit code 3.
struct RunFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// The tool's version string.
enum SquallVersion {
    static let current = "0.1.0"
}
