import Reliability

/// Where a load run sends its tasks: `raw`, `stack` or `tasks` (or a test double).
public protocol LoadTarget: Sendable {
    /// A short name for summaries (`raw`, `stack`, `tasks`).
    var name: String { get }
    /// Runs one task to its end and says how it went. Must return promptly when the task is cancelled.
    func run(_ task: LoadTask) async -> TargetResult
    /// The circuit breaker's current state, when the target has one in process. Default nil.
    var breakerState: BreakerState? { get }
}

extension LoadTarget {
    /// No in-process breaker.
    public var breakerState: BreakerState? { nil }
}

/// The target kinds `squall load` offers.
public enum TargetKind: String, Sendable, Hashable, CaseIterable {
    /// A plain OpenAI-compatible endpoint, one POST per task, no stack (baseline).
    case raw
    /// The in-process reliability stack calling an OpenAI-compatible endpoint.
    case stack
    /// An HTTP task service: POST /tasks, then poll GET /tasks/{id}.
    case tasks
}
