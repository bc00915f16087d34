import LoadGen
import Reliability
import YAMLConfig

/// A statistic of a service latency distribution that `expect.service` can put a threshold on.
public enum ServiceLatencyStatistic: String, Sendable, Hashable, CaseIterable {
    /// Median.
    case p50
    /// 90th percentile.
    case p90
    /// 99th percentile.
    case p99
    /// Largest.
    case max

    /// Its value in `figure`, seconds.
    public func value(in figure: ServiceLatencyFigure) -> Double {
        switch self {
        case .p50: return figure.p50
        case .p90: return figure.p90
        case .p99: return figure.p99
        case .max: return figure.max
        }
    }
}

/// Decodes `expect.service` (`accept_p99: "< 200ms"`, `health_max: "< 1s"`, …: KIND_STAT with KIND
/// one of accept, poll, health and STAT one of p50, p90, p99, max) and evaluates it against
/// `ScenarioResult.serviceLatency`. The figures are real time, measured through the service's API,
/// so they exist only for a run through a task service (`service:` or `--target-url`): any other
/// run cannot observe them (`requireService`, exit 2 before the run).
public enum ServiceLatencyExpectation {
    /// Every key `expect.service` accepts, `accept_p50` … `health_max`.
    public static let keys: [String] = ServiceRequestKind.allCases.flatMap { k in
        ServiceLatencyStatistic.allCases.map { "\(k.rawValue)_\($0.rawValue)" }
    }

    static func decode(_ node: ConfigNode) throws(ConfigError) -> [Expectation] {
        let m = try node.mapping(allowed: keys)
        var out: [Expectation] = []
        for key in m.keys {
            let v = m[key]
            if v.isNull { continue }
            let parts = key.split(separator: "_", maxSplits: 1).map(String.init)
            let kind = ServiceRequestKind(rawValue: parts[0])!
            let statistic = ServiceLatencyStatistic(rawValue: parts[1])!
            let t = try Threshold.decode(v, unit: .seconds, defaultComparison: .atMost)
            out.append(.serviceLatency(name: "service.\(key)", kind: kind, statistic: statistic, threshold: t))
        }
        return out
    }

    /// Whether `scenario` has an `expect.service` expectation.
    public static func present(in scenario: Scenario) -> Bool {
        scenario.expectations.contains { if case .serviceLatency = $0 { return true } else { return false } }
    }

    /// Throws bad input naming the first `expect.service` expectation when the run measures no task
    /// service: `measuresService` is false for the simulator and for a live run of the in-process
    /// stack (no `service:`, no `--target-url`).
    public static func requireService(_ scenario: Scenario, measuresService: Bool, target: String) throws(ConfigError) {
        guard !measuresService else { return }
        let names = scenario.expectations.compactMap { e -> String? in
            if case .serviceLatency(let n, _, _, _) = e { return n } else { return nil }
        }
        guard let first = names.first else { return }
        throw ConfigError(
            file: scenario.source, line: 0, column: 0, path: "expect.service",
            message: "\(target) cannot observe \(names.joined(separator: ", ")): \(first) needs the task service's API "
                + "(submissions, polls and /health timed by Squall), and this run has no task service; run it with --mode live "
                + "and a 'service:' section, or against your service with --target-url URL, or remove expect.service")
    }

    static func verdict(
        name: String, kind: ServiceRequestKind, statistic: ServiceLatencyStatistic, threshold: Threshold, result: ScenarioResult
    ) -> ExpectationVerdict {
        guard let s = result.serviceLatency else {
            return ExpectationVerdict(
                name: name, expected: threshold.description, observed: "no task service", passed: false, observations: 0,
                detail: "the run did not go through a task service, so its API latency was not measured")
        }
        let f = s.figure(kind)
        let what: String
        switch kind {
        case .accept: what = "submissions (send → the service's answer)"
        case .poll: what = "polls of a task"
        case .health: what = "/health samples every \(DurationFormat.short(.fromSeconds(s.healthIntervalSeconds))) (real time)"
        }
        guard f.count > 0 else {
            return .noEvidence(
                name: name, expected: threshold.description, observed: "no \(kind.rawValue) requests",
                detail: "no \(what) got an answer or timed out" + (f.failures > 0 ? " (\(f.failures) refused or reset)" : ""))
        }
        if kind == .health, f.answeredOnlyUnhealthy {
            // Every answer was a failed probe (typically 404: no health endpoint at that path): the
            // latency of those answers says nothing about the service's health endpoint.
            return .noEvidence(
                name: name, expected: threshold.description, observed: "no healthy answer",
                detail: "all \(f.unhealthy) answered health samples were outside 200–399, so the service's health endpoint "
                    + "was never measured; set `target.health` to its health path (e.g. /healthz)")
        }
        let value = statistic.value(in: f)
        var detail = "\(statistic.rawValue) of \(f.count) \(what), real time"
        if f.unhealthy > 0 { detail += "; \(f.unhealthy) answered outside 200–399 (a failed health probe)" }
        if f.timeouts > 0 { detail += "; \(f.timeouts) timed out (counted at the time waited, a lower bound)" }
        if f.failures > 0 { detail += "; \(f.failures) refused or reset (not counted)" }
        return ExpectationVerdict(
            name: name, expected: threshold.description, observed: threshold.unit.format(value), passed: threshold.holds(value),
            observations: f.count, value: value, detail: detail)
    }
}
