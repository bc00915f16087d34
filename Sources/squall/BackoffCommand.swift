import ArgumentParser
import Reliability

/// `squall backoff`: prints the retry schedule a policy produces, as a tuning calculator.
struct BackoffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backoff", abstract: "Print the retry schedule a backoff policy produces.")

    @Option(parsing: .unconditional, help: "Attempts including the first (1 to 1000).") var attempts: Int = 5
    @Option(parsing: .unconditional, help: "Seconds scale of the first wait (tenacity's multiplier).") var multiplier: Double = 1
    @Option(parsing: .unconditional, help: "Exponent base.") var base: Double = 2
    @Option(parsing: .unconditional, help: "Floor of every wait, e.g. 1s.") var min: String = "0s"
    @Option(parsing: .unconditional, help: "Cap of every computed wait, e.g. 60s.") var max: String = "60s"
    @Option(help: "Jitter: none, full, equal or decorrelated.") var jitter: String = "none"
    @Option(help: "Seed for the jitter draws.") var seed: UInt64 = 1
    @Option(name: .customLong("retry-after"), parsing: .unconditional, help: "Pretend every failure carries this Retry-After, e.g. 2s.")
    var retryAfter: String?
    @Option(name: .customLong("retry-after-cap"), parsing: .unconditional, help: "Largest Retry-After honoured.")
    var retryAfterCap: String = "60s"

    func table() throws -> BackoffTable {
        try BackoffTable.make(
            attempts: attempts, multiplier: multiplier, base: base, min: min, max: max, jitter: jitter, seed: seed,
            retryAfter: retryAfter, retryAfterCap: retryAfterCap)
    }

    func validate() throws {
        do { _ = try table() } catch let e as UsageError { throw ValidationError(e.message) }
    }

    func run() throws {
        print(try table().render(), terminator: "")
    }
}
