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
        await execute(task).result
    }

    /// Runs one task to its end, as `run(_:)` does, and returns its state, whose `result` is the
    /// task's result. For callers that keep thousands of tasks waiting (LoadGen's stack target):
    /// their frames hold this reference instead of a 208-byte result.
    public func execute(_ task: consuming LiveTask) async -> LiveTaskRun {
        // Every task in flight holds its async frames until it ends (10,000 of them when a target
        // stalls), and a frame keeps a slot for every value any path might hold across a
        // suspension, including each temporary a call returns into. So the task's state lives in
        // one `LiveTaskRun` object, the async functions below only pass it along, and everything
        // else happens in synchronous helpers that are never inlined into them (BENCHMARKS.md
        // "Load generator memory": the async function pointers' context sizes).
        let run = makeRun(task)
        await drive(run)
        finish(run)
        return run
    }

    typealias TaskRun = LiveTaskRun

    /// A new task's state (never inlined: building it here gave the waiting frame a slot for
    /// every temporary of the build, 1 KB held while the task waits).
    @inline(never)
    private func makeRun(_ task: LiveTask) -> TaskRun {
        TaskRun(task, startedAt: timeline.now(), rng: SquallRandom.stream(seed: seed, task.stream))
    }

    /// Makes sure the ended task has an outcome (its result is read from the run).
    @inline(never)
    private func finish(_ run: TaskRun) {
        if run.outcome == nil { cutShort(run) }
    }

    /// What the state machine asks for next; the outcome of `.finish` is in `TaskRun.outcome`.
    /// (Small, so the attempt loop's frame holds no copy of `TaskAction`'s outcome.)
    enum Next {
        case attempt(number: Int, timeout: Duration)
        case sleep(until: Duration)
        case finish
    }

    /// Plan, claim, attempts, settle.
    @inline(never)
    private func drive(_ run: TaskRun) async {
        // Only `run` crosses a suspension here: every test and unwrap is in a synchronous helper,
        // so this frame (held while the task waits) has no slots for keys, stores or outcomes.
        guard plan(run) else { return }
        if claims(run), await claim(run) { return }
        await attempts(run)
        if attemptsEnded(run) { await settle(run) }
    }

    /// Whether the task claims a key before its attempts (it has one, and idempotency is on).
    @inline(never)
    private func claims(_ run: TaskRun) -> Bool {
        run.task.idempotencyKey != nil && config.idempotencyTTL != nil && store != nil
    }

    /// After the attempts: makes sure the task has an outcome (settle needs one) and says whether
    /// it holds a key to settle.
    @inline(never)
    private func attemptsEnded(_ run: TaskRun) -> Bool {
        if run.outcome == nil { cutShort(run) }  // `attempts` always ends with one
        return run.held != nil && store != nil
    }

    /// Routes the task; false (and the task settled) when the prompt is over the token budget.
    @inline(never)
    private func plan(_ run: TaskRun) -> Bool {
        do {
            run.planned = try config.plan(task: run.task.prompt, history: run.task.history)
            return true
        } catch {
            run.outcome = abort(run, cause: .tokenBudget)
            return false
        }
    }

    /// Claims the task's key: false when the task goes on (holding the key, or without a claim
    /// when the store failed, which is logged), true when it is settled (conflict, replay, mismatch).
    @inline(never)
    private func claim(_ run: TaskRun) async -> Bool {
        guard let store, let key = run.task.idempotencyKey, let ttl = config.idempotencyTTL else { return false }
        let fingerprint = String(stableHash(run.task.prompt), radix: 16)
        do {
            let claim = try await store.claim(key: key, fingerprint: fingerprint, now: timeline.now(), ttl: ttl)
            return claimed(run, claim, key: key, fingerprint: fingerprint, ttl: ttl)
        } catch {
            logStoreFailure("Idempotency store failed; running the task without a claim", run.task.id, error)
            return false
        }
    }

    @inline(never)
    private func claimed(_ run: TaskRun, _ claim: ClaimResult, key: String, fingerprint: String, ttl: Duration) -> Bool {
        switch claim {
        case .claimed:
            run.held = (key, fingerprint, ttl)
            return false
        case .inFlight:
            unexecuted(run, .conflict, succeeded: false, cause: nil, body: nil)
        case .completed(let stored):
            unexecuted(run, .replayed, succeeded: stored.succeeded, cause: nil, body: stored.body)
        case .mismatch:
            unexecuted(run, .mismatch, succeeded: false, cause: .idempotencyMismatch, body: nil)
        }
        return true
    }

    /// Attempts, sleeps and breaker checks as the state machine says, until it finishes
    /// (`run.outcome` is set).
    @inline(never)
    private func attempts(_ run: TaskRun) async {
        var next = start(run)
        while true {
            switch next {
            case .attempt(let number, let timeout):
                let result = await transport.send(request(run, attempt: number), timeout: timeline.toReal(timeout))
                if Task.isCancelled, !result.outcome.isSuccess {
                    // Cut short by shutdown, not a provider failure: nothing counts against the breaker.
                    cutShort(run)
                    return
                }
                next = attemptEnded(run, result)
            case .sleep(let until):
                do {
                    try await timeline.sleep(untilScenario: until)
                } catch {
                    cutShort(run)
                    return
                }
                next = wakeUp(run)
            case .finish:
                return
            }
        }
    }

    @inline(never)
    private func start(_ run: TaskRun) -> Next {
        next(
            run,
            step(run.task.id) { st, now, sink in
                run.flow.start(config: config, state: &st, now: now, rng: &run.rng, sink: &sink)
            })
    }

    @inline(never)
    private func attemptEnded(_ run: TaskRun, _ result: AttemptResult) -> Next {
        if let u = result.usage { run.usage = run.usage + u }
        if result.outcome.isSuccess { run.body = result.body }
        return next(
            run,
            step(run.task.id) { st, now, sink in
                run.flow.attemptEnded(result.outcome, config: config, state: &st, now: now, rng: &run.rng, sink: &sink)
            })
    }

    @inline(never)
    private func wakeUp(_ run: TaskRun) -> Next {
        next(
            run,
            step(run.task.id) { st, now, sink in
                run.flow.wakeUp(config: config, state: &st, now: now, rng: &run.rng, sink: &sink)
            })
    }

    /// `action` as a `Next`, keeping a finish's outcome in `run`.
    private func next(_ run: TaskRun, _ action: TaskAction) -> Next {
        switch action {
        case .attempt(let number, let timeout): return .attempt(number: number, timeout: timeout)
        case .sleep(let until): return .sleep(until: until)
        case .finish(let outcome):
            run.outcome = outcome
            return .finish
        }
    }

    /// Ends the task with cause `shutdown` (freeing any breaker probe it holds).
    @inline(never)
    private func cutShort(_ run: TaskRun) {
        run.outcome = abort(run, cause: .shutdown)
    }

    /// The request for attempt `number`.
    @inline(never)
    private func request(_ run: TaskRun, attempt number: Int) -> LLMRequest {
        let planned = run.planned!
        return LLMRequest(
            model: planned.route.model, messages: planned.prompt.messages, maxTokens: planned.route.maxTokens,
            idempotencyKey: run.task.idempotencyKey, taskID: run.task.id, attempt: number)
    }

    /// Stores a finished task's result under its key (replayed to duplicates, IETF draft), or
    /// releases the key of a task cut short by shutdown so the next caller may run it.
    @inline(never)
    private func settle(_ run: TaskRun) async {
        guard let store, let held = run.held, let outcome = run.outcome else { return }
        do {
            if outcome.cause == .shutdown {
                try await store.release(key: held.key)
            } else {
                try await store.complete(
                    key: held.key, fingerprint: held.fingerprint, result: Self.stored(outcome, run.body), now: timeline.now(),
                    ttl: held.ttl)
            }
        } catch {
            logStoreFailure("Idempotency store failed to record the result", run.task.id, error)
        }
    }

    /// What duplicates replay: the reply on success, the failure's cause otherwise.
    @inline(never)
    private static func stored(_ outcome: TaskOutcome, _ body: String?) -> StoredResult {
        outcome.succeeded
            ? StoredResult(succeeded: true, body: body ?? "")
            : StoredResult(succeeded: false, body: "error:" + (outcome.cause?.rawValue ?? "failed"))
    }

    @inline(never)
    private func logStoreFailure(_ message: Logger.Message, _ taskID: String, _ error: any Error) {
        logger.error(message, metadata: ["task": "\(taskID)", "error": "\(error)"])
    }

    // MARK: Internals

    /// Runs one state-machine step under the shared-state lock (reading `now` inside it, so the
    /// breaker sees non-decreasing instants), then emits its events outside the lock.
    @inline(never)
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
    @inline(never)
    private func abort(_ run: TaskRun, cause: FailureCause) -> TaskOutcome {
        let (outcome, events) = state.withLock { st -> (TaskOutcome, [TaskEvent]) in
            var sink = CollectingEventSink()
            let o = run.flow.abort(cause: cause, state: &st, now: timeline.now(), sink: &sink)
            return (o, sink.events)
        }
        emit(run.task.id, events)
        return outcome
    }

    @inline(never)
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

    /// Ends a task the idempotency layer answered without running it.
    @inline(never)
    private func unexecuted(
        _ run: TaskRun, _ disposition: LiveDisposition, succeeded: Bool, cause: FailureCause?, body: String?
    ) {
        run.disposition = disposition
        run.body = body
        run.outcome = TaskOutcome(
            succeeded: succeeded, attempts: 0, calls: 0, cause: cause, lastOutcome: nil, lastClass: nil,
            finishedAt: timeline.now())
    }
}

/// One task's state while a `LiveExecutor` runs it (kept out of the async frames; see
/// `LiveExecutor.execute`). Touched only by the task running it, one step at a time.
public final class LiveTaskRun {
    let task: LiveTask
    let startedAt: Duration
    var flow: TaskFlow
    var rng: SquallRandom
    var planned: PlannedRequest?
    var usage = TokenUsage.zero
    var body: String?
    /// Set when the task ended: by the state machine, cut short, over the token budget, or
    /// answered by the idempotency layer (with `disposition`).
    var outcome: TaskOutcome?
    /// What the idempotency layer did (`executed` unless it answered the task itself).
    var disposition = LiveDisposition.executed
    /// The key this task holds in the idempotency store.
    var held: (key: String, fingerprint: String, ttl: Duration)?

    init(_ task: LiveTask, startedAt: Duration, rng: SquallRandom) {
        self.task = task
        self.startedAt = startedAt
        self.flow = TaskFlow(startedAt: startedAt)
        self.rng = rng
    }

    /// The task's result, once `LiveExecutor.execute` returned it (before that, the task reads as
    /// cut short at its start).
    /// (Computed from the run's fields rather than stored: 208 bytes less per task in flight.)
    public var result: LiveTaskResult {
        let outcome =
            self.outcome
            ?? TaskOutcome(
                succeeded: false, attempts: 0, calls: 0, cause: .shutdown, lastOutcome: nil, lastClass: nil,
                finishedAt: startedAt)
        let executed = disposition == .executed
        return LiveTaskResult(
            taskID: task.id, disposition: disposition, outcome: outcome, startedAt: startedAt,
            finishedAt: outcome.finishedAt, usage: usage, model: executed ? planned?.route.model : nil,
            body: executed ? (outcome.succeeded ? body : nil) : body)
    }
}
