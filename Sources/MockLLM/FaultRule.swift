import Reliability

/// One rule of a fault profile: matchers that select requests, a probability, and an action.
/// Rules are evaluated in order; see `FaultPlan` for how they compose.
public struct FaultRule: Sendable, Hashable {
    // MARK: Matchers (all that are set must hold)

    /// Model name, exact or a prefix ending in `*` (`llama-*`). Default: any.
    public var model: String?
    /// Request path, exact or a prefix ending in `*`. Default: any.
    public var path: String?
    /// Scenario-time window `[lower, upper)`. Default: always.
    public var during: DurationRange?
    /// 1-based attempt numbers (attempt 1 is the first try: `x-stainless-retry-count: 0`). Default: any.
    public var attempts: ClosedRange<Int>?
    /// Exact idempotency key (`Idempotency-Key` / `x-idempotency-key`). Default: any.
    public var idempotencyKey: String?
    /// Exact API key (the `Authorization: Bearer` token). Default: any.
    public var apiKey: String?
    /// Only streaming (`true`) or only non-streaming (`false`) requests. Default: both.
    /// `drop: stream_error` and `truncate` with `after_chunks` imply `true`.
    public var stream: Bool?
    /// Fire on every n-th request that passes the other matchers (counted per rule). Default: every one.
    public var everyNth: Int?
    /// Fire only on the first k requests per key that pass the other matchers (key: the idempotency key,
    /// else the API key, else one shared key). Default: no limit.
    public var firstKPerKey: Int?
    /// Probability that the rule fires once it matches (0…1). Default: 1.
    public var rate: Double = 1

    // MARK: Actions

    /// Extra latency added before the response when the rule fires (non-terminal on its own). Default: none.
    public var latency: LatencyDistribution?
    /// What ends the request when the rule fires: a status response or a connection fault. Default: none
    /// (a latency-only rule).
    public var outcome: FaultOutcome?

    /// Creates a rule that matches everything and does nothing; set the fields you need.
    public init(outcome: FaultOutcome? = nil, latency: LatencyDistribution? = nil, rate: Double = 1) {
        self.outcome = outcome
        self.latency = latency
        self.rate = rate
    }

    /// Whether the static matchers (everything except the counters and the probability) hold.
    public func matches(_ request: FaultRequest) -> Bool {
        if let model, !Self.glob(model, request.model) { return false }
        if let path, !Self.glob(path, request.path) { return false }
        if let during, !during.contains(request.now) { return false }
        if let attempts, !attempts.contains(request.attempt) { return false }
        if let idempotencyKey, request.idempotencyKey != idempotencyKey { return false }
        if let apiKey, request.apiKey != apiKey { return false }
        if let stream, request.stream != stream { return false }
        return true
    }

    static func glob(_ pattern: String, _ value: String) -> Bool {
        if pattern == "*" { return true }
        if pattern.hasSuffix("*") { return value.hasPrefix(pattern.dropLast()) }
        return pattern == value
    }
}

/// What a firing rule does to the request.
public enum FaultOutcome: Sendable, Hashable {
    /// Answer with an error status and the provider's error JSON.
    case status(StatusFault)
    /// Break the connection or the body in one of the ways real providers do.
    case connection(ConnectionFault)
}

/// An injected error response.
public struct StatusFault: Sendable, Hashable {
    /// HTTP status, 400…599.
    public var status: Int
    /// The error body to send. Default: the provider's usual body for the status.
    public var body: ErrorBodyKind = .standard
    /// Overrides the error message text. Default: the provider's usual message.
    public var message: String?
    /// `retry-after` in seconds (fractions allowed, written without trailing zeros). Default: none.
    public var retryAfter: Duration?
    /// `retry-after-ms` in milliseconds. Default: none.
    public var retryAfterMs: Duration?
    /// `retry-after` as an HTTP-date this far after the response time. Default: none.
    public var retryAfterDate: Duration?
    /// `x-should-retry: true|false`. Default: not sent.
    public var shouldRetry: Bool?

    /// Creates a status fault.
    public init(
        status: Int, body: ErrorBodyKind = .standard, message: String? = nil, retryAfter: Duration? = nil,
        retryAfterMs: Duration? = nil, retryAfterDate: Duration? = nil, shouldRetry: Bool? = nil
    ) {
        self.status = status
        self.body = body
        self.message = message
        self.retryAfter = retryAfter
        self.retryAfterMs = retryAfterMs
        self.retryAfterDate = retryAfterDate
        self.shouldRetry = shouldRetry
    }

    /// The delay a client reads from the headers (`retry-after-ms` first, then `retry-after`), as
    /// `ResponseHints.parse` would resolve it at response time.
    public var advertisedRetryAfter: Duration? { retryAfterMs ?? retryAfter ?? retryAfterDate }
}

/// Which error body to send with an injected status.
public enum ErrorBodyKind: String, Sendable, Hashable, CaseIterable {
    /// The provider's usual body for the status (429 → a requests rate-limit body).
    case standard
    /// A 429-style token rate-limit body (`"type":"tokens"`, code `rate_limit_exceeded`).
    case tokens
    /// A 429-style request rate-limit body (`"type":"requests"`, code `rate_limit_exceeded`).
    case requests
    /// OpenAI's quota body (`"type":"insufficient_quota"`, code `insufficient_quota`).
    case insufficientQuota = "insufficient_quota"
}

/// A connection-level fault.
public enum ConnectionFault: Sendable, Hashable {
    /// Reset the connection (TCP RST) before any response byte.
    case reset
    /// Send the response head and then close after `afterBytes` body bytes (non-streaming) or after
    /// `afterChunks` SSE chunks (streaming).
    case truncate(afterBytes: Int, afterChunks: Int)
    /// Accept the request and never answer (until the client gives up).
    case hang
    /// Send the whole response, but only `bytesPerSecond` bytes per second.
    case drip(bytesPerSecond: Int)
    /// A 200 whose JSON body (or, streaming, one chunk's JSON) is cut off and invalid.
    case malformed
    /// A 200 with an empty body (streaming: no events at all).
    case empty
    /// Streaming only: after `afterChunks` chunks, a `data: {"error": …}` event, then the stream ends.
    case streamError(afterChunks: Int)

    /// The word used in profiles and stats (`reset`, `truncate`, …).
    public var name: String {
        switch self {
        case .reset: return "reset"
        case .truncate: return "truncate"
        case .hang: return "hang"
        case .drip: return "drip"
        case .malformed: return "malformed"
        case .empty: return "empty"
        case .streamError: return "stream_error"
        }
    }
}
