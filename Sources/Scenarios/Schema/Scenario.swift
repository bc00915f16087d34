import LoadGen
import MockLLM
import Reliability

/// A loaded, validated scenario: traffic, the client stack, the provider's behaviour and what must hold.
public struct Scenario: Sendable {
    /// Short identifier, used for the report directory (`Reports/<name>/`).
    public var name: String
    /// One or two sentences on what the scenario checks.
    public var description: String
    /// Where it came from (a path, or `catalog:NAME` for bundled scenarios).
    public var source: String
    /// Seed of every random choice. Default 1.
    public var seed: UInt64
    /// Scenario time over which tasks arrive. In-flight tasks are drained after it.
    public var duration: Duration
    /// The traffic.
    public var load: LoadSpec
    /// The client reliability stack (the same configuration the live executor runs).
    public var stack: StackConfig
    /// The provider's behaviour: latency, faults, rate limits (the mock's fault profile).
    public var llm: FaultProfile
    /// What must hold, in file order.
    public var expectations: [Expectation]
    /// The planted defects the scenario claims to catch (`guards:`), checked by `squall audit`. Default none.
    public var guards: [Mutant] = []
    /// The mode `squall run` uses unless `--mode` is given (`mode:`). Default `.sim`.
    public var mode: RunMode = .sim
    /// The live time scale `squall run` uses unless `--time-scale` is given (`time_scale:`). Default nil (1).
    public var timeScale: Double?
    /// `time_scale: auto`: live runs choose their scale from a calibration, as `--time-scale auto`
    /// does, unless `--time-scale` is given. Default false.
    public var autoTimeScale = false
    /// Drive the reference task service instead of the in-process stack (`service:`). Default nil.
    public var service: ServiceSpec?
    /// How to talk to your own task service at `--target-url` (`target:`); nil for the reference
    /// contract (`TaskContract.reference`). Default nil.
    public var target: TaskContract? {
        get { targetStorage?.contract }
        set { targetStorage = TargetStorage(contract: newValue, launch: launch, breakerInference: breakerInference) }
    }
    /// How the breaker of your service is inferred at the LLM (`target: { breaker_inference: … }`);
    /// nil for the default rule (`InferredBreakerRule()`). Default nil.
    public var breakerInference: InferredBreakerRule? {
        get { targetStorage?.breakerInference }
        set { targetStorage = TargetStorage(contract: target, launch: launch, breakerInference: newValue) }
    }
    /// How Squall starts your service for a live run (`target: { command: … }`); nil when you start
    /// it yourself (`--target-url`). Default nil.
    public var launch: ServiceLaunch? {
        get { targetStorage?.launch }
        set { targetStorage = TargetStorage(contract: target, launch: newValue, breakerInference: breakerInference) }
    }
    /// `target` and `launch` on the heap, immutable (a set replaces it): they are large, and keeping
    /// `Scenario` itself small avoids a miscompile seen with Swift 6.3's typed throws returning a
    /// large struct (`ScenarioLoader.load(path:)` returned a scenario whose `launch` was garbage
    /// while the same decode inside `decode` was intact).
    private var targetStorage: TargetStorage?
    /// Where the in-process mock of a live run listens (`llm: { listen: }`). Default nil (a free port).
    public var llmListen: LLMListen?
    /// The `llm:` section as YAML text (without `listen`), sent to an external mock; nil when absent.
    public var llmText: String?
    /// Whether live runs tag each submitted prompt (`load: { tag: false }` turns it off). Default true.
    public var tagging = true
    /// What `squall sweep` varies (`sweep:`). Default nil.
    public var sweep: SweepSpec?
    /// What `squall plan` plans for (`plan:`). Default nil.
    public var plan: PlanSpec?

    /// Creates a scenario; see each field for its default.
    public init(
        name: String, description: String = "", source: String = "<memory>", seed: UInt64 = 1, duration: Duration,
        load: LoadSpec, stack: StackConfig = StackConfig(), llm: FaultProfile = FaultProfile(),
        expectations: [Expectation] = []
    ) {
        self.name = name
        self.description = description
        self.source = source
        self.seed = seed
        self.duration = duration
        self.load = load
        self.stack = stack
        self.llm = llm
        self.expectations = expectations
    }

    /// The profile's fault windows (rules with `during`), 1-based, in rule order; duplicates of the same range merged.
    public var faultWindows: [FaultWindowInfo] {
        var out: [FaultWindowInfo] = []
        for rule in llm.faults {
            guard let w = rule.during else { continue }
            if out.contains(where: { $0.start == w.lower.seconds && $0.end == w.upper.seconds }) { continue }
            out.append(
                FaultWindowInfo(index: out.count + 1, start: w.lower.seconds, end: w.upper.seconds, label: Self.label(rule)))
        }
        return out
    }

    static func label(_ rule: FaultRule) -> String {
        var parts: [String] = []
        switch rule.outcome {
        case .status(let s)?: parts.append("status \(s.status)")
        case .connection(let c)?: parts.append("drop \(c.name)")
        case nil: break
        }
        if rule.latency != nil { parts.append("extra latency") }
        if rule.rate < 1 { parts.append("at \(Percent.format(rule.rate))") }
        if let m = rule.model { parts.append("on \(m)") }
        return parts.joined(separator: " ")
    }

    /// A one-line summary of the stack for reports.
    public var stackSummary: String { StackSummary.describe(stack) }
}

/// Human-readable one-line descriptions of a `StackConfig`.
enum StackSummary {
    static func describe(_ s: StackConfig) -> String {
        var parts: [String] = []
        let r = s.retry
        if r.maxAttempts <= 1 {
            parts.append("1 attempt (no retries)")
        } else {
            let b = r.backoff
            parts.append(
                "\(r.maxAttempts) attempts, backoff \(fmt(b.multiplier))×\(fmt(b.base))^n in "
                    + "\(DurationFormat.short(b.min))..\(DurationFormat.short(b.max)) \(b.jitter.rawValue) jitter")
            if r.honorRetryAfter { parts.append("Retry-After honoured up to \(DurationFormat.short(r.retryAfterCap))") }
        }
        if let d = r.deadline { parts.append("deadline \(DurationFormat.short(d))") }
        parts.append("timeout \(DurationFormat.short(s.attemptTimeout))")
        if let b = s.breaker {
            switch b.trip {
            case .failureCount(let n, let w):
                parts.append("breaker \(n) failures/\(DurationFormat.short(w))")
            case .failureRate(let t, let m, let w):
                parts.append("breaker \(Percent.format(t)) of ≥\(m) calls/\(DurationFormat.short(w))")
            }
            parts.append(
                "recovery \(DurationFormat.short(b.recoveryTimeout)), \(b.halfOpenProbes) probe\(b.halfOpenProbes == 1 ? "" : "s"), on open: \(s.onBreakerOpen.rawValue)"
            )
        } else {
            parts.append("no breaker")
        }
        switch s.retryBudget {
        case .tokenBucket(let c, let cost, _, _)?: parts.append("retry budget \(c) tokens (\(cost)/retry)")
        case .ratio(let ratio, let w, _)?: parts.append("retry budget \(Percent.format(ratio)) per \(DurationFormat.short(w))")
        case nil: break
        }
        if let ttl = s.idempotencyTTL { parts.append("idempotency \(DurationFormat.short(ttl))") } else { parts.append("no idempotency") }
        if let t = s.tokenBudget { parts.append("token budget \(t.maxTokens)/\(t.reserveForOutput)") }
        return parts.joined(separator: ", ")
    }

    static func fmt(_ v: Double) -> String {
        v == v.rounded() ? String(Int(v)) : String(v)
    }
}

/// The heap storage of `Scenario.target` and `Scenario.launch`.
final class TargetStorage: Sendable {
    let contract: TaskContract?
    let launch: ServiceLaunch?
    let breakerInference: InferredBreakerRule?
    init(contract: TaskContract?, launch: ServiceLaunch?, breakerInference: InferredBreakerRule?) {
        self.contract = contract
        self.launch = launch
        self.breakerInference = breakerInference
    }
}
