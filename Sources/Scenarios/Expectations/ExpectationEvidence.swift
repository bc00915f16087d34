import YAMLConfig

extension Expectation {
    /// The evidence this expectation needs to be judged (contract 5): task outcomes for rates,
    /// latencies, per-window figures and recovery; the LLM call log for calls, tokens, cost,
    /// executions per key, offered load, retry clustering, Retry-After compliance and
    /// re-executions; the client stack's events for the breaker and the idempotency layer's
    /// decisions; the task service's API for replays and shutdown.
    public var evidence: EvidenceNeed {
        switch self {
        case .threshold(_, let metric, _, let scope):
            var kinds = Self.evidence(of: metric)
            if case .run = scope {} else { kinds.insert(.taskOutcomes) }  // scopes select tasks by intended start
            return EvidenceNeed(kinds)
        case .arithmetic, .recoversWithin:
            return EvidenceNeed([.taskOutcomes])
        case .breakerOpensWithin, .breakerClosesWithin, .breakerHalfOpenProbes, .breakerCycles:
            // Or inferred at the LLM from the calls and the arrivals (`InferredBreakerMachine`).
            return EvidenceNeed(anyOf: [[.stackEvents], [.taskOutcomes, .llmCalls]])
        case .breakerCallsWhileOpen, .breakerOpensAfter, .breakerOpensWithinCrossing, .breakerClosesWithinFirstRequest,
            .reexecutionAfterTTL:
            // The breaker's admissions and failure counts, and the idempotency layer's decisions,
            // cannot be told from the LLM side.
            return EvidenceNeed([.stackEvents])
        case .executionsPerKey, .retryClustering, .retryAfterEarly, .reexecutionWithin:
            return EvidenceNeed([.llmCalls])
        case .replaysIdentical, .shutdown, .serviceLatency:
            return EvidenceNeed([.serviceAPI])
        }
    }

    static func evidence(of metric: Metric) -> Set<EvidenceKind> {
        switch metric {
        case .successRate, .failures, .failuresPerDay, .latency, .attemptsPerTask, .failuresByCause, .routeTaskShare:
            return [.taskOutcomes]
        case .llmCallsPerTask:
            return [.taskOutcomes, .llmCalls]
        case .llmCalls, .llmCallsPerDay, .tokensPerDay, .costPerDay, .duplicateExecutions, .offeredLoad:
            return [.llmCalls]
        case .routeCostShare:
            return [.taskOutcomes, .llmCalls]
        }
    }
}

/// An expectation a run target cannot observe, with what it would need.
public struct UnobservableExpectation: Sendable, Hashable, CustomStringConvertible {
    /// The expectation's name (`breaker.opens_after`).
    public var name: String
    /// What it needs.
    public var needs: EvidenceNeed
    /// The kinds the target lacks for it (of its first alternative).
    public var missing: [EvidenceKind]

    /// `breaker.opens_after needs the client stack's events`.
    public var description: String { "\(name) needs \(needs)" }
}

/// Checks, before a run, that the target can observe every expectation (contract 5): in the
/// simulator everything is observable; a live target provides some of the kinds only (a foreign
/// service without the stack's events cannot judge the breaker's threshold crossing).
public enum ObservabilityCheck {
    /// The expectations of `expectations` that a target providing `provided` cannot observe, in order.
    public static func unobservable(_ expectations: [Expectation], provided: Set<EvidenceKind>) -> [UnobservableExpectation] {
        expectations.compactMap { e in
            let need = e.evidence
            guard !need.isMet(by: provided) else { return nil }
            let missing = (need.alternatives.first ?? []).subtracting(provided).sorted()
            return UnobservableExpectation(name: e.name, needs: need, missing: missing)
        }
    }

    /// Throws bad input (exit 2) naming `scenario`'s first expectations a target providing
    /// `provided` cannot observe, and what it provides; returns when every one is observable.
    public static func require(_ scenario: Scenario, provided: Set<EvidenceKind>, target: String) throws(ConfigError) {
        let missing = unobservable(scenario.expectations, provided: provided)
        guard !missing.isEmpty else { return }
        let has = provided.sorted().map(\.label).joined(separator: ", ")
        throw ConfigError(
            file: scenario.source, line: 0, column: 0, path: "expect",
            message: "\(target) cannot observe \(missing.map(\.description).joined(separator: "; ")); "
                + "it provides \(has.isEmpty ? "nothing" : has). Remove these expectations or run against a target that provides them")
    }
}
