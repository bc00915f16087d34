import ArgumentParser
import Reliability

/// The reliability-stack flags `squall load` (target `stack`) and `squall serve` share. Each is
/// optional: an absent flag keeps the command's base stack (`StackConfig()` for `load`,
/// `ServeOptions.baseStack` for `serve`), so every default is written once, in the library.
public struct StackFlags: ParsableArguments, Sendable {
    /// `--attempts N`: attempts per task, including the first (1 to 100).
    @Option(parsing: .unconditional, help: "Attempts per task, including the first (1 to 100).")
    public var attempts: Int?
    /// `--backoff-min D`: floor of every retry wait.
    @Option(name: .customLong("backoff-min"), parsing: .unconditional, help: "Floor of each retry wait, e.g. 1s.")
    public var backoffMin: String?
    /// `--backoff-max D`: cap of every computed retry wait.
    @Option(name: .customLong("backoff-max"), parsing: .unconditional, help: "Cap of each computed retry wait, e.g. 60s.")
    public var backoffMax: String?
    /// `--backoff-multiplier X`: seconds scale of the first retry wait.
    @Option(name: .customLong("backoff-multiplier"), parsing: .unconditional, help: "Seconds scale of the first retry wait.")
    public var backoffMultiplier: Double?
    /// `--jitter none|full|equal|decorrelated`.
    @Option(help: "Retry jitter: none, full, equal or decorrelated.")
    public var jitter: String?
    /// `--no-breaker`: run without a circuit breaker.
    @Flag(name: .customLong("no-breaker"), help: "Run without a circuit breaker.")
    public var noBreaker = false
    /// `--idempotency-ttl D`: how long idempotency keys (and the service's task records) are kept.
    @Option(name: .customLong("idempotency-ttl"), parsing: .unconditional, help: "How long idempotency keys are kept, e.g. 24h.")
    public var idempotencyTTL: String?

    /// No flags given.
    public init() {}

    /// `base` with the given flags applied. Throws `FlagError` naming the flag and what is valid.
    public func apply(to base: StackConfig) throws(FlagError) -> StackConfig {
        var s = base
        if let attempts { s.retry.maxAttempts = try FlagCheck.int(attempts, flag: "--attempts", in: 1...FlagLimits.maxAttempts) }
        var b = s.retry.backoff
        if let backoffMin { b.min = try FlagCheck.duration(backoffMin, flag: "--backoff-min") }
        if let backoffMax { b.max = try FlagCheck.duration(backoffMax, flag: "--backoff-max") }
        guard b.min <= b.max else {
            throw FlagError(
                "--backoff-min \(DurationFormat.short(b.min)) is greater than --backoff-max \(DurationFormat.short(b.max))")
        }
        if let backoffMultiplier {
            guard backoffMultiplier.isFinite, backoffMultiplier >= 0, backoffMultiplier <= 1e6 else {
                throw FlagError("--backoff-multiplier \(backoffMultiplier): expected a number from 0 to 1000000")
            }
            b.multiplier = backoffMultiplier
        }
        if let jitter {
            guard let j = Jitter(rawValue: jitter) else {
                throw FlagError("--jitter \(jitter): expected one of \(Jitter.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            b.jitter = j
        }
        s.retry.backoff = b
        if noBreaker { s.breaker = nil }
        if let idempotencyTTL {
            s.idempotencyTTL = try FlagCheck.duration(idempotencyTTL, flag: "--idempotency-ttl", min: .seconds(1))
        }
        return s
    }
}
