/// A stream of evidence a run can observe, and that an expectation may consume (contract 5). An
/// expectation declares what it needs (`Expectation.evidence`); a run target says which kinds it
/// provides (the simulator: all of them, `EvidenceKind.all`); `ObservabilityCheck` lists, before
/// the run, the expectations the target cannot observe (a live run then exits 2).
public enum EvidenceKind: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    /// One record per submission: result, cause, attempts, latency from the intended start
    /// (`TaskRecord`); per-window and recovery aggregates are built from these.
    case taskOutcomes = "task_outcomes"
    /// The client stack's own events (`TaskEvent`): attempts as the stack counted them, retries
    /// with their reasons, exact breaker transitions, idempotency decisions.
    case stackEvents = "stack_events"
    /// One record per request the provider saw (`LLMCallRecord`): calls, tokens, executions per
    /// key, retry gaps, Retry-After compliance, retry clustering.
    case llmCalls = "llm_calls"
    /// What the task service answers through its API: the results returned to duplicates
    /// (replays), and its lifecycle (shutdown, drain).
    case serviceAPI = "service_api"

    /// Every kind: what the simulator provides.
    public static let all = Set(allCases)

    /// What the kind is, for messages.
    public var label: String {
        switch self {
        case .taskOutcomes: return "task outcomes"
        case .stackEvents: return "the client stack's events"
        case .llmCalls: return "the LLM call log"
        case .serviceAPI: return "the task service's API"
        }
    }

    /// Declaration order.
    public static func < (a: EvidenceKind, b: EvidenceKind) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// What an expectation needs to be observed: any one of `alternatives`, each a set of evidence
/// kinds that must all be present (e.g. breaker timing from the stack's events, or inferred from
/// the LLM call log).
public struct EvidenceNeed: Sendable, Hashable, CustomStringConvertible {
    /// Sets of kinds; the need is met when the target provides every kind of one of them.
    public var alternatives: [Set<EvidenceKind>]

    /// A need met by any one of `alternatives`.
    public init(anyOf alternatives: [Set<EvidenceKind>]) { self.alternatives = alternatives }

    /// A need met only by all of `kinds`.
    public init(_ kinds: Set<EvidenceKind>) { self.alternatives = [kinds] }

    /// Whether a target providing `provided` meets it.
    public func isMet(by provided: Set<EvidenceKind>) -> Bool {
        alternatives.contains { $0.isSubset(of: provided) }
    }

    /// `task outcomes and the LLM call log`, alternatives joined with `, or `.
    public var description: String {
        alternatives.map { set in set.sorted().map(\.label).joined(separator: " and ") }.joined(separator: ", or ")
    }
}
