/// What to do when a server's Retry-After exceeds `RetryPolicy.retryAfterCap`.
public enum RetryAfterOverCap: String, Sendable, Hashable, CaseIterable, Codable {
    /// Wait the cap instead (bounded by the cap). Default.
    case clamp
    /// Ignore the hint and use the computed backoff (openai-python's older behaviour).
    case backoff
    /// Do not retry (newer openai-python behaviour above its cap).
    case giveUp = "give_up"
}

/// Why a retry is scheduled.
public enum RetryReason: String, Sendable, Hashable, Codable {
    /// Computed exponential backoff after a transient failure.
    case backoff
    /// Computed backoff after a throttled response without a usable hint.
    case throttledBackoff = "throttled_backoff"
    /// The server's Retry-After / retry-after-ms hint.
    case retryAfter = "retry_after"
    /// The circuit breaker said when to come back.
    case breakerOpen = "breaker_open"
}

/// Why the retry loop stopped without success.
public enum StopReason: String, Sendable, Hashable, Codable {
    /// The failure is permanent; retrying cannot help.
    case permanent
    /// All attempts were used.
    case attemptsExhausted = "attempts_exhausted"
    /// The next attempt could not start before the task's overall deadline.
    case deadlineExceeded = "deadline_exceeded"
    /// The retry budget had no tokens left.
    case budgetExhausted = "budget_exhausted"
    /// The server asked for a wait longer than the cap and the policy gives up.
    case retryAfterTooLong = "retry_after_too_long"
}

/// The retry decision after a failed attempt.
public enum RetryDecision: Sendable, Hashable {
    /// Sleep `delay`, then make the next attempt.
    case retry(after: Duration, reason: RetryReason)
    /// Stop; the task fails with the last attempt's own error.
    case stop(StopReason)
}

/// A retry policy: attempts (counting the first), exponential backoff with jitter, Retry-After
/// handling and an optional overall deadline. `decide` is a pure function of its inputs.
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts including the first; 1 means no retries. Default 5 (tenacity `stop_after_attempt(5)`).
    public var maxAttempts: Int
    /// Backoff after transient failures.
    public var backoff: Backoff
    /// Backoff after throttled failures that carry no usable hint; nil uses `backoff`. Default nil.
    public var throttledBackoff: Backoff?
    /// Whether the server's `retry-after-ms` / `retry-after` replace the computed delay. Default true.
    /// The client's own breaker's come-back time (`on_open: retry`) is not a server hint and is
    /// honoured either way.
    public var honorRetryAfter: Bool
    /// The largest server hint honoured as given. Default 60 s.
    public var retryAfterCap: Duration
    /// What to do with a hint above the cap. Default clamp.
    public var overCap: RetryAfterOverCap
    /// Overall time budget for the task from its first attempt; nil for none. Default nil.
    public var deadline: Duration?
    /// Classes that are retried. Default transient and throttled.
    public var retryOn: Set<FailureClass>

    /// Creates a policy. Defaults: 5 attempts, tenacity's `wait_exponential(multiplier=1, max=60)`.
    public init(
        maxAttempts: Int = 5, backoff: Backoff = Backoff(), throttledBackoff: Backoff? = nil,
        honorRetryAfter: Bool = true, retryAfterCap: Duration = .seconds(60), overCap: RetryAfterOverCap = .clamp,
        deadline: Duration? = nil, retryOn: Set<FailureClass> = [.transient, .throttled]
    ) {
        self.maxAttempts = maxAttempts
        self.backoff = backoff
        self.throttledBackoff = throttledBackoff
        self.honorRetryAfter = honorRetryAfter
        self.retryAfterCap = retryAfterCap
        self.overCap = overCap
        self.deadline = deadline
        self.retryOn = retryOn
    }

    /// Decides what follows failed attempt `attempt` (1-based).
    /// - Parameters:
    ///   - failure: the class of the failed attempt (`.success` is a usage error and stops).
    ///   - hint: the server's Retry-After, or the breaker's come-back time, if any.
    ///   - hintFromServer: whether `hint` came from the server (true, the default: subject to
    ///     `honorRetryAfter`) or from the client's own breaker (false: always used).
    ///   - previousDelay: the last wait scheduled for this task (decorrelated jitter), nil before the first.
    ///   - elapsed: time since the task's first attempt started, for the deadline.
    public func decide(
        attempt: Int, failure: FailureClass, hint: Duration?, hintFromServer: Bool = true, previousDelay: Duration?,
        elapsed: Duration, rng: inout SquallRandom
    ) -> RetryDecision {
        guard failure != .success, retryOn.contains(failure) else { return .stop(.permanent) }
        guard attempt < maxAttempts else { return .stop(.attemptsExhausted) }
        var delay: Duration
        var reason: RetryReason
        let curve = failure == .throttled ? (throttledBackoff ?? backoff) : backoff
        let computed = curve.delay(afterAttempt: attempt, previous: previousDelay, rng: &rng)
        if honorRetryAfter || !hintFromServer, let hint, hint >= .zero {
            if hint <= retryAfterCap {
                delay = hint
                reason = .retryAfter
            } else {
                switch overCap {
                case .clamp:
                    delay = retryAfterCap
                    reason = .retryAfter
                case .backoff:
                    delay = computed
                    reason = failure == .throttled ? .throttledBackoff : .backoff
                case .giveUp:
                    return .stop(.retryAfterTooLong)
                }
            }
        } else {
            delay = computed
            reason = failure == .throttled ? .throttledBackoff : .backoff
        }
        if let deadline, elapsed + delay >= deadline { return .stop(.deadlineExceeded) }
        return .retry(after: delay, reason: reason)
    }

    /// The schedule of waits this policy would produce if every attempt failed with `failure`
    /// and the same `hint` (the `squall backoff` calculator). One entry per retry.
    public func schedule(failure: FailureClass = .transient, hint: Duration? = nil, seed: UInt64 = 1) -> [Duration] {
        var rng = SquallRandom(seed: seed)
        var out: [Duration] = []
        var previous: Duration?
        var elapsed = Duration.zero
        for attempt in 1... {
            switch decide(
                attempt: attempt, failure: failure, hint: hint, previousDelay: previous, elapsed: elapsed, rng: &rng)
            {
            case .retry(let d, _):
                out.append(d)
                previous = d
                elapsed += d
            case .stop:
                return out
            }
        }
        return out
    }
}
