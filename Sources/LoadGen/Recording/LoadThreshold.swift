import CommandFlags
import Foundation
import Reliability

/// One `squall load --expect` threshold (`success_rate>=99%`, `latency_p99<2s`,
/// `llm_calls_per_task<=1.5`): a metric of the load summary, a comparison and a value. `squall load`
/// exits 1 when one fails, so it can gate CI; a threshold that does not parse, or that the target
/// cannot observe, is bad input (exit 2) before anything runs.
public struct LoadThreshold: Sendable, Hashable, CustomStringConvertible {
    /// What is compared.
    public enum Metric: String, Sendable, Hashable, CaseIterable {
        /// Succeeded ÷ executed tasks (succeeded + failed + mismatched; not replays, conflicts or drops), as a percentage.
        case successRate = "success_rate"
        /// Failed ÷ executed tasks, as a percentage.
        case failureRate = "failure_rate"
        /// Failed tasks.
        case failures
        /// Tasks dropped at the in-flight cap.
        case dropped
        /// Latency from the intended start, scenario time.
        case latencyP50 = "latency_p50"
        /// 90th percentile latency.
        case latencyP90 = "latency_p90"
        /// 99th percentile latency.
        case latencyP99 = "latency_p99"
        /// 99.9th percentile latency.
        case latencyP999 = "latency_p999"
        /// Largest latency.
        case latencyMax = "latency_max"
        /// Mean attempts per task (stack, raw).
        case attemptsPerTask = "attempts_per_task"
        /// Mean LLM calls per task (stack, raw).
        case llmCallsPerTask = "llm_calls_per_task"
        /// Keys whose duplicates made LLM calls again (stack).
        case duplicateExecutions = "duplicate_executions"
        /// Time to accept a submission, 99th percentile, real time (tasks).
        case acceptP99 = "accept_p99"
        /// Longest time to accept a submission, real time (tasks).
        case acceptMax = "accept_max"
        /// Poll latency, 99th percentile, real time (tasks).
        case pollP99 = "poll_p99"
        /// `/health` latency, 99th percentile, real time (tasks).
        case healthP99 = "health_p99"
        /// Longest `/health` latency, real time (tasks).
        case healthMax = "health_max"

        /// Whether this is a service latency figure (accept, poll, /health).
        public var isServiceLatency: Bool { service != nil }

        /// The service request kind and statistic of a service latency metric; nil for the others.
        var service: (ServiceRequestKind, Double)? {
            switch self {
            case .acceptP99: return (.accept, 99)
            case .acceptMax: return (.accept, 100)
            case .pollP99: return (.poll, 99)
            case .healthP99: return (.health, 99)
            case .healthMax: return (.health, 100)
            default: return nil
            }
        }

        /// How the value is written.
        var unit: Unit {
            switch self {
            case .successRate, .failureRate: return .percent
            case .latencyP50, .latencyP90, .latencyP99, .latencyP999, .latencyMax, .acceptP99, .acceptMax, .pollP99, .healthP99,
                .healthMax:
                return .duration
            case .failures, .dropped, .duplicateExecutions: return .count
            case .attemptsPerTask, .llmCallsPerTask: return .number
            }
        }
    }

    /// How a metric's value is written.
    enum Unit {
        case percent, duration, count, number
        var example: String {
            switch self {
            case .percent: return "a percentage such as 99%"
            case .duration: return "a duration such as 250ms or 2s"
            case .count: return "a whole number such as 0"
            case .number: return "a number such as 1.5"
            }
        }
    }

    /// The comparison.
    public enum Comparison: String, Sendable, Hashable, CaseIterable {
        case atLeast = ">="
        case atMost = "<="
        case above = ">"
        case below = "<"
        case equal = "=="

        func holds(_ observed: Double, _ limit: Double) -> Bool {
            switch self {
            case .atLeast: return observed >= limit
            case .atMost: return observed <= limit
            case .above: return observed > limit
            case .below: return observed < limit
            case .equal: return observed == limit
            }
        }
    }

    /// The metric.
    public var metric: Metric
    /// The comparison.
    public var comparison: Comparison
    /// The limit: a fraction for percentages, seconds for durations.
    public var value: Double
    /// The threshold as given (for messages).
    public var text: String

    public var description: String { text }

    /// Parses `METRIC OP VALUE` (spaces allowed around OP); errors name `--expect`, the text and what is valid.
    public static func parse(_ raw: String) throws(FlagError) -> LoadThreshold {
        let text = raw.trimmingCharacters(in: .whitespaces)
        let metrics = Metric.allCases.map(\.rawValue).joined(separator: ", ")
        // Longest operators first, so `>=` is not read as `>`.
        let ops: [Comparison] = [.atLeast, .atMost, .equal, .above, .below]
        guard let (op, range) = ops.lazy.compactMap({ c in text.range(of: c.rawValue).map { (c, $0) } }).first else {
            throw FlagError(
                "--expect '\(raw.prefix(80))': expected METRIC OP VALUE with OP one of >=, <=, >, <, == (e.g. 'success_rate>=99%'); metrics: \(metrics)"
            )
        }
        let name = text[..<range.lowerBound].trimmingCharacters(in: .whitespaces)
        let valueText = text[range.upperBound...].trimmingCharacters(in: .whitespaces)
        guard let metric = Metric(rawValue: name) else {
            throw FlagError("--expect '\(raw.prefix(80))': unknown metric '\(name.prefix(40))'; metrics: \(metrics)")
        }
        let bad = FlagError("--expect '\(raw.prefix(80))': \(metric.rawValue) takes \(metric.unit.example), got '\(valueText.prefix(40))'")
        let value: Double
        switch metric.unit {
        case .percent:
            guard valueText.hasSuffix("%"), let v = Double(valueText.dropLast().trimmingCharacters(in: .whitespaces)),
                v.isFinite, (0...100).contains(v)
            else { throw bad }
            value = v / 100
        case .duration:
            guard let d = try? DurationFormat.parse(valueText), d >= .zero else { throw bad }
            value = d.seconds
        case .count:
            guard let v = Int(valueText), v >= 0 else { throw bad }
            value = Double(v)
        case .number:
            guard let v = Double(valueText), v.isFinite, v >= 0 else { throw bad }
            value = v
        }
        return LoadThreshold(metric: metric, comparison: op, value: value, text: text)
    }

    /// Why `target` cannot observe this threshold, or nil when it can: a task service's attempts,
    /// LLM calls and executions per key are seen only by the LLM it calls.
    public func unobservable(on target: TargetKind) -> String? {
        switch (metric, target) {
        case (.attemptsPerTask, .tasks), (.llmCallsPerTask, .tasks), (.duplicateExecutions, .tasks):
            return
                "--expect '\(text)': --target tasks cannot observe \(metric.rawValue) (a task service's LLM calls are seen only by the LLM it calls); use `squall run FILE --mode live --target-url URL --mock-port PORT`, which reads them from Squall's mock"
        case (_, .raw) where metric.service != nil, (_, .stack) where metric.service != nil:
            return "--expect '\(text)': --target \(target.rawValue) has no task service, so \(metric.rawValue) (a task service's latency) is not defined; use --target tasks"
        case (.duplicateExecutions, .raw):
            return "--expect '\(text)': --target raw sends no idempotency keys, so duplicate_executions is not defined; use --target stack"
        default:
            return nil
        }
    }

    /// The verdict against `summary`.
    public func evaluate(_ s: LoadSummary) -> LoadThresholdVerdict {
        let executed = (s.byStatus[.succeeded] ?? 0) + (s.byStatus[.failed] ?? 0) + (s.byStatus[.mismatch] ?? 0)
        let attemptTasks = s.attemptsPerTask.values.reduce(0, +)
        let latencyCount = Int(s.latencyMicros.totalCount)
        let observed: Double
        let population: Int
        switch metric {
        case .successRate:
            population = executed
            observed = executed == 0 ? 0 : Double(s.byStatus[.succeeded] ?? 0) / Double(executed)
        case .failureRate:
            population = executed
            observed = executed == 0 ? 0 : Double(executed - (s.byStatus[.succeeded] ?? 0)) / Double(executed)
        case .failures:
            population = executed  // no executed task: no evidence, not "0 failures"
            observed = Double(executed - (s.byStatus[.succeeded] ?? 0))
        case .dropped:
            population = s.recorded
            observed = Double(s.dropped)
        case .latencyP50, .latencyP90, .latencyP99, .latencyP999:
            population = latencyCount
            let p: Double = metric == .latencyP50 ? 50 : metric == .latencyP90 ? 90 : metric == .latencyP99 ? 99 : 99.9
            observed = s.latency(percentile: p).seconds
        case .latencyMax:
            population = latencyCount
            observed = latencyCount == 0 ? 0 : Double(s.latencyMicros.max) / 1e6
        case .attemptsPerTask:
            population = attemptTasks
            let total = s.attemptsPerTask.reduce(0) { $0 + $1.key * $1.value }
            observed = attemptTasks == 0 ? 0 : Double(total) / Double(attemptTasks)
        case .llmCallsPerTask:
            population = attemptTasks
            observed = attemptTasks == 0 ? 0 : Double(s.calls) / Double(attemptTasks)
        case .duplicateExecutions:
            population = s.duplicatesSent.values.reduce(0, +)
            observed = Double(s.keysExecutedMoreThanOnce.values.reduce(0, +))
        case .acceptP99, .acceptMax, .pollP99, .healthP99, .healthMax:
            let (kind, p) = metric.service!
            let f = s.serviceLatency?.figure(kind) ?? .empty
            // Health answers that all failed the probe (e.g. 404: no endpoint at that path) measure nothing.
            population = kind == .health && f.answeredOnlyUnhealthy ? 0 : f.count
            observed = p == 100 ? f.max : f.p99
        }
        guard population > 0 else {
            return LoadThresholdVerdict(threshold: self, observed: nil, passed: false, observedText: "no evidence (nothing to measure)")
        }
        return LoadThresholdVerdict(
            threshold: self, observed: observed, passed: comparison.holds(observed, value), observedText: format(observed))
    }

    func format(_ v: Double) -> String {
        switch metric.unit {
        case .percent: return String(format: "%.3g%%", v * 100)
        case .duration: return DurationFormat.short(.fromSeconds(v))
        case .count: return String(Int(v))
        case .number: return String(format: "%.3f", v)
        }
    }
}

/// One threshold's verdict.
public struct LoadThresholdVerdict: Sendable, Hashable {
    /// The threshold.
    public var threshold: LoadThreshold
    /// The observed value (fraction for percentages, seconds for durations); nil when nothing was measured.
    public var observed: Double?
    /// Whether it held (false with no evidence).
    public var passed: Bool
    /// The observed value as written in the verdict line.
    public var observedText: String

    /// `ok   success_rate>=99%: observed 99.8%` / `FAIL …`.
    public var line: String { "\(passed ? "ok  " : "FAIL") \(threshold.text): observed \(observedText)" }
}
