import Reliability

/// The bounded aggregates expectations and charts read instead of per-task records: per fault
/// window, the tasks arriving before, during and after it; the success ratio of tasks arriving in
/// steps after it (recovery); the steady-state counts of the failure arithmetic; and the outcomes
/// of each time-series interval. What is kept is configured from the scenario (`ResultNeeds`).
/// Not part of `summary.json` (the verdicts there carry what they read).
public struct RunAggregates: Sendable, Hashable {
    /// Task aggregates per window and scope, in window then scope order.
    public var scopes: [ScopeFigures] = []
    /// Recovery series per window that has a `recovers_within` expectation.
    public var recovery: [RecoverySeries] = []
    /// Executed and failed tasks that overlapped no fault window (nor the breaker's recovery
    /// timeout after one); nil when the scenario has no fault window.
    public var steadyState: SteadyStateCounts?
    /// Tasks finished per time-series interval by outcome.
    public var intervalOutcomes = IntervalOutcomes()
    /// What the mechanism accumulators found (only what the expectations asked for).
    public var mechanisms = MechanismFigures()

    /// Empty aggregates.
    public init() {}

    /// The figures of `scope` of window `window`, if kept.
    public func scope(_ scope: WindowScope, window: Int) -> ScopeFigures? {
        scopes.first { $0.window == window && $0.scope == scope }
    }
}

/// Which tasks of a fault window a scope covers, by intended start.
public enum WindowScope: String, Sendable, Hashable, Codable, CaseIterable {
    /// Before the window starts.
    case before
    /// Inside the window.
    case during
    /// From the window's end.
    case after
}

/// Executed tasks of one scope of one window.
public struct ScopeFigures: Sendable, Hashable {
    /// The window's 1-based index.
    public var window: Int
    /// Which tasks.
    public var scope: WindowScope
    /// Finished tasks (succeeded + failed).
    public var tasks: Int
    /// Of which succeeded.
    public var succeeded: Int
    /// Failed tasks by cause.
    public var failuresByCause: [NamedCount]
    /// Attempts over the tasks.
    public var attempts: Int
    /// LLM calls over the tasks.
    public var calls: Int
    /// Their latency from the intended start (HDR, 3 significant digits); nil unless an expectation needs it.
    public var latency: LatencySummary?

    /// Failed tasks.
    public var failed: Int { tasks - succeeded }
    /// Failed tasks with `cause`.
    public func failures(_ cause: String) -> Int { failuresByCause.first { $0.name == cause }?.count ?? 0 }
}

/// Success counts of the tasks arriving after a window, in steps of intended start.
public struct RecoverySeries: Sendable, Hashable {
    /// The window's 1-based index.
    public var window: Int
    /// Step length, seconds.
    public var stepSeconds: Double
    /// Executed tasks that arrived before the window, and how many succeeded (the baseline).
    public var before: TaskCount
    /// Per step from the window's end; steps beyond `RecoverySeries.maxSteps` are not kept.
    public var steps: [TaskCount]
    /// Executed tasks that arrived after the last kept step.
    public var later: Int

    /// The step length for a `recovers_within` limit: a quarter of it, within 1 s … 60 s.
    public static func step(for limit: Duration) -> Duration {
        .fromSeconds(max(1, min(60, limit.seconds / 4)))
    }

    /// Most steps kept after a window.
    public static let maxSteps = 4096
}

/// Finished tasks and how many of them succeeded.
public struct TaskCount: Sendable, Hashable, Codable {
    /// Finished (succeeded + failed) tasks.
    public var tasks = 0
    /// Of which succeeded.
    public var succeeded = 0
    /// Creates a count.
    public init(tasks: Int = 0, succeeded: Int = 0) {
        self.tasks = tasks
        self.succeeded = succeeded
    }
    /// `succeeded / tasks`; nil when there are none.
    public var ratio: Double? { tasks == 0 ? nil : Double(succeeded) / Double(tasks) }
}

/// Tasks outside every fault window, for the failure arithmetic's steady-state comparison.
public struct SteadyStateCounts: Sendable, Hashable {
    /// Executed, finished tasks that overlapped no window.
    public var tasks: Int
    /// Of which failed.
    public var failed: Int
    /// The margin after each window that also counts as overlapping (the breaker's longest recovery timeout), seconds.
    public var bufferSeconds: Double
}

/// Tasks finished per time-series interval: succeeded at the first attempt, and failed by cause
/// (succeeded after a retry = `succeeded − succeededFirstAttempt`).
public struct IntervalOutcomes: Sendable, Hashable {
    /// Per interval.
    public var succeededFirstAttempt: [Int] = []
    /// Per cause, per interval (causes with at least one failure).
    public var failedByCause: [String: [Int]] = [:]
    /// Creates a breakdown.
    public init(succeededFirstAttempt: [Int] = [], failedByCause: [String: [Int]] = [:]) {
        self.succeededFirstAttempt = succeededFirstAttempt
        self.failedByCause = failedByCause
    }
}
