import Logging
import Reliability
import Synchronization

/// A task for the live executor: what to ask the LLM and under which idempotency key.
public struct LiveTask: Sendable, Hashable {
    /// The task's identifier (logs, request headers, records).
    public var id: String
    /// The user's task text.
    public var prompt: String
    /// Earlier conversation turns; default none.
    public var history: [ChatMessage]
    /// The idempotency key; nil runs the task without a claim.
    public var idempotencyKey: String?
    /// Selects the task's random stream (jitter), so a run is reproducible for a seed. Default 0.
    public var stream: UInt64

    /// Creates a task.
    public init(id: String, prompt: String, history: [ChatMessage] = [], idempotencyKey: String? = nil, stream: UInt64 = 0) {
        self.id = id
        self.prompt = prompt
        self.history = history
        self.idempotencyKey = idempotencyKey
        self.stream = stream
    }
}

/// What the idempotency layer did with a task.
public enum LiveDisposition: String, Sendable, Hashable, Codable, CaseIterable {
    /// The task ran (it held the key, or had none).
    case executed
    /// A completed task with the same key was found; its stored result was replayed without an LLM call.
    case replayed
    /// A task with the same key was still in flight (IETF draft: 409); nothing ran.
    case conflict
    /// The key was used with a different payload (IETF draft: 422); nothing ran.
    case mismatch
}

/// How one task ended in the live executor. Times are scenario time.
public struct LiveTaskResult: Sendable, Hashable {
    /// The task's identifier.
    public var taskID: String
    /// What the idempotency layer did.
    public var disposition: LiveDisposition
    /// The state machine's outcome (a replay carries the stored success flag and zero calls).
    public var outcome: TaskOutcome
    /// Scenario time the executor took the task.
    public var startedAt: Duration
    /// Scenario time the task ended.
    public var finishedAt: Duration
    /// Tokens used over every attempt.
    public var usage: TokenUsage
    /// The model the task was routed to; nil when it never got that far.
    public var model: String?
    /// The reply on success (or the replayed body); nil otherwise.
    public var body: String?
}

/// A task event tagged with its task.
public struct LiveEvent: Sendable, Hashable {
    /// The task that produced the event.
    public var taskID: String
    /// The event.
    public var event: TaskEvent
}

/// Receives every task event as it happens (called from the task's own context; keep it quick).
public typealias LiveEventHandler = @Sendable (LiveEvent) -> Void

/// The reliability stack over a real transport: drives `TaskFlow` (the same state machine the
/// simulator drives) with a transport and a clock. Shared state (breaker, retry budget) is behind a
/// mutex, so any number of tasks may run concurrently. Retries are logged at warning level the way
/// tenacity's `before_sleep_log` does; retry sleeps end with cause `shutdown` when the task is cancelled.
public final class LiveExecutor: Sendable {
    /// The stack configuration (scenario time).
    public let config: StackConfig
    /// The timeline: clock and time scale.
    public let timeline: LiveTimeline
    private let transport: any LLMTransport
    private let store: (any IdempotencyStore)?
    private let logger: Logger
    private let seed: UInt64
    private let onEvent: LiveEventHandler?
    private let state: Mutex<StackState>

    /// Creates an executor.
    /// - Parameters:
    ///   - config: the stack configuration; durations are scenario time.
    ///   - transport: sends attempts.
    ///   - timeline: clock and time scale; default the continuous clock at scale 1.
    ///   - idempotency: the key store; default a fresh in-memory store (used only when the config has a TTL).
    ///   - seed: seeds each task's jitter stream; default 1.
    ///   - logger: where retries are logged; default label `squall.reliability`.
    ///   - onEvent: receives every task event; default none.
    public init(
        config: StackConfig, transport: any LLMTransport, timeline: LiveTimeline = LiveTimeline(),
        idempotency: (any IdempotencyStore)? = InMemoryIdempotencyStore(), seed: UInt64 = 1,
        logger: Logger = Logger(label: "squall.reliability"), onEvent: LiveEventHandler? = nil
    ) {
        self.config = config
        self.transport = transport
        self.timeline = timeline
        self.store = idempotency
        self.seed = seed
        self.logger = logger
        self.onEvent = onEvent
        self.state = Mutex(config.makeState())
    }

    /// The breaker's current state; nil without a breaker.
    public var breakerState: BreakerState? { state.withLock { $0.breaker?.state } }

    /// A copy of the shared state (breaker, retry budget).
    public var stateSnapshot: StackState { state.withLock { $0 } }

    /// An event stream and the handler that feeds it, for `onEvent`. The stream keeps the newest
    /// `limit` events when the consumer falls behind (default unbounded).
    public static func eventStream(limit: Int? = nil) -> (AsyncStream<LiveEvent>, LiveEventHandler) {
        let (stream, continuation) = AsyncStream.makeStream(
            of: LiveEvent.self, bufferingPolicy: limit.map { .bufferingNewest($0) } ?? .unbounded)
        return (stream, { continuation.yield($0) })
    }

    /// Runs one task to its end: idempotency claim, then attempts, sleeps and breaker checks as the
    /// state machine says, then the idempotency result. A finished task (success or failure) stores
    /// its result, which duplicates replay (IETF draft); a task cut short by shutdown releases the
    /// key, so a later caller may run it again.
    public func run(_ task: LiveTask) async -> LiveTaskResult {
        let startedAt = timeline.now()
        var flow = TaskFlow(startedAt: startedAt)
        let planned: PlannedRequest
        do {
            planned = try config.plan(task: task.prompt, history: task.history)
        } catch {
            return finishEarly(task, &flow, cause: .tokenBudget, startedAt: startedAt)
        }

        var heldKey: (key: String, fingerprint: String, ttl: Duration)?
        if let key = task.idempotencyKey, let ttl = config.idempotencyTTL, let store {
            let fingerprint = String(stableHash(task.prompt), radix: 16)
            do {
                switch try await store.claim(key: key, fingerprint: fingerprint, now: timeline.now(), ttl: ttl) {
                case .claimed:
                    heldKey = (key, fingerprint, ttl)
                case .inFlight:
                    return unexecuted(task, .conflict, succeeded: false, cause: nil, body: nil, startedAt: startedAt)
                case .completed(let stored):
                    return unexecuted(
                        task, .replayed, succeeded: stored.succeeded, cause: nil, body: stored.body, startedAt: startedAt)
                case .mismatch:
                    return unexecuted(
                        task, .mismatch, succeeded: false, cause: .idempotencyMismatch, body: nil, startedAt: startedAt)
                }
            } catch {
                logger.error(
                    "Idempotency store failed; running the task without a claim",
                    metadata: ["task": "\(task.id)", "error": "\(error)"])
            }
        }

        var rng = SquallRandom.stream(seed: seed, task.stream)
        var usage = TokenUsage.zero
        var body: String?
        var action = step(task.id) { st, now, sink in
            flow.start(config: config, state: &st, now: now, rng: &rng, sink: &sink)
        }
        var outcome: TaskOutcome
        loop: while true {
            switch action {
            case .attempt(let number, let timeout):
                let request = LLMRequest(
                    model: planned.route.model, messages: planned.prompt.messages, maxTokens: planned.route.maxTokens,
                    idempotencyKey: task.idempotencyKey, taskID: task.id, attempt: number)
                let result = await transport.send(request, timeout: timeline.toReal(timeout))
                if Task.isCancelled, !result.outcome.isSuccess {
                    // Cut short by shutdown, not a provider failure: nothing counts against the breaker.
                    outcome = abort(&flow, task.id, cause: .shutdown)
                    break loop
                }
                if let u = result.usage { usage = usage + u }
                if result.outcome.isSuccess { body = result.body }
                action = step(task.id) { st, now, sink in
                    flow.attemptEnded(result.outcome, config: config, state: &st, now: now, rng: &rng, sink: &sink)
                }
            case .sleep(let until):
                do {
                    try await timeline.sleep(untilScenario: until)
                } catch {
                    outcome = abort(&flow, task.id, cause: .shutdown)
                    break loop
                }
                action = step(task.id) { st, now, sink in
                    flow.wakeUp(config: config, state: &st, now: now, rng: &rng, sink: &sink)
                }
            case .finish(let o):
                outcome = o
                break loop
            }
        }

        if let heldKey, let store {
            do {
                if outcome.cause == .shutdown {
                    // Cut short, not finished: the next caller with this key may run it.
                    try await store.release(key: heldKey.key)
                } else {
                    // Success or failure, the result is stored and replayed to duplicates (IETF draft).
                    let stored = outcome.succeeded
                        ? StoredResult(succeeded: true, body: body ?? "")
                        : StoredResult(succeeded: false, body: "error:" + (outcome.cause?.rawValue ?? "failed"))
                    try await store.complete(
                        key: heldKey.key, fingerprint: heldKey.fingerprint, result: stored, now: timeline.now(),
                        ttl: heldKey.ttl)
                }
            } catch {
                logger.error(
                    "Idempotency store failed to record the result", metadata: ["task": "\(task.id)", "error": "\(error)"])
            }
        }
        return LiveTaskResult(
            taskID: task.id, disposition: .executed, outcome: outcome, startedAt: startedAt, finishedAt: outcome.finishedAt,
            usage: usage, model: planned.route.model, body: outcome.succeeded ? body : nil)
    }

    // MARK: Internals

    /// Runs one state-machine step under the shared-state lock (reading `now` inside it, so the
    /// breaker sees non-decreasing instants), then emits its events outside the lock.
    private func step(
        _ taskID: String, _ body: (inout StackState, Duration, inout CollectingEventSink) -> TaskAction
    ) -> TaskAction {
        let (action, events) = state.withLock { st -> (TaskAction, [TaskEvent]) in
            var sink = CollectingEventSink()
            let action = body(&st, timeline.now(), &sink)
            return (action, sink.events)
        }
        emit(taskID, events)
        return action
    }

    /// Ends a task early under the shared-state lock (freeing any breaker probe it holds).
    private func abort(_ flow: inout TaskFlow, _ taskID: String, cause: FailureCause) -> TaskOutcome {
        let (outcome, events) = state.withLock { st -> (TaskOutcome, [TaskEvent]) in
            var sink = CollectingEventSink()
            let o = flow.abort(cause: cause, state: &st, now: timeline.now(), sink: &sink)
            return (o, sink.events)
        }
        emit(taskID, events)
        return outcome
    }

    private func emit(_ taskID: String, _ events: [TaskEvent]) {
        for event in events {
            switch event {
            case .retryScheduled(let next, let delay, let reason, _, let cause):
                logger.warning(
                    "Retrying attempt \(next) in \(DurationFormat.short(delay)) as it raised \(cause?.label ?? "breaker_open")",
                    metadata: ["task": "\(taskID)", "reason": "\(reason.rawValue)"])
            case .breaker(let t):
                logger.notice(
                    "Circuit breaker \(t.from.rawValue) -> \(t.to.rawValue): \(t.cause.label)",
                    metadata: ["at": "\(DurationFormat.short(t.at))"])
            default:
                break
            }
            onEvent?(LiveEvent(taskID: taskID, event: event))
        }
    }

    private func finishEarly(
        _ task: LiveTask, _ flow: inout TaskFlow, cause: FailureCause, startedAt: Duration
    ) -> LiveTaskResult {
        let outcome = abort(&flow, task.id, cause: cause)
        return LiveTaskResult(
            taskID: task.id, disposition: .executed, outcome: outcome, startedAt: startedAt,
            finishedAt: outcome.finishedAt, usage: .zero, model: nil, body: nil)
    }

    private func unexecuted(
        _ task: LiveTask, _ disposition: LiveDisposition, succeeded: Bool, cause: FailureCause?, body: String?,
        startedAt: Duration
    ) -> LiveTaskResult {
        let now = timeline.now()
        let outcome = TaskOutcome(
            succeeded: succeeded, attempts: 0, calls: 0, cause: cause, lastOutcome: nil, lastClass: nil, finishedAt: now)
        return LiveTaskResult(
            taskID: task.id, disposition: disposition, outcome: outcome, startedAt: startedAt, finishedAt: now,
            usage: .zero, model: nil, body: body)
    }
}
