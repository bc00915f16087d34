import YAMLConfig

/// A figure of the task service's shutdown that `expect.shutdown` can put a threshold on.
public enum ShutdownMeasure: String, Sendable, Hashable, CaseIterable {
    /// Tasks accepted with 202 that never reached `complete` or `failed` (or vanished from the store).
    case lost
    /// How long the signalled replica took to drain, scenario time.
    case drainTime = "drain_time"

    /// The unit thresholds on it are written in.
    public var unit: ThresholdUnit { self == .lost ? .number : .seconds }
}

/// Decodes `expect.shutdown` and evaluates it against `ScenarioResult.service`.
enum ShutdownExpectation {
    static func decode(_ node: ConfigNode, scenario: Scenario) throws(ConfigError) -> [Expectation] {
        let m = try node.mapping(allowed: ShutdownMeasure.allCases.map(\.rawValue))
        guard scenario.service != nil || scenario.launch != nil else {
            throw node.error(
                "the scenario has no 'service:' section and no 'target: { command: … }', so there is no task service to shut down")
        }
        var out: [Expectation] = []
        for key in m.keys {
            let v = m[key]
            let measure = ShutdownMeasure(rawValue: key)!
            if measure == .drainTime, scenario.service?.sigterm == nil, scenario.launch?.sigtermAt == nil {
                throw v.error(
                    "'drain_time' needs a shutdown to measure: add 'service.sigterm: { replica: 0, at: 10m }' (or 'target.sigterm_at: 10m')")
            }
            let t = try Threshold.decode(v, unit: measure.unit, defaultComparison: .atMost)
            out.append(.shutdown(name: "shutdown.\(key)", measure: measure, threshold: t))
        }
        return out
    }

    static func verdict(name: String, measure: ShutdownMeasure, threshold: Threshold, result: ScenarioResult) -> ExpectationVerdict {
        guard let s = result.service else {
            return ExpectationVerdict(
                name: name, expected: threshold.description, observed: "no task service", passed: false, observations: 0,
                detail: "the run did not go through a task service (run it with --mode live)")
        }
        switch measure {
        case .lost:
            guard s.accepted > 0 else {
                return .noEvidence(
                    name: name, expected: threshold.description, observed: "no task accepted",
                    detail: "the service accepted no task, so none could be lost")
            }
            var detail = "\(s.accepted) tasks accepted with 202; \(s.endedByShutdown) failed with cause shutdown"
            if !s.lostIDs.isEmpty { detail += "; lost: " + s.lostIDs.joined(separator: ", ") }
            return ExpectationVerdict(
                name: name, expected: threshold.description, observed: threshold.unit.format(Double(s.lost)),
                passed: threshold.holds(Double(s.lost)), observations: s.accepted, value: Double(s.lost), detail: detail)
        case .drainTime:
            if s.killed == true {
                return ExpectationVerdict(
                    name: name, expected: threshold.description, observed: "did not exit", passed: false, observations: 1,
                    detail: "the service ignored SIGTERM and was killed (SIGKILL after target.stop_timeout): it never drained")
            }
            guard let d = s.drainSeconds else {
                return .noEvidence(
                    name: name, expected: threshold.description, observed: "no drain",
                    detail: "no replica was shut down during the run")
            }
            return ExpectationVerdict(
                name: name, expected: threshold.description, observed: threshold.unit.format(d), passed: threshold.holds(d),
                observations: 1, value: d,
                detail: "replica \(s.sigtermReplica.map(String.init) ?? "?") signalled at \(s.sigtermAtSeconds.map { threshold.unit.format($0) } ?? "?")")
        }
    }
}
