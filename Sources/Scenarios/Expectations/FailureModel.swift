import Foundation
import MockLLM
import Reliability

/// The closed-form per-attempt failure model of a scenario: from the fault profile's independent
/// per-attempt rules, the latency distribution against the attempt timeout, and the policy.
public struct FailureModel: Sendable {
    /// Per-attempt probability of a retryable failure (including timeout exceedance).
    public var transient: Double
    /// Per-attempt probability of a failure the policy does not retry.
    public var permanent: Double
    /// Per-attempt probability of a timeout from latency alone.
    public var timeout: Double
    /// Attempts per task.
    public var attempts: Int
    /// Why the closed form is only approximate (empty when it is exact).
    public var notes: [String]
    /// Whether nothing in the scenario breaks the independence assumption.
    public var closedForm: Bool

    /// Probability a task fails by exhausting its attempts: t^n.
    public var exhaustion: Double { pow(transient, Double(attempts)) }
    /// Probability a task fails permanently: p·(1 − t^n)/(1 − t).
    public var permanentFailure: Double {
        let t = transient
        let geometric = t >= 1 ? Double(attempts) : (1 - pow(t, Double(attempts))) / (1 - t)
        return permanent * geometric
    }
    /// Per-task failure probability.
    public var taskFailure: Double { min(1, exhaustion + permanentFailure) }
    /// Per-task failure probability with one attempt.
    public var singleAttemptFailure: Double { min(1, transient + permanent) }

    /// Builds the model for a scenario: per prompt (routes may differ by model), weighted by the prompt mix.
    public init(scenario: Scenario) {
        var notes: [String] = []
        let stack = scenario.stack
        let profile = scenario.llm
        var exact = true
        if profile.faults.contains(where: { $0.during != nil }) {
            notes.append("fault windows are left out: the figures describe the steady state outside them")
            exact = false
        }
        if profile.faults.contains(where: { $0.everyNth != nil || $0.firstKPerKey != nil || $0.attempts != nil || $0.idempotencyKey != nil || $0.apiKey != nil }) {
            notes.append("rules with every_nth, first_k_per_key, attempt or key selectors are not independent per attempt and are left out")
            exact = false
        }
        if !profile.rateLimits.isEmpty {
            notes.append("rate limits depend on load and are left out")
            exact = false
        }
        if profile.faults.contains(where: { $0.latency != nil }) {
            notes.append("extra latency from fault rules is left out of the timeout probability")
        }
        if stack.breaker != nil {
            notes.append("assumes the breaker stays closed (it only opens on failure bursts)")
        }
        if stack.retryBudget != nil { notes.append("assumes the retry budget never runs dry") }
        if stack.retry.deadline != nil { notes.append("assumes the deadline never cuts the retries short") }
        var t = 0.0
        var p = 0.0
        var timeoutShare = 0.0
        var totalWeight = 0.0
        for prompt in scenario.load.prompts {
            let model = stack.router.route(prompt.text).model
            let r = Self.perAttempt(profile: profile, stack: stack, model: model, stream: scenario.load.stream)
            t += prompt.weight * r.transient
            p += prompt.weight * r.permanent
            timeoutShare += prompt.weight * r.timeout
            totalWeight += prompt.weight
        }
        if totalWeight > 0 {
            t /= totalWeight
            p /= totalWeight
            timeoutShare /= totalWeight
        }
        transient = t
        permanent = p
        timeout = timeoutShare
        attempts = stack.retry.maxAttempts
        self.notes = notes
        closedForm = exact
    }

    /// Per-attempt probabilities for requests to `model`.
    static func perAttempt(
        profile: FaultProfile, stack: StackConfig, model: String, stream: Bool
    ) -> (transient: Double, permanent: Double, timeout: Double) {
        var untouched = 1.0  // probability no earlier outcome rule fired
        var transient = 0.0
        var permanent = 0.0
        let probe = FaultRequest(model: model, stream: stream, now: .zero)
        for rule in profile.faults {
            guard rule.during == nil, rule.everyNth == nil, rule.firstKPerKey == nil, rule.attempts == nil,
                rule.idempotencyKey == nil, rule.apiKey == nil, let outcome = rule.outcome
            else { continue }
            guard rule.matches(probe) else { continue }
            let fires = untouched * rule.rate
            untouched *= 1 - rule.rate
            let observed: AttemptOutcome
            switch outcome {
            case .status(let s):
                observed = .response(
                    status: s.status,
                    headers: ResponseHints(
                        retryAfter: s.advertisedRetryAfter, shouldRetry: s.shouldRetry,
                        errorCode: FaultDecision.errorCode(for: s)))
            case .connection(let c):
                switch c {
                case .reset: observed = .transport(.reset)
                case .hang: observed = .transport(.timeout)
                case .truncate, .streamError: observed = .transport(.truncated)
                case .malformed, .empty: observed = .transport(.malformed)
                case .drip: observed = .ok
                }
            }
            let cls = stack.classification.classify(observed)
            if cls == .success { untouched += fires; continue }
            if stack.retry.retryOn.contains(cls) { transient += fires } else { permanent += fires }
        }
        let base = profile.baseLatency(stream: stream)
        let exceed = base.exceedanceProbability(stack.attemptTimeout)
        let timeoutClass = stack.classification.classify(.transport(.timeout))
        let timeout = untouched * exceed
        if stack.retry.retryOn.contains(timeoutClass) { transient += timeout } else { permanent += timeout }
        return (transient, permanent, timeout)
    }
}
