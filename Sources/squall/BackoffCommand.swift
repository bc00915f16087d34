import ArgumentParser
import Reliability

/// `squall backoff`: prints the retry schedule a policy produces, as a tuning calculator.
struct BackoffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backoff", abstract: "Print the retry schedule a backoff policy produces.")

    @Option(help: "Attempts including the first.") var attempts: Int = 5
    @Option(help: "Seconds scale of the first wait (tenacity's multiplier).") var multiplier: Double = 1
    @Option(help: "Exponent base.") var base: Double = 2
    @Option(help: "Floor of every wait, e.g. 1s.") var min: String = "0s"
    @Option(help: "Cap of every computed wait, e.g. 60s.") var max: String = "60s"
    @Option(help: "Jitter: none, full, equal or decorrelated.") var jitter: String = "none"
    @Option(help: "Seed for the jitter draws.") var seed: UInt64 = 1
    @Option(name: .customLong("retry-after"), help: "Pretend every failure carries this Retry-After, e.g. 2s.")
    var retryAfter: String?
    @Option(name: .customLong("retry-after-cap"), help: "Largest Retry-After honoured.") var retryAfterCap: String = "60s"

    func run() throws {
        let table = try BackoffTable.make(
            attempts: attempts, multiplier: multiplier, base: base, min: min, max: max, jitter: jitter, seed: seed,
            retryAfter: retryAfter, retryAfterCap: retryAfterCap)
        print(table.render(), terminator: "")
    }
}
