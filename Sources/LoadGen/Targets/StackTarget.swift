import LiveRuntime
import Reliability

/// The in-process reliability stack as a target: each task runs through a `LiveExecutor`.
public struct StackTarget: LoadTarget {
    public var name: String { "stack" }
    /// The executor (shared breaker, budget and idempotency store across tasks).
    public let executor: LiveExecutor
    /// The executor's idempotency store when it is a run-scoped one: told when each submission
    /// ends, so it forgets keys no later submission can find. Nil when the store keeps keys itself.
    public let runStore: RunIdempotencyStore?

    /// A target over `executor`; pass the `RunIdempotencyStore` the executor was built with (if it
    /// was), so the store stays bounded by the work in flight instead of the TTL. Default nil.
    public init(executor: LiveExecutor, runStore: RunIdempotencyStore? = nil) {
        self.executor = executor
        self.runStore = runStore
    }

    public var breakerState: BreakerState? { executor.breakerState }

    public func run(_ task: LoadTask) async -> TargetResult {
        // The conversions are never inlined, and only the task's key (for the run store) and the
        // executor's run object cross the suspension, so this frame (held while the task waits)
        // stays small (see `LiveExecutor.execute`).
        let ending = runStore == nil ? nil : RunIdempotencyStore.Ending(task)
        let run = await executor.execute(Self.liveTask(task))
        return ended(run, ending)
    }

    @inline(never)
    func ended(_ run: LiveTaskRun, _ ending: RunIdempotencyStore.Ending?) -> TargetResult {
        if let ending { runStore?.ended(ending) }
        return Self.result(run.result)
    }

    @inline(never)
    static func liveTask(_ task: LoadTask) -> LiveTask {
        let stream = UInt64(task.index) &* 4 &+ UInt64(task.duplicate.map { DuplicateKind.allCases.firstIndex(of: $0)! + 1 } ?? 0)
        return LiveTask(id: task.id, prompt: task.prompt, idempotencyKey: task.idempotencyKey, stream: stream)
    }

    @inline(never)
    static func result(_ r: LiveTaskResult) -> TargetResult {
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
