import LiveRuntime
import Reliability

/// The in-process reliability stack as a target: each task runs through a `LiveExecutor`.
public struct StackTarget: LoadTarget {
    public var name: String { "stack" }
    /// The executor (shared breaker, budget and idempotency store across tasks).
    public let executor: LiveExecutor

    /// A target over `executor`.
    public init(executor: LiveExecutor) { self.executor = executor }

    public var breakerState: BreakerState? { executor.breakerState }

    public func run(_ task: LoadTask) async -> TargetResult {
        let stream = UInt64(task.index) &* 4 &+ UInt64(task.duplicate.map { DuplicateKind.allCases.firstIndex(of: $0)! + 1 } ?? 0)
        let r = await executor.run(
            LiveTask(id: task.id, prompt: task.prompt, idempotencyKey: task.idempotencyKey, stream: stream))
        let status: RecordStatus
        switch r.disposition {
        case .executed: status = r.outcome.succeeded ? .succeeded : .failed
        case .replayed: status = .replayed
        case .conflict: status = .conflict
        case .mismatch: status = .mismatch
        }
        return TargetResult(
            status: status, cause: r.outcome.cause, attempts: r.outcome.attempts, calls: r.outcome.calls,
            lastOutcome: r.outcome.lastOutcome?.label, usage: r.usage, model: r.model, replyDigest: r.body.map(stableHash))
    }
}
