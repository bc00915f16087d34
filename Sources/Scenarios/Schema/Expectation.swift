import LoadGen
import Reliability

/// Which tasks an expectation measures.
public enum ExpectationScope: Sendable, Hashable {
    /// The whole run.
    case run
    /// Tasks that intended to start before fault window `window` (1-based).
    case before(window: Int)
    /// Tasks that intended to start inside fault window `window`.
    case during(window: Int)
    /// Tasks that intended to start after fault window `window` ended.
    case after(window: Int)

    /// The prefix used in verdict names (`during[1].`), empty for the run.
    public var prefix: String {
        switch self {
        case .run: return ""
        case .before(let w): return "before[\(w)]."
        case .during(let w): return "during[\(w)]."
        case .after(let w): return "after[\(w)]."
        }
    }
}

/// A figure a threshold can be put on.
public enum Metric: Sendable, Hashable {
    /// Succeeded / finished tasks.
    case successRate
    /// Failed tasks in the scope.
    case failures
    /// Failed tasks per day (run scope: scaled by 86400/duration).
    case failuresPerDay
    /// Latency percentile (0…100; 100 = max) from the intended start, over finished tasks.
    case latency(percentile: Double)
    /// Mean attempts per task (retry amplification; breaker rejections under `on_open: retry` count).
    case attemptsPerTask
    /// Mean LLM calls actually sent per task.
    case llmCallsPerTask
    /// LLM calls sent.
    case llmCalls
    /// LLM calls per day.
    case llmCallsPerDay
    /// Tokens billed per day.
    case tokensPerDay
    /// Cost per day, US dollars.
    case costPerDay
    /// Keys whose completion was generated more than once within the TTL.
    case duplicateExecutions
    /// LLM calls per arriving task within the scope (retry amplification of offered load).
    case offeredLoad
    /// Failed tasks with this cause.
    case failuresByCause(FailureCause)
    /// Share of executed tasks routed by this rule.
    case routeTaskShare(String)
    /// Share of cost spent on tasks routed by this rule.
    case routeCostShare(String)

    /// The unit values of this metric are shown in.
    public var unit: ThresholdUnit {
        switch self {
        case .successRate, .routeTaskShare, .routeCostShare: return .percent
        case .latency: return .seconds
        case .costPerDay: return .dollars
        case .offeredLoad: return .factor
        default: return .number
        }
    }

    /// Whether a threshold on it may carry a confidence (`"<= 120 at 99%"`): counts of events.
    public var allowsConfidence: Bool {
        switch self {
        case .failures, .failuresPerDay, .llmCalls, .llmCallsPerDay, .failuresByCause, .duplicateExecutions: return true
        default: return false
        }
    }

    /// The comparison a bare value means (`>=` for success rate, `<=` otherwise).
    public var defaultComparison: Comparison { self == .successRate ? .atLeast : .atMost }
}

/// One thing a scenario asserts. Each yields an `ExpectationVerdict` with expected, observed and pass.
public enum Expectation: Sendable, Hashable {
    /// A threshold on a metric within a scope.
    case threshold(name: String, metric: Metric, threshold: Threshold, scope: ExpectationScope)
    /// The observed failure count must be consistent (Clopper–Pearson at `confidence`) with the
    /// closed-form expectation.
    case arithmetic(name: String, confidence: Double)
    /// The breaker opened within `limit` of the start of fault window `window`.
    case breakerOpensWithin(name: String, window: Int, limit: Duration)
    /// The breaker closed within `limit` of the end of fault window `window`.
    case breakerClosesWithin(name: String, window: Int, limit: Duration)
    /// LLM calls sent while OPEN (beyond the half-open probes).
    case breakerCallsWhileOpen(name: String, threshold: Threshold)
    /// Calls admitted in any one HALF_OPEN period.
    case breakerHalfOpenProbes(name: String, threshold: Threshold)
    /// CLOSED→OPEN cycles over the run.
    case breakerCycles(name: String, threshold: Threshold)
    /// The most completions generated for one key within its TTL.
    case executionsPerKey(name: String, threshold: Threshold)
    /// Every replay returned the original's result.
    case replaysIdentical(name: String)
    /// Duplicates arriving after the TTL were executed again (and not counted as duplicate executions).
    case reexecutionAfterTTL(name: String)
    /// After fault window `window` ends, the success ratio of arriving tasks is back to the
    /// pre-window baseline (within `tolerance`) within `limit`.
    case recoversWithin(name: String, window: Int, limit: Duration, tolerance: Double)
    /// A threshold on a figure of the task service's shutdown (tasks lost, drain time).
    case shutdown(name: String, measure: ShutdownMeasure, threshold: Threshold)
    /// The breaker opened exactly when its counted failures reached `threshold.failures` within
    /// `threshold.window`: never with fewer, and never staying closed past them (from the stack
    /// events, independent of when traffic arrived). `threshold` is resolved when the scenario is
    /// loaded, from the stack as written, so a planted defect cannot move it.
    case breakerOpensAfter(name: String, threshold: BreakerThreshold)
    /// Every crossing of `threshold` (the instant the breaker had seen enough failures to trip)
    /// was followed by an opening within `limit`.
    case breakerOpensWithinCrossing(name: String, threshold: BreakerThreshold, limit: Duration)
    /// The breaker, open when fault window `window` ended, closed within `limit` of the first call
    /// the provider saw after the window (the first call that could succeed), so neither the idle
    /// time before traffic returned nor the wait for the recovery timeout counts.
    case breakerClosesWithinFirstRequest(name: String, window: Int, limit: Duration)
    /// A threshold on retry clustering: of the retries that followed each correlated failure, the
    /// share in that burst's busiest `spec.window` (pooled over bursts), from the LLM call log.
    case retryClustering(name: String, threshold: Threshold, spec: RetryClusterSpec)
    /// A threshold on retries sent before the instant a Retry-After allowed (more than
    /// `tolerance` early), per task, from the LLM call log.
    case retryAfterEarly(name: String, threshold: Threshold, tolerance: Duration)
    /// No key was executed again by another submission within `horizon` of its first execution,
    /// whatever TTL the stack was configured with, from the LLM call log.
    case reexecutionWithin(name: String, horizon: Duration)
    /// A threshold on a statistic of the task service's latency of `kind` (time to accept, poll,
    /// `/health`), real time, measured through the service's API (`expect.service`).
    case serviceLatency(name: String, kind: ServiceRequestKind, statistic: ServiceLatencyStatistic, threshold: Threshold)

    /// The unit of its verdict's `value`.
    public var valueUnit: ThresholdUnit {
        switch self {
        case .threshold(_, _, let t, _), .shutdown(_, _, let t): return t.unit
        case .arithmetic: return .percent
        case .breakerOpensWithin, .breakerClosesWithin, .recoversWithin, .breakerOpensWithinCrossing,
            .breakerClosesWithinFirstRequest:
            return .seconds
        case .retryClustering(_, let t, _), .retryAfterEarly(_, let t, _), .serviceLatency(_, _, _, let t): return t.unit
        default: return .number
        }
    }

    /// Whether evaluating it reads per-task records: never — window scopes and recovery read the
    /// bounded aggregates the recorder keeps for them (`ResultNeeds`, `RunAggregates`).
    public var needsTaskRecords: Bool { false }

    /// The name shown in verdicts.
    public var name: String {
        switch self {
        case .threshold(let n, _, _, _), .arithmetic(let n, _), .breakerOpensWithin(let n, _, _),
            .breakerClosesWithin(let n, _, _), .breakerCallsWhileOpen(let n, _), .breakerHalfOpenProbes(let n, _),
            .breakerCycles(let n, _), .executionsPerKey(let n, _), .replaysIdentical(let n),
            .reexecutionAfterTTL(let n), .recoversWithin(let n, _, _, _), .shutdown(let n, _, _),
            .breakerOpensAfter(let n, _), .breakerOpensWithinCrossing(let n, _, _),
            .breakerClosesWithinFirstRequest(let n, _, _), .retryClustering(let n, _, _), .retryAfterEarly(let n, _, _),
            .reexecutionWithin(let n, _), .serviceLatency(let n, _, _, _):
            return n
        }
    }
}
