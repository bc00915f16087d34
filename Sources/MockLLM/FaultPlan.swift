import Reliability

/// The deterministic decision core of the mock provider: given a request (with its scenario time)
/// and a random generator, decides latency, fault and reply. A value type; the live server keeps one
/// behind a lock, the simulator one per run. It never reads a clock.
///
/// Composition: rules are evaluated in order. A rule fires when its matchers hold, its selector
/// (`every_nth` / `first_k_per_key`) admits the request, and a draw succeeds against `rate` (a draw is
/// taken only when `rate < 1`). A firing rule adds its `latency` (if any); if it also has an outcome
/// (status or drop), evaluation stops and that outcome is the response. Otherwise the rate limiter
/// is checked (429 / 413 when over), and the request is healthy. Then the base latency
/// (`latency`, or `stream.first_token` for streams) is drawn and added, and for healthy/connection
/// outcomes the reply (length, text seed, stream gaps) is drawn.
public struct FaultPlan: Sendable {
    /// The profile being applied.
    public private(set) var profile: FaultProfile
    /// The rate limiter (its buckets persist across requests).
    public var rateLimiter: RateLimiter
    private var state: SelectorState
    /// The base latency for non-streaming and streaming requests, ready to draw from.
    private let baseLatency: (plain: LatencyDistribution.Sampler, stream: LatencyDistribution.Sampler)
    /// Per rule: it has no matchers, so every request matches (no per-request check).
    private let matchesAll: [Bool]

    /// Per-rule counters for `every_nth` and `first_k_per_key`.
    struct SelectorState: Sendable {
        var matched: [Int]
        /// Requests seen per key, per rule; bounded (keys cut to 256 bytes, at most `maxKeysPerRule`
        /// keys, the oldest dropped first: a dropped key counts from zero again).
        var perKey: [BoundedKeyTable<Int>]
        init(rules: Int) {
            matched = Array(repeating: 0, count: rules)
            perKey = Array(repeating: BoundedKeyTable(capacity: FaultPlan.maxKeysPerRule), count: rules)
        }
    }

    /// Keys a `first_k_per_key` rule remembers at most.
    public static let maxKeysPerRule = 65_536

    /// Creates a plan with fresh counters and full rate-limit buckets.
    public init(profile: FaultProfile) {
        self.profile = profile
        self.rateLimiter = RateLimiter(limits: profile.rateLimits, style: profile.headerStyle)
        self.state = SelectorState(rules: profile.faults.count)
        self.baseLatency = (profile.baseLatency(stream: false).sampler, profile.baseLatency(stream: true).sampler)
        self.matchesAll = profile.faults.map {
            $0.model == nil && $0.path == nil && $0.during == nil && $0.attempts == nil && $0.idempotencyKey == nil
                && $0.apiKey == nil && $0.stream == nil
        }
    }

    /// Replaces the profile; counters and buckets start afresh.
    public mutating func replace(profile: FaultProfile) { self = FaultPlan(profile: profile) }

    /// Clears counters and buckets, keeping the profile.
    public mutating func reset() { self = FaultPlan(profile: profile) }

    /// Decides what happens to one request. See the type's documentation for the order of evaluation
    /// and of random draws.
    public mutating func decide(_ request: FaultRequest, rng: inout SquallRandom) -> FaultDecision {
        var delay = Duration.zero
        var fired: [Int] = []
        var outcome: (FaultOutcome, Int)?
        // Rules are read in place through the buffer: copying each rule per request (its strings and
        // ranges) cost more than matching it.
        profile.faults.withUnsafeBufferPointer { faults in
            for i in faults.indices {
                guard matchesAll[i] || faults[i].matches(request) else { continue }
                state.matched[i] += 1
                if let n = faults[i].everyNth, state.matched[i] % n != 0 { continue }
                if let k = faults[i].firstKPerKey {
                    let key = BoundedKeyTable<Int>.tableKey(request.selectorKey)
                    let seen = state.perKey[i][key] ?? 0
                    state.perKey[i].set(key, seen + 1)
                    if seen >= k { continue }
                }
                if faults[i].rate < 1, !rng.chance(faults[i].rate) { continue }
                fired.append(i)
                if let l = faults[i].latency { delay += l.sample(&rng) }
                if let o = faults[i].outcome {
                    outcome = (o, i)
                    break
                }
            }
        }

        var action: FaultDecision.Action
        var headers: RateLimitHeaders?
        var ruleIndex: Int?
        if let (o, i) = outcome {
            ruleIndex = i
            switch o {
            case .status(let s): action = .status(s)
            case .connection(let c): action = .connection(c, ReplyPlan(completionTokens: 0, promptTokens: 0, finishReason: "stop", textSeed: 0))
            }
        } else {
            let limited = rateLimiter.limits.isEmpty ? nil : rateLimiter.check(
                model: request.model, apiKey: request.apiKey, tokens: request.chargedTokens, now: request.now,
                groqPath: request.isGroqPath)
            switch limited {
            case nil:
                action = .healthy(ReplyPlan(completionTokens: 0, promptTokens: 0, finishReason: "stop", textSeed: 0))
            case .allowed(let h)?:
                headers = h
                action = .healthy(ReplyPlan(completionTokens: 0, promptTokens: 0, finishReason: "stop", textSeed: 0))
            case .limited(let wait, let dimension, let h)?:
                headers = h
                // Whole seconds in retry-after (rounded up), exact milliseconds in retry-after-ms.
                let ms = (wait.seconds * 1000).rounded(.up)
                action = .status(
                    StatusFault(
                        status: 429, body: dimension, retryAfter: .seconds((ms / 1000).rounded(.up)),
                        retryAfterMs: .milliseconds(Int64(ms))))
            case .tooLarge(let limit, let requested, let h)?:
                headers = h
                action = .status(
                    StatusFault(
                        status: 413, body: .standard,
                        message:
                            "Request too large for model `\(request.model)` on tokens per minute (TPM): Limit \(limit), Requested \(requested), please reduce your message size and try again."
                    ))
            }
        }

        delay += (request.stream ? baseLatency.stream : baseLatency.plain).sample(&rng)

        switch action {
        case .healthy:
            action = .healthy(drawReply(request, rng: &rng))
        case .connection(let c, _):
            action = .connection(c, drawReply(request, rng: &rng))
        case .status:
            break
        }
        return FaultDecision(delay: delay, action: action, rateLimitHeaders: headers, rule: ruleIndex, firedRules: fired)
    }

    private func drawReply(_ request: FaultRequest, rng: inout SquallRandom) -> ReplyPlan {
        var tokens = profile.replyTokens.sample(&rng)
        var finish = "stop"
        if let cap = request.maxTokens, tokens > cap {
            tokens = max(1, cap)
            finish = "length"
        }
        let seed = rng.next()
        var gaps: [Duration] = []
        if request.stream, tokens > 1, profile.interToken != .fixed(.zero) {
            gaps.reserveCapacity(tokens - 1)
            for _ in 1..<tokens { gaps.append(profile.interToken.sample(&rng)) }
        }
        return ReplyPlan(
            completionTokens: tokens, promptTokens: request.promptTokens, finishReason: finish, textSeed: seed, gaps: gaps)
    }
}
