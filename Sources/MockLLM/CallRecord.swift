/// One request the mock served on a completions path: the ground truth for every LLM-side figure
/// of a live run (calls, offered load, tokens, cost, attempts, retry gaps, Retry-After compliance,
/// executions per key). Produced under the mock's lock in arrival order; read with `CallLog`.
public struct CallRecord: Sendable, Hashable {
    /// Sequence number, 1 for the first record since the mock started or the last run start/reset.
    public var seq: UInt64
    /// Scenario time of arrival (the mock's clock: real time since start/reset/run start × time scale).
    public var time: Duration
    /// Scenario time the mock waited before the first response byte (base latency + latency rules).
    public var delay: Duration
    /// The attribution marker found in the prompt, if any.
    public var tag: SquallTag?
    /// The `Idempotency-Key` / `x-idempotency-key` header (at most `CallRecord.maxKeyBytes`; longer
    /// keys are cut there and end with `…`).
    public var idempotencyKey: String?
    /// The model, as counted in stats (long or surplus names are folded into `other`).
    public var model: String
    /// The request path (`/v1/chat/completions` or `/openai/v1/chat/completions`).
    public var path: String
    /// Whether the client asked for a stream.
    public var stream: Bool
    /// The 1-based attempt the client declared (`x-stainless-retry-count: n` is attempt n + 1, or the
    /// profile's `attempt_header`); nil when the header was not sent.
    public var attempt: Int?
    /// What the mock answered.
    public var outcome: CallOutcome
    /// `retry-after` given (seconds, or the HTTP-date's distance), scenario time; nil when none.
    public var retryAfter: Duration?
    /// `retry-after-ms` given; nil when none.
    public var retryAfterMs: Duration?
    /// Whether a completion was generated in full (a healthy or dripped reply).
    public var completed: Bool
    /// Prompt tokens of the request (the estimate `usage` reports, marker removed).
    public var promptTokens: Int
    /// Completion tokens generated (0 unless a reply was drawn).
    public var completionTokens: Int
    /// Index (0-based) of the profile rule whose outcome answered, nil when none did (healthy or the
    /// rate limiter; the `x-squall-fault` header counts as rule 0 of its own one-rule profile).
    public var rule: Int?

    /// Longest idempotency key kept in a record, in bytes.
    public static let maxKeyBytes = 255

    /// Creates a record.
    public init(
        seq: UInt64 = 0, time: Duration, delay: Duration = .zero, tag: SquallTag? = nil, idempotencyKey: String? = nil,
        model: String, path: String = "/v1/chat/completions", stream: Bool = false, attempt: Int? = nil,
        outcome: CallOutcome, retryAfter: Duration? = nil, retryAfterMs: Duration? = nil, completed: Bool = false,
        promptTokens: Int = 0, completionTokens: Int = 0, rule: Int? = nil
    ) {
        self.seq = seq
        self.time = time
        self.delay = delay
        self.tag = tag
        self.idempotencyKey = idempotencyKey
        self.model = model
        self.path = path
        self.stream = stream
        self.attempt = attempt
        self.outcome = outcome
        self.retryAfter = retryAfter
        self.retryAfterMs = retryAfterMs
        self.completed = completed
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.rule = rule
    }
}

/// What the mock answered a call with: an HTTP status, or a connection-level fault.
public enum CallOutcome: Sendable, Hashable {
    /// A complete response with this status (200 for healthy replies).
    case status(Int)
    /// A connection fault (`drip` still delivers a valid 200 reply, slowly).
    case drop(DropKind)

    /// The status on the wire, nil for `reset` and `hang` (nothing sent).
    public var wireStatus: Int? {
        switch self {
        case .status(let s): return s
        case .drop(.reset), .drop(.hang): return nil
        case .drop: return 200
        }
    }
}

/// The connection faults of a fault profile's `drop:` (the names are the profile's).
public enum DropKind: String, Sendable, Hashable, CaseIterable {
    /// TCP RST before any byte.
    case reset
    /// Closed after part of the body.
    case truncate
    /// Never answered.
    case hang
    /// The whole valid reply, slowly.
    case drip
    /// A 200 whose JSON is cut.
    case malformed
    /// A 200 with no body.
    case empty
    /// An error event mid-stream.
    case streamError = "stream_error"
}
