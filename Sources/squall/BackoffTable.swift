import CommandFlags
import Foundation
import Reliability

/// The schedule `squall backoff` prints: attempt, wait before it and cumulative wait.
struct BackoffTable: Equatable {
    struct Row: Equatable {
        let attempt: Int
        let delay: Duration
        let cumulative: Duration
    }
    let rows: [Row]
    let attempts: Int
    let policy: String

    /// Builds the table from raw flag values; bad values throw `UsageError` naming the flag.
    static func make(
        attempts: Int, multiplier: Double, base: Double, min: String, max: String, jitter: String, seed: UInt64,
        retryAfter: String?, retryAfterCap: String
    ) throws -> BackoffTable {
        guard (1...1000).contains(attempts) else {
            throw UsageError(message: "--attempts \(attempts): expected a whole number from 1 to 1000")
        }
        guard multiplier.isFinite, multiplier >= 0, multiplier <= 1e6 else {
            throw UsageError(message: "--multiplier \(multiplier): expected a number from 0 to 1000000")
        }
        guard base.isFinite, base >= 1, base <= 1000 else { throw UsageError(message: "--base \(base): expected a number from 1 to 1000") }
        let minD = try flagDuration("--min", min)
        let maxD = try flagDuration("--max", max)
        guard minD <= maxD else { throw UsageError(message: "--min \(min) is greater than --max \(max)") }
        guard let j = Jitter(rawValue: jitter) else {
            throw UsageError(
                message: "--jitter \(jitter): expected one of \(Jitter.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let hint = try retryAfter.map { try flagDuration("--retry-after", $0) }
        let cap = try flagDuration("--retry-after-cap", retryAfterCap)
        let policy = RetryPolicy(
            maxAttempts: attempts, backoff: Backoff(multiplier: multiplier, base: base, min: minD, max: maxD, jitter: j),
            retryAfterCap: cap)
        let waits = policy.schedule(failure: hint == nil ? .transient : .throttled, hint: hint, seed: seed)
        var rows: [Row] = []
        var total = Duration.zero
        for (i, w) in waits.enumerated() {
            total += w
            rows.append(Row(attempt: i + 2, delay: w, cumulative: total))
        }
        let describe =
            "attempts=\(attempts) multiplier=\(fmt(multiplier)) base=\(fmt(base)) min=\(DurationFormat.short(minD)) "
            + "max=\(DurationFormat.short(maxD)) jitter=\(j.rawValue)"
            + (j == .none ? "" : " seed=\(seed)") + (hint.map { " retry-after=\(DurationFormat.short($0))" } ?? "")
        return BackoffTable(rows: rows, attempts: attempts, policy: describe)
    }

    /// The table as text.
    func render() -> String {
        var out = "# \(policy)\n"
        out += "attempt  wait before  cumulative wait\n"
        out += "      1            -               0s\n"
        for r in rows {
            out += pad(String(r.attempt), 7) + "  " + pad(DurationFormat.short(r.delay), 11) + "  "
                + pad(DurationFormat.short(r.cumulative), 15) + "\n"
        }
        let total = rows.last?.cumulative ?? .zero
        out += "\(attempts) attempts, \(rows.count) retries, \(DurationFormat.short(total)) of waiting before the last attempt\n"
        return out
    }

    private func pad(_ s: String, _ n: Int) -> String { String(repeating: " ", count: Swift.max(0, n - s.count)) + s }
}

/// Parses a duration flag (not negative, at most 366 days) or throws a `UsageError` naming it.
func flagDuration(_ flag: String, _ text: String) throws -> Duration {
    do { return try FlagCheck.duration(text, flag: flag) } catch { throw UsageError(message: error.message) }
}

private func fmt(_ v: Double) -> String { v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(v) }
