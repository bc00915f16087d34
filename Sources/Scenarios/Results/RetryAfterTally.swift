/// Retry-After compliance from the LLM call log: after a response that carried a Retry-After
/// (`retry-after-ms` when the provider sent it, else `retry-after`; `LLMCallRecord.retryAfter`),
/// the same task's (or, for a foreign target, key's) next call is *early* by
/// `(answer instant + retry-after) − next call instant` when that is above the tolerance. The
/// answer instant is when the response reached the client (`atNanos + delayNanos`); a response
/// the client never received (it timed out first) asks nothing of it.
///
/// State: per task in flight, the instant its next call is allowed; counts and an HDR histogram
/// of the early amounts (mergeable exactly).
struct RetryAfterTally: Sendable, Equatable, Codable {
    struct Entry: Sendable, Equatable, Codable {
        var allowedAt: Int64?
        var early = false
    }

    let toleranceNs: Int64
    var pending: [Int: Entry] = [:]
    var figures = RetryAfterFigures()
    var amounts = LatencyRecorder()

    init(tolerance: Duration) {
        toleranceNs = max(0, ScenarioClock.nanoseconds(tolerance))
    }

    /// One call the provider saw.
    mutating func call(_ c: LLMCallRecord) {
        guard let id = CallIdentity.of(c) else { return }
        var entry = pending[id] ?? Entry()
        if let allowed = entry.allowedAt {
            figures.retries += 1
            let early = allowed - c.atNanos
            if early > toleranceNs {
                figures.early += 1
                figures.maxEarlyNanos = max(figures.maxEarlyNanos, early)
                amounts.recordMicroseconds(ScenarioClock.microseconds(nanos: early))
                if !entry.early {
                    entry.early = true
                    figures.earlyTasks += 1
                }
            }
            entry.allowedAt = nil
        }
        if let ra = c.retryAfter, c.delayNanos >= 0 {
            figures.responses += 1
            entry.allowedAt = c.atNanos + c.delayNanos + ScenarioClock.nanoseconds(ra)
        }
        if entry.allowedAt == nil && !entry.early {
            pending[id] = nil
        } else {
            pending[id] = entry
        }
    }

    /// The task (or key) `id` made its last call.
    mutating func ended(_ id: Int) { pending[id] = nil }

    /// The figures at the end of the run.
    func finish() -> RetryAfterFigures {
        var f = figures
        f.toleranceSeconds = ScenarioClock.seconds(toleranceNs)
        if amounts.count > 0 {
            f.earlyP50Seconds = amounts.percentile(50)
            f.earlyP99Seconds = amounts.percentile(99)
        }
        return f
    }

    /// Adds another shard's tally (exact for shards split by task or key).
    mutating func merge(_ o: RetryAfterTally) {
        figures.responses += o.figures.responses
        figures.retries += o.figures.retries
        figures.early += o.figures.early
        figures.earlyTasks += o.figures.earlyTasks
        figures.maxEarlyNanos = max(figures.maxEarlyNanos, o.figures.maxEarlyNanos)
        amounts.merge(o.amounts)
        pending.merge(o.pending) { a, _ in a }
    }
}

/// What `RetryAfterTally` found.
public struct RetryAfterFigures: Sendable, Hashable, Codable {
    /// Early by at most this counts as on time, seconds.
    public var toleranceSeconds = 0.0
    /// Responses with a Retry-After that reached their client.
    public var responses = 0
    /// Next calls after such a response (the population).
    public var retries = 0
    /// Of which early.
    public var early = 0
    /// Tasks (or keys) with at least one early retry.
    public var earlyTasks = 0
    /// The most a retry was early by, nanoseconds.
    public var maxEarlyNanos: Int64 = 0
    /// Median and 99th percentile of the early amounts, seconds (HDR, 3 digits); nil without early retries.
    public var earlyP50Seconds: Double?
    /// See `earlyP50Seconds`.
    public var earlyP99Seconds: Double?
}
