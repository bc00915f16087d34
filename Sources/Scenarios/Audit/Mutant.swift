import Reliability

/// A planted defect in a scenario's client stack, expressed as configuration of the existing cores
/// (never as a special case in a driver). `squall audit` runs each one over several seeds to see
/// whether the scenario's expectations catch it; a scenario lists the ones it claims to catch
/// under `guards:`.
public enum Mutant: String, CaseIterable, Sendable, Codable, Hashable {
    /// Backoff without jitter: retries of tasks failed by the same event stay synchronised.
    case noJitter = "no_jitter"
    /// HALF_OPEN admits every call instead of a few probes.
    case halfOpenFlood = "half_open_flood"
    /// The breaker counts failures but can never trip.
    case breakerNeverTrips = "breaker_never_trips"
    /// No circuit breaker at all.
    case noBreaker = "no_breaker"
    /// The breaker stays open ten times longer (at least 5 minutes) before probing.
    case longRecoveryTimeout = "long_recovery_timeout"
    /// No idempotency: every duplicate runs the LLM again.
    case idempotencyOff = "idempotency_off"
    /// An idempotency TTL far shorter than the duplicate delay.
    case shortTTL = "short_ttl"
    /// The provider's Retry-After / retry-after-ms is ignored.
    case retryAfterIgnored = "retry_after_ignored"
    /// A quarter fewer attempts (at least one fewer).
    case fewerAttempts = "fewer_attempts"
    /// No per-attempt timeout: a hung call holds its task.
    case noTimeout = "no_timeout"
    /// Permanent errors are retried.
    case retryPermanent = "retry_permanent"
    /// Throttled responses (429, 498) are not retried.
    case noRetry429 = "no_retry_429"
    /// The retry budget is removed.
    case retryBudgetOff = "retry_budget_off"
    /// The prompt token budget is removed.
    case tokenBudgetOff = "token_budget_off"

    /// Every mutant's name, in declaration order.
    public static var names: [String] { allCases.map(\.rawValue) }

    /// One line on what the defect is.
    public var summary: String {
        switch self {
        case .noJitter: return "backoff without jitter (jitter: none), so retries of tasks failed together stay synchronised"
        case .halfOpenFlood: return "HALF_OPEN admits every call (1,000,000 probes, all needed to close) instead of a few probes"
        case .breakerNeverTrips: return "the breaker counts failures but its trip condition can never be met"
        case .noBreaker: return "no circuit breaker (breaker: off)"
        case .longRecoveryTimeout: return "the breaker stays open ten times longer (at least 5 min) before it probes"
        case .idempotencyOff: return "no idempotency (idempotency: off): every duplicate runs the LLM again"
        case .shortTTL: return "an idempotency TTL of 1 s (a tenth of the longest duplicate delay if that is shorter): far shorter than the duplicate delay"
        case .retryAfterIgnored: return "the provider's Retry-After / retry-after-ms is ignored (computed backoff instead)"
        case .fewerAttempts: return "a quarter fewer attempts, at least one fewer (8 → 6, 5 → 4, 2 → 1)"
        case .noTimeout: return "no per-attempt timeout (24 h): a hung or slow call holds its task"
        case .retryPermanent: return "permanent errors (400, 401, 413, context length, …) are retried"
        case .noRetry429: return "throttled responses (429, 498) are not retried"
        case .retryBudgetOff: return "the retry budget is removed (retry_budget: off)"
        case .tokenBudgetOff: return "the prompt token budget is removed (budget: off): prompts are sent whole"
        }
    }

    /// The scenario with this defect planted, or why it does not apply to the scenario's stack
    /// (the mechanism is absent, or the stack already has the defect).
    public func apply(to scenario: Scenario) -> MutantApplication {
        var s = scenario
        var stack = scenario.stack
        let retries = stack.retry.maxAttempts > 1
        switch self {
        case .noJitter:
            guard retries else { return .notApplicable("the stack does not retry") }
            let jittered = stack.retry.backoff.jitter != .none || (stack.retry.throttledBackoff.map { $0.jitter != .none } ?? false)
            guard jittered else { return .notApplicable("the backoff has no jitter already") }
            stack.retry.backoff.jitter = .none
            stack.retry.throttledBackoff?.jitter = .none
        case .halfOpenFlood:
            guard var b = stack.breaker else { return .notApplicable("no breaker configured") }
            guard b.halfOpenProbes < 1_000_000 else { return .notApplicable("half-open already admits every call") }
            b.halfOpenProbes = 1_000_000
            stack.breaker = b
        case .breakerNeverTrips:
            guard var b = stack.breaker else { return .notApplicable("no breaker configured") }
            switch b.trip {
            case .failureCount(_, let window): b.trip = .failureCount(threshold: Int.max, window: window)
            case .failureRate(let rate, _, let window): b.trip = .failureRate(threshold: rate, minimumCalls: Int.max, window: window)
            }
            stack.breaker = b
        case .noBreaker:
            guard stack.breaker != nil else { return .notApplicable("no breaker configured") }
            stack.breaker = nil
        case .longRecoveryTimeout:
            guard var b = stack.breaker else { return .notApplicable("no breaker configured") }
            let longer = max(Duration.seconds(300), b.recoveryTimeout * 10)
            b.recoveryTimeout = longer
            b.maxRecoveryTimeout = max(b.maxRecoveryTimeout, longer)
            stack.breaker = b
        case .idempotencyOff:
            guard stack.idempotencyTTL != nil else { return .notApplicable("idempotency is off already") }
            stack.idempotencyTTL = nil
        case .shortTTL:
            guard let ttl = stack.idempotencyTTL else { return .notApplicable("idempotency is off") }
            var short = Duration.seconds(1)
            if let d = scenario.load.duplicates, d.delay.upper < .seconds(10) {
                short = max(.milliseconds(1), d.delay.upper / 10)
            }
            guard short < ttl else { return .notApplicable("the TTL is already that short") }
            stack.idempotencyTTL = short
        case .retryAfterIgnored:
            guard retries else { return .notApplicable("the stack does not retry") }
            guard stack.retry.honorRetryAfter else { return .notApplicable("Retry-After is ignored already (retry_after: false)") }
            stack.retry.honorRetryAfter = false
        case .fewerAttempts:
            guard retries else { return .notApplicable("the stack makes one attempt only") }
            let n = stack.retry.maxAttempts
            stack.retry.maxAttempts = n - max(1, n / 4)
        case .noTimeout:
            guard stack.attemptTimeout < .seconds(86_400) else { return .notApplicable("the attempt timeout is 24 h or more already") }
            stack.attemptTimeout = .seconds(86_400)
        case .retryPermanent:
            guard retries else { return .notApplicable("the stack does not retry") }
            guard !stack.retry.retryOn.contains(.permanent) else { return .notApplicable("permanent errors are retried already") }
            stack.retry.retryOn.insert(.permanent)
        case .noRetry429:
            guard retries else { return .notApplicable("the stack does not retry") }
            guard stack.retry.retryOn.contains(.throttled) else { return .notApplicable("throttled responses are not retried already") }
            stack.retry.retryOn.remove(.throttled)
        case .retryBudgetOff:
            guard stack.retryBudget != nil else { return .notApplicable("no retry budget configured") }
            stack.retryBudget = nil
        case .tokenBudgetOff:
            guard stack.tokenBudget != nil else { return .notApplicable("no token budget configured") }
            stack.tokenBudget = nil
        }
        s.stack = stack
        return .applied(s)
    }
}

/// What planting a mutant in a scenario gave.
public enum MutantApplication: Sendable {
    /// The scenario with the defect planted.
    case applied(Scenario)
    /// The defect does not apply to this stack; why.
    case notApplicable(String)

    /// The mutated scenario, if the mutant applied.
    public var scenario: Scenario? {
        if case .applied(let s) = self { return s }
        return nil
    }
}
