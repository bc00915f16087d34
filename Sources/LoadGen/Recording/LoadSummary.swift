import Foundation
import Histogram
import Reliability

/// The outcome of a load run: counts, attempts, latency from the intended start, scheduler lag.
public struct LoadSummary: Sendable, Codable {
    /// `raw`, `stack`, `tasks` (or a caller's label).
    public var target: String
    /// The time scale K.
    public var timeScale: Double
    /// Wall-clock duration of the run.
    public var realElapsed: Duration
    /// Original tasks the schedule offered.
    public var offered: Int
    /// Records (originals and duplicates, including dropped).
    public var recorded: Int
    /// Counts by status.
    public var byStatus: [RecordStatus: Int]
    /// Failures by cause.
    public var failuresByCause: [FailureCause: Int]
    /// Tasks by their last attempt's outcome (`200`, `503`, `reset`).
    public var lastOutcomes: [String: Int]
    /// Tasks by number of attempts.
    public var attemptsPerTask: [Int: Int]
    /// LLM calls sent in total.
    public var calls: Int
    /// Tokens used.
    public var usage: TokenUsage
    /// Duplicates sent, by kind.
    public var duplicatesSent: [DuplicateKind: Int]
    /// Duplicates that reached the LLM (made at least one call), by kind.
    public var duplicatesExecuted: [DuplicateKind: Int]
    /// Idempotency keys whose task reached the LLM more than once (original and duplicate both
    /// made calls), by the duplicate's kind. Zero for `concurrent`/`afterCompletion` when idempotency works;
    /// `afterTTL` keys may legitimately run again.
    public var keysExecutedMoreThanOnce: [DuplicateKind: Int]
    /// Duplicated keys forgotten before their duplicate was recorded because the recorder's table of
    /// open keys was full (`DuplicateKeyTally`); nil or 0 means `keysExecutedMoreThanOnce` is exact,
    /// otherwise it is a lower bound (an evicted key's executions are not counted).
    public var duplicateKeysEvicted: Int?
    /// Duplicates not sent because they fell after the end of the run.
    public var duplicatesSkipped: Int
    /// Tasks sent later than `lateThreshold` after their intended start.
    public var late: Int
    /// The lateness threshold (real time).
    public var lateThreshold: Duration
    /// Latency from the intended start, microseconds of scenario time (every sent task).
    public var latencyMicros: Histogram<UInt64>
    /// Scheduler lag (actual send − intended send), microseconds of real time, measured when each
    /// task's coroutine starts (includes waiting for an executor thread).
    public var lagMicros: Histogram<UInt64>
    /// The pacing loop's own lateness when it handed each paced task over, microseconds of real time
    /// (open loop only): if this is small and `lagMicros` large, the executor, not the pacer, is behind.
    public var dispatchLagMicros: Histogram<UInt64>
    /// The breaker's state at the end (stack target only).
    public var breaker: BreakerState?
    /// The task service's latency (accept, poll, `/health`; real time); nil for targets other than `tasks`.
    public var serviceLatency: ServiceLatencySummary?

    /// Tasks dropped because the in-flight cap was reached.
    public var dropped: Int { byStatus[.dropped] ?? 0 }
    /// Tasks sent (not dropped).
    public var sent: Int { recorded - dropped }
    /// Sent tasks per real second.
    public var realThroughput: Double { realElapsed > .zero ? Double(sent) / realElapsed.seconds : 0 }

    /// A latency percentile (scenario time).
    public func latency(percentile p: Double) -> Duration {
        latencyMicros.totalCount == 0 ? .zero : .microseconds(Int64(latencyMicros.valueAtPercentile(p)))
    }

    /// A scheduler-lag percentile (real time).
    public func lag(percentile p: Double) -> Duration {
        lagMicros.totalCount == 0 ? .zero : .microseconds(Int64(lagMicros.valueAtPercentile(p)))
    }

    /// The human-readable summary printed by `squall load`.
    public func render() -> String {
        var out: [String] = []
        func pct(_ n: Int, _ of: Int) -> String { of == 0 ? "-" : String(format: "%.2f%%", 100 * Double(n) / Double(of)) }
        func ms(_ d: Duration) -> String { String(format: "%.3fms", d.milliseconds) }
        out.append(
            "target \(target)  time scale \(timeScale == 1 ? "1" : String(format: "%g", timeScale))×  ran \(DurationFormat.short(realElapsed)) real"
                + (timeScale == 1 ? "" : " (\(DurationFormat.short(realElapsed.scaled(by: timeScale))) scenario)"))
        out.append(
            "tasks: \(offered) offered, \(sent) sent, \(recorded) recorded, \(String(format: "%.1f", realThroughput))/s real")
        var statusLine = "outcomes:"
        for s in RecordStatus.allCases {
            let n = byStatus[s] ?? 0
            if n > 0 || s == .succeeded || s == .failed { statusLine += " \(s.rawValue) \(n) (\(pct(n, recorded)))" }
        }
        out.append(statusLine)
        if !failuresByCause.isEmpty {
            out.append(
                "failures by cause: "
                    + failuresByCause.sorted { $0.value > $1.value }.map { "\($0.key.rawValue) \($0.value)" }.joined(
                        separator: ", "))
        }
        if !lastOutcomes.isEmpty {
            out.append(
                "last attempt outcome: "
                    + lastOutcomes.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        let attemptTotal = attemptsPerTask.reduce(0) { $0 + $1.key * $1.value }
        let attemptTasks = attemptsPerTask.values.reduce(0, +)
        out.append(
            "attempts per task: "
                + attemptsPerTask.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: " ")
                + String(format: "  (mean %.3f, %d LLM calls)", attemptTasks == 0 ? 0 : Double(attemptTotal) / Double(attemptTasks), calls))
        if !duplicatesSent.isEmpty || duplicatesSkipped > 0 {
            out.append(
                "duplicates: "
                    + DuplicateKind.allCases.map {
                        "\($0.rawValue) \(duplicatesSent[$0] ?? 0) sent (\(duplicatesExecuted[$0] ?? 0) made LLM calls)"
                    }.joined(separator: ", ") + (duplicatesSkipped > 0 ? ", \(duplicatesSkipped) not sent (after the run's end)" : ""))
        }
        if !duplicatesSent.isEmpty {
            out.append(
                "keys executed more than once: "
                    + DuplicateKind.allCases.map { "\($0.rawValue) \(keysExecutedMoreThanOnce[$0] ?? 0)" }.joined(separator: ", ")
                    + ((duplicateKeysEvicted ?? 0) > 0
                        ? " (at least: \(duplicateKeysEvicted!) keys forgotten before their duplicate, table full)" : ""))
        }
        if usage.totalTokens > 0 { out.append("tokens: \(usage.promptTokens) prompt + \(usage.completionTokens) completion") }
        let ps: [(String, Double)] = [("p50", 50), ("p90", 90), ("p99", 99), ("p99.9", 99.9)]
        out.append(
            "latency from intended start (scenario): "
                + ps.map { "\($0.0) \(ms(latency(percentile: $0.1)))" }.joined(separator: " ")
                + " max \(ms(.microseconds(Int64(latencyMicros.totalCount == 0 ? 0 : latencyMicros.max))))")
        if dispatchLagMicros.totalCount > 0 {
            func d(_ p: Double) -> String { ms(.microseconds(Int64(dispatchLagMicros.valueAtPercentile(p)))) }
            out.append(
                "pacer lag at dispatch (real): " + ps.map { "\($0.0) \(d($0.1))" }.joined(separator: " ")
                    + " max \(ms(.microseconds(Int64(dispatchLagMicros.max))))")
        }
        out.append(
            "scheduler lag (real): " + ps.map { "\($0.0) \(ms(lag(percentile: $0.1)))" }.joined(separator: " ")
                + " max \(ms(.microseconds(Int64(lagMicros.totalCount == 0 ? 0 : lagMicros.max))))")
        out.append("dropped (in-flight cap): \(dropped)  late (> \(DurationFormat.short(lateThreshold)) real): \(late)")
        if let breaker { out.append("breaker at end: \(breaker.rawValue)") }
        if let sl = serviceLatency {
            for kind in ServiceRequestKind.allCases {
                let f = sl.figure(kind)
                var line = "service \(kind.rawValue) latency (real): n \(f.count)"
                if f.count > 0 {
                    line += " p50 \(ms(.fromSeconds(f.p50))) p90 \(ms(.fromSeconds(f.p90))) p99 \(ms(.fromSeconds(f.p99))) max \(ms(.fromSeconds(f.max)))"
                }
                if f.timeouts > 0 { line += " timed out \(f.timeouts)" }
                if f.failures > 0 { line += " refused/reset \(f.failures)" }
                out.append(line)
            }
        }
        return out.joined(separator: "\n")
    }
}
