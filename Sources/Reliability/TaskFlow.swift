/// Why a task failed.
public enum FailureCause: String, Sendable, Hashable, Codable, CaseIterable {
    /// The last attempt failed permanently (4xx, context length, x-should-retry: false).
    case permanent
    /// Every attempt failed with a retryable error.
    case attemptsExhausted = "attempts_exhausted"
    /// The task's overall deadline passed.
    case deadlineExceeded = "deadline_exceeded"
    /// The retry budget refused a retry.
    case budgetExhausted = "budget_exhausted"
    /// The server asked for a wait above the cap and the policy gives up.
    case retryAfterTooLong = "retry_after_too_long"
    /// The circuit breaker rejected the task (policy `fail`).
    case breakerOpen = "breaker_open"
    /// The prompt could not be fitted into the token budget.
    case tokenBudget = "token_budget"
    /// The service shut down before the task finished.
    case shutdown
    /// The same idempotency key was used with a different payload.
    case idempotencyMismatch = "idempotency_mismatch"
    /// A task service did not answer the submission within the request timeout (a stalled
    /// service, e.g. a blocked event loop), so the task was never accepted.
    case submitTimeout = "submit_timeout"
    /// A task service refused or dropped the submission's connection (nothing listening, reset).
    case submitRefused = "submit_refused"
    /// A task service answered the submission with an error status (5xx, or a 4xx other than
    /// 409/422); the status is the task's last outcome.
    case submitError = "submit_error"
    /// A task service's submit answer had no task id where its contract says (`target.id`).
    case contractID = "contract_id"
    /// A task service's task document had no status, or one outside its contract's sets
    /// (`target.status`, `success`, `failure`, `pending`).
    case contractStatus = "contract_status"

    init(_ stop: StopReason) {
        switch stop {
        case .permanent: self = .permanent
        case .attemptsExhausted: self = .attemptsExhausted
        case .deadlineExceeded: self = .deadlineExceeded
        case .budgetExhausted: self = .budgetExhausted
        case .retryAfterTooLong: self = .retryAfterTooLong
        }
    }
}

/// How a task ended. A failure carries the last attempt's own outcome (tenacity's `reraise`).
public struct TaskOutcome: Sendable, Hashable {
    /// Whether an attempt succeeded.
    public var succeeded: Bool
    /// LLM attempts made (breaker rejections under policy `retry` count as attempts without a call).
    public var attempts: Int
    /// LLM calls actually sent.
    public var calls: Int
    /// Why the task failed; nil on success.
    public var cause: FailureCause?
    /// The last attempt's outcome (the error the caller sees on failure).
    public var lastOutcome: AttemptOutcome?
    /// The class of the last attempt's outcome.
    public var lastClass: FailureClass?
    /// Scenario time the task ended.
    public var finishedAt: Duration

    /// Creates an outcome (drivers that end a task outside the state machine, e.g. an idempotency replay).
    public init(
        succeeded: Bool, attempts: Int, calls: Int, cause: FailureCause?, lastOutcome: AttemptOutcome?,
        lastClass: FailureClass?, finishedAt: Duration
    ) {
        self.succeeded = succeeded
        self.attempts = attempts
        self.calls = calls
        self.cause = cause
        self.lastOutcome = lastOutcome
        self.lastClass = lastClass
        self.finishedAt = finishedAt
    }
}

/// What the driver must do next for a task.
public enum TaskAction: Sendable, Hashable {
    /// Send attempt `number` now, bounded by `timeout`; then call `attemptEnded`.
    case attempt(number: Int, timeout: Duration)
    /// Sleep until `until` (scenario time); then call `wakeUp`.
    case sleep(until: Duration)
    /// The task is done.
    case finish(TaskOutcome)
}

/// Something that happened in a task, for reports and logs.
public enum TaskEvent: Sendable, Hashable {
    /// Attempt `attempt` was sent at `at`.
    case attemptStarted(attempt: Int, at: Duration)
    /// Attempt `attempt` ended at `at` with `outcome` (classified as `failureClass`) after `latency`.
    case attemptEnded(attempt: Int, outcome: AttemptOutcome, failureClass: FailureClass, at: Duration, latency: Duration)
    /// A retry was scheduled at `at`: attempt `nextAttempt` after `delay`, because of `reason`.
    case retryScheduled(nextAttempt: Int, delay: Duration, reason: RetryReason, at: Duration, cause: AttemptOutcome?)
    /// The breaker rejected the task at `at`, saying to come back at `retryAt`.
    case breakerRejected(at: Duration, retryAt: Duration)
    /// The breaker changed state.
    case breaker(BreakerTransition)
    /// The task ended.
    case finished(TaskOutcome)
}

/// Receives task events. Drivers pass a concrete type so the hot path is specialised.
public protocol TaskEventSink {
    /// Called for each event, in order.
    mutating func record(_ event: TaskEvent)
}

/// A sink that drops events.
public struct NullEventSink: TaskEventSink {
    /// Creates the sink.
    public init() {}
    public mutating func record(_ event: TaskEvent) {}
}

/// A sink that keeps every event (tests, small runs).
public struct CollectingEventSink: TaskEventSink {
    /// Events so far.
    public var events: [TaskEvent] = []
    /// Creates an empty sink.
    public init() {}
    public mutating func record(_ event: TaskEvent) { events.append(event) }
}

/// The per-task state machine: admit (breaker, budget) → attempt (bounded by the per-attempt
/// timeout) → classify → record → wait or finish. It does no I/O and reads no clock: the driver says
/// what happened and when, and it says what to do next. The simulator and the live executor both
/// drive this type.
public struct TaskFlow: Sendable {
    /// Scenario time the task started (its first admission).
    public let startedAt: Duration
    @usableFromInline private(set) var attempt = 0
    @usableFromInline private(set) var calls = 0
    // Visible to inlinable code (not to callers): the entry points below are `@inlinable` so a
    // driver's concrete event sink is specialised into them (a generic sink call per event showed
    // up in the simulator's profile).
    @usableFromInline var previousDelay: Duration?
    @usableFromInline var ticket: BreakerTicket?
    @usableFromInline var attemptStartedAt: Duration = .zero
    @usableFromInline var lastPaid = 0
    @usableFromInline var lastOutcome: AttemptOutcome?
    @usableFromInline var lastClass: FailureClass?
    @usableFromInline var finished = false

    /// A task that starts at `now`.
    @inlinable
    public init(startedAt now: Duration) { startedAt = now }

    /// Starts the task: the first admission.
    @inlinable
    public mutating func start<Sink: TaskEventSink>(
        config: StackConfig, state: inout StackState, now: Duration, rng: inout SquallRandom, sink: inout Sink
    ) -> TaskAction {
        state.budget?.recordFirstAttempt(now: now)
        return admit(config: config, state: &state, now: now, rng: &rng, sink: &sink)
    }

    /// Continues after a sleep.
    @inlinable
    public mutating func wakeUp<Sink: TaskEventSink>(
        config: StackConfig, state: inout StackState, now: Duration, rng: inout SquallRandom, sink: inout Sink
    ) -> TaskAction {
        admit(config: config, state: &state, now: now, rng: &rng, sink: &sink)
    }

    /// Reports how the current attempt ended at `now`.
    @inlinable
    public mutating func attemptEnded<Sink: TaskEventSink>(
        _ outcome: AttemptOutcome, config: StackConfig, state: inout StackState, now: Duration,
        rng: inout SquallRandom, sink: inout Sink
    ) -> TaskAction {
        let failureClass = config.classification.classify(outcome)
        if let ticket, state.breaker != nil {
            state.breaker!.record(failureClass, ticket: ticket, now: now)
            drainBreaker(&state, sink: &sink)
        }
        ticket = nil
        lastOutcome = outcome
        lastClass = failureClass
        sink.record(
            .attemptEnded(
                attempt: attempt, outcome: outcome, failureClass: failureClass, at: now, latency: now - attemptStartedAt))
        if failureClass == .success {
            state.budget?.recordSuccess(paid: lastPaid, retried: attempt > 1)
            return finish(succeeded: true, cause: nil, now: now, sink: &sink)
        }
        var hint: Duration?
        if case .response(_, let hints) = outcome { hint = hints.retryAfter }
        return decideRetry(
            failureClass: failureClass, hint: hint, breakerHint: false, afterTimeout: outcome == .transport(.timeout),
            config: config, state: &state, now: now, rng: &rng, sink: &sink)
    }

    /// Ends the task as failed with `cause` (e.g. shutdown) at `now`. An attempt still in flight is
    /// given back to the breaker without a result (a half-open probe slot is freed, and nothing is
    /// counted as a failure).
    public mutating func abort<Sink: TaskEventSink>(
        cause: FailureCause, state: inout StackState, now: Duration, sink: inout Sink
    ) -> TaskOutcome {
        if let ticket {
            state.breaker?.release(ticket)
            self.ticket = nil
        }
        guard case .finish(let o) = finish(succeeded: false, cause: cause, now: now, sink: &sink) else {
            preconditionFailure("finish always returns .finish")
        }
        return o
    }

    // MARK: Internals

    @usableFromInline
    mutating func admit<Sink: TaskEventSink>(
        config: StackConfig, state: inout StackState, now: Duration, rng: inout SquallRandom, sink: inout Sink
    ) -> TaskAction {
        if let deadline = config.retry.deadline, now - startedAt >= deadline {
            return finish(succeeded: false, cause: .deadlineExceeded, now: now, sink: &sink)
        }
        if state.breaker != nil {
            let admission = state.breaker!.admit(now: now)
            drainBreaker(&state, sink: &sink)
            switch admission {
            case .admitted(let t):
                ticket = t
            case .rejected(let retryAt):
                sink.record(.breakerRejected(at: now, retryAt: retryAt))
                switch config.onBreakerOpen {
                case .fail:
                    return finish(succeeded: false, cause: .breakerOpen, now: now, sink: &sink)
                case .wait:
                    if let deadline = config.retry.deadline, retryAt - startedAt >= deadline {
                        return finish(succeeded: false, cause: .deadlineExceeded, now: now, sink: &sink)
                    }
                    return .sleep(until: retryAt)
                case .retry:
                    attempt += 1
                    lastClass = .transient
                    return decideRetry(
                        failureClass: .transient, hint: retryAt - now, breakerHint: true, afterTimeout: false,
                        config: config, state: &state, now: now, rng: &rng, sink: &sink, rejected: true)
                }
            }
        }
        attempt += 1
        calls += 1
        attemptStartedAt = now
        sink.record(.attemptStarted(attempt: attempt, at: now))
        var timeout = config.attemptTimeout
        if let deadline = config.retry.deadline { timeout = min(timeout, startedAt + deadline - now) }
        return .attempt(number: attempt, timeout: timeout)
    }

    @usableFromInline
    mutating func decideRetry<Sink: TaskEventSink>(
        failureClass: FailureClass, hint: Duration?, breakerHint: Bool, afterTimeout: Bool, config: StackConfig,
        state: inout StackState, now: Duration, rng: inout SquallRandom, sink: inout Sink, rejected: Bool = false
    ) -> TaskAction {
        let decision = config.retry.decide(
            attempt: attempt, failure: failureClass, hint: hint, hintFromServer: !breakerHint, previousDelay: previousDelay,
            elapsed: now - startedAt, rng: &rng)
        switch decision {
        case .stop(let reason):
            let cause: FailureCause = rejected && reason == .attemptsExhausted ? .breakerOpen : FailureCause(reason)
            return finish(succeeded: false, cause: cause, now: now, sink: &sink)
        case .retry(let delay, var reason):
            if state.budget != nil {
                guard let paid = state.budget!.withdraw(afterTimeout: afterTimeout, now: now) else {
                    return finish(succeeded: false, cause: .budgetExhausted, now: now, sink: &sink)
                }
                lastPaid = paid
            }
            if breakerHint && reason == .retryAfter { reason = .breakerOpen }
            previousDelay = delay
            sink.record(
                .retryScheduled(
                    nextAttempt: attempt + 1, delay: delay, reason: reason, at: now, cause: rejected ? nil : lastOutcome))
            return .sleep(until: now + delay)
        }
    }

    @usableFromInline
    mutating func finish<Sink: TaskEventSink>(
        succeeded: Bool, cause: FailureCause?, now: Duration, sink: inout Sink
    ) -> TaskAction {
        finished = true
        let outcome = TaskOutcome(
            succeeded: succeeded, attempts: attempt, calls: calls, cause: cause, lastOutcome: lastOutcome,
            lastClass: lastClass, finishedAt: now)
        sink.record(.finished(outcome))
        return .finish(outcome)
    }

    @usableFromInline
    func drainBreaker<Sink: TaskEventSink>(_ state: inout StackState, sink: inout Sink) {
        // Most calls change nothing: a flag check instead of taking (and releasing) an empty array.
        guard state.breaker?.hasPendingTransitions == true,
            let transitions = state.breaker?.takeTransitions(), !transitions.isEmpty
        else { return }
        for t in transitions { sink.record(.breaker(t)) }
    }
}
