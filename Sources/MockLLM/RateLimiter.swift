import Reliability

/// Limits for one model (optionally per API key). A limit left nil is not enforced.
public struct RateLimits: Sendable, Hashable {
    /// Requests per minute. Default: none.
    public var rpm: Int?
    /// Requests per day. Default: none.
    public var rpd: Int?
    /// Tokens per minute. Default: none. A single request charged more than this gets a 413.
    public var tpm: Int?
    /// Tokens per day. Default: none.
    public var tpd: Int?
    /// Keep separate buckets for each API key instead of one per model. Default: false.
    public var perKey: Bool = false

    /// Creates limits; every field defaults to unlimited.
    public init(rpm: Int? = nil, rpd: Int? = nil, tpm: Int? = nil, tpd: Int? = nil, perKey: Bool = false) {
        self.rpm = rpm
        self.rpd = rpd
        self.tpm = tpm
        self.tpd = tpd
        self.perKey = perKey
    }

    /// True when no limit is set.
    public var isEmpty: Bool { rpm == nil && rpd == nil && tpm == nil && tpd == nil }
}

/// Which provider's convention the `x-ratelimit-*-requests` headers follow.
public enum HeaderStyle: String, Sendable, Hashable, CaseIterable {
    /// Groq style for Groq's `/openai/v1/…` paths, OpenAI style otherwise.
    case auto
    /// Request headers describe the per-minute limit (falls back to per-day when only that is set).
    case openai
    /// Request headers describe the per-day limit (falls back to per-minute), as Groq does.
    case groq
}

/// The six `x-ratelimit-*` header values. Dimensions without a configured limit are nil (and not sent).
public struct RateLimitHeaders: Sendable, Hashable {
    /// `x-ratelimit-limit-requests`.
    public var limitRequests: Int?
    /// `x-ratelimit-remaining-requests`.
    public var remainingRequests: Int?
    /// `x-ratelimit-reset-requests`: time until the request bucket is full again.
    public var resetRequests: Duration?
    /// `x-ratelimit-limit-tokens`.
    public var limitTokens: Int?
    /// `x-ratelimit-remaining-tokens`.
    public var remainingTokens: Int?
    /// `x-ratelimit-reset-tokens`: time until the token bucket is full again.
    public var resetTokens: Duration?

    /// The headers as (name, value) pairs, resets in Go duration format (`6m0s`, `7.66s`, `12ms`).
    public var pairs: [(name: String, value: String)] {
        var out: [(name: String, value: String)] = []
        if let limitRequests, let remainingRequests, let resetRequests {
            out.append(("x-ratelimit-limit-requests", String(limitRequests)))
            out.append(("x-ratelimit-remaining-requests", String(remainingRequests)))
            out.append(("x-ratelimit-reset-requests", DurationFormat.format(resetRequests)))
        }
        if let limitTokens, let remainingTokens, let resetTokens {
            out.append(("x-ratelimit-limit-tokens", String(limitTokens)))
            out.append(("x-ratelimit-remaining-tokens", String(remainingTokens)))
            out.append(("x-ratelimit-reset-tokens", DurationFormat.format(resetTokens)))
        }
        return out
    }
}

/// The answer of `RateLimiter.check`.
public enum RateLimitDecision: Sendable, Hashable {
    /// Within limits; the request was charged. Carries the headers to send.
    case allowed(RateLimitHeaders)
    /// Over a limit: answer 429 with `retry-after`. `dimension` is `requests` or `tokens` (the body's type).
    case limited(retryAfter: Duration, dimension: ErrorBodyKind, headers: RateLimitHeaders)
    /// One request alone exceeds the tokens-per-minute limit: answer 413 (as Groq does).
    case tooLarge(limit: Int, requested: Int, headers: RateLimitHeaders)
}

/// A token bucket with continuous refill: `capacity` units, refilled at `capacity / period`.
public struct TokenBucket: Sendable, Hashable {
    /// Maximum content (the limit).
    public let capacity: Double
    /// Units per second.
    public let refillPerSecond: Double
    /// Content at `updated`.
    public private(set) var level: Double
    /// Scenario time of the last refill.
    public private(set) var updated: Duration

    /// A full bucket of `capacity` that refills completely over `period`.
    public init(capacity: Int, period: Duration, now: Duration) {
        self.capacity = Double(capacity)
        self.refillPerSecond = Double(capacity) / max(period.seconds, 1e-9)
        self.level = Double(capacity)
        self.updated = now
    }

    /// Adds what has refilled since the last update (time never runs backwards here).
    public mutating func refill(now: Duration) {
        guard now > updated else { return }
        level = min(capacity, level + (now - updated).seconds * refillPerSecond)
        updated = now
    }

    /// How long until `amount` units are available (zero if they are now). Call after `refill`.
    public func wait(for amount: Double) -> Duration {
        amount <= level ? .zero : .fromSeconds((amount - level) / refillPerSecond)
    }

    /// How long until the bucket is full again. Call after `refill`.
    public var untilFull: Duration { .fromSeconds(max(0, capacity - level) / refillPerSecond) }

    /// Whole units available now (floor, never negative).
    public var available: Int { Int(max(0, level).rounded(.down)) }

    /// Removes `amount` units.
    public mutating func take(_ amount: Double) { level -= amount }
}

/// RPM/RPD/TPM/TPD token buckets per model (optionally per API key), with continuous refill.
/// A value type driven by explicit `now`; the mock server keeps one behind a lock, the simulator one per run.
/// Requests that are refused (429/413) are not charged.
public struct RateLimiter: Sendable {
    /// Limits per model name; the key `*` applies to models not listed. Default: empty (no limits).
    public var limits: [String: RateLimits]
    /// Header convention. Default: `.auto`.
    public var style: HeaderStyle
    /// Bucket sets per model (and API key), bounded: names are cut to 256 bytes and at most
    /// `maxBucketSets` sets are kept (the oldest is dropped first: its buckets start full again).
    private var buckets = BoundedKeyTable<BucketSet>(capacity: RateLimiter.maxBucketSets)

    /// Bucket sets kept at most.
    public static let maxBucketSets = 65_536

    struct BucketSet: Sendable {
        var rpm, rpd, tpm, tpd: TokenBucket?
    }

    /// Creates a limiter with full buckets.
    public init(limits: [String: RateLimits] = [:], style: HeaderStyle = .auto) {
        self.limits = limits
        self.style = style
    }

    /// The limits that apply to `model` (its own entry, else `*`), or nil.
    public func limits(for model: String) -> RateLimits? {
        if let l = limits[model], !l.isEmpty { return l }
        if let l = limits["*"], !l.isEmpty { return l }
        return nil
    }

    /// Forgets all bucket state (buckets start full again).
    public mutating func reset() { buckets = BoundedKeyTable(capacity: Self.maxBucketSets) }

    /// Checks and, when allowed, charges one request of `tokens` tokens (callers charge
    /// `max(max_tokens, prompt estimate)`, as providers do). Returns nil when `model` has no limits.
    /// `groqPath` selects Groq-style headers under `.auto`.
    public mutating func check(
        model: String, apiKey: String?, tokens: Int, now: Duration, groqPath: Bool = false
    ) -> RateLimitDecision? {
        guard let l = limits(for: model) else { return nil }
        let key = BoundedKeyTable<BucketSet>.tableKey(l.perKey ? model + "\u{0}" + (apiKey ?? "") : model)
        var set = buckets[key] ?? BucketSet(
            rpm: l.rpm.map { TokenBucket(capacity: $0, period: .seconds(60), now: now) },
            rpd: l.rpd.map { TokenBucket(capacity: $0, period: .seconds(86_400), now: now) },
            tpm: l.tpm.map { TokenBucket(capacity: $0, period: .seconds(60), now: now) },
            tpd: l.tpd.map { TokenBucket(capacity: $0, period: .seconds(86_400), now: now) })
        set.rpm?.refill(now: now)
        set.rpd?.refill(now: now)
        set.tpm?.refill(now: now)
        set.tpd?.refill(now: now)
        let groq = style == .groq || (style == .auto && groqPath)
        let amount = Double(tokens)

        if let tpm = l.tpm, tokens > tpm {
            buckets.set(key, set)
            return .tooLarge(limit: tpm, requested: tokens, headers: headers(set, groq: groq))
        }
        var wait = Duration.zero
        var dimension = ErrorBodyKind.requests
        for bucket in [set.rpm, set.rpd] {
            if let b = bucket, b.wait(for: 1) > wait { wait = b.wait(for: 1); dimension = .requests }
        }
        for bucket in [set.tpm, set.tpd] {
            if let b = bucket, b.wait(for: amount) > wait { wait = b.wait(for: amount); dimension = .tokens }
        }
        if wait > .zero {
            buckets.set(key, set)
            return .limited(retryAfter: wait, dimension: dimension, headers: headers(set, groq: groq))
        }
        set.rpm?.take(1)
        set.rpd?.take(1)
        set.tpm?.take(amount)
        set.tpd?.take(amount)
        buckets.set(key, set)
        return .allowed(headers(set, groq: groq))
    }

    private func headers(_ set: BucketSet, groq: Bool) -> RateLimitHeaders {
        var h = RateLimitHeaders()
        let req = groq ? (set.rpd ?? set.rpm) : (set.rpm ?? set.rpd)
        if let req {
            h.limitRequests = Int(req.capacity)
            h.remainingRequests = req.available
            h.resetRequests = req.untilFull
        }
        if let tok = set.tpm ?? set.tpd {
            h.limitTokens = Int(tok.capacity)
            h.remainingTokens = tok.available
            h.resetTokens = tok.untilFull
        }
        return h
    }
}
