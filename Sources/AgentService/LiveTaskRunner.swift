import LiveRuntime
import Logging
import Reliability

/// The production runner: the reliability stack's `LiveExecutor` (route → token budget → breaker,
/// retries, backoff → transport). Idempotency is settled at submission by the service, so the
/// executor runs without a store of its own; the task's key is still forwarded to the LLM.
public struct LiveTaskRunner: TaskRunner {
    /// The executor every task of this replica runs through (one breaker and retry budget per replica).
    public let executor: LiveExecutor

    /// Creates a runner over `transport` with the stack `config`; `timeline` compresses the stack's
    /// durations by its scale (default real time); `onEvent` receives the stack's events (attempts,
    /// retries, breaker transitions) at the instants they happen, on `timeline` (default none).
    public init(
        config: StackConfig, transport: any LLMTransport, timeline: LiveTimeline = LiveTimeline(),
        logger: Logger = Logger(label: "squall.service"), onEvent: LiveEventHandler? = nil
    ) {
        executor = LiveExecutor(
            config: config, transport: transport, timeline: timeline, idempotency: nil, logger: logger, onEvent: onEvent)
    }

    /// Creates a runner over an existing executor.
    public init(executor: LiveExecutor) { self.executor = executor }

    public func run(_ input: TaskInput) async -> TaskRunResult {
        let live = LiveTask(id: input.id, prompt: input.task, idempotencyKey: input.idempotencyKey, stream: stableHash(input.id))
        let r = await executor.run(live)
        let cost = r.model.flatMap { executor.config.prices.cost(model: $0, usage: r.usage) }
        if r.outcome.succeeded {
            return TaskRunResult(
                succeeded: true, result: r.body ?? "", attempts: r.outcome.attempts, model: r.model, costUSD: cost)
        }
        let cause = r.outcome.cause ?? .permanent
        var message = "task failed: \(cause.rawValue)"
        if let last = r.outcome.lastOutcome { message += " (last attempt: \(last.label))" }
        return TaskRunResult(
            succeeded: false, error: message, cause: cause.rawValue, attempts: r.outcome.attempts, model: r.model,
            costUSD: cost)
    }
}
