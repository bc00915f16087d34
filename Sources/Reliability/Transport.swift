/// One LLM call as the live executor hands it to a transport: a routed, budgeted chat request.
public struct LLMRequest: Sendable, Hashable {
    /// The model to call.
    public var model: String
    /// The chat messages (already fitted into the token budget).
    public var messages: [ChatMessage]
    /// `max_tokens` for the completion.
    public var maxTokens: Int
    /// The task's idempotency key, if it has one (transports may forward it as `Idempotency-Key`).
    public var idempotencyKey: String?
    /// The task's identifier, for logs and request headers.
    public var taskID: String
    /// Attempt number, from 1 (transports may send `x-stainless-retry-count: attempt - 1`).
    public var attempt: Int

    /// Creates a request.
    public init(
        model: String, messages: [ChatMessage], maxTokens: Int, idempotencyKey: String? = nil, taskID: String,
        attempt: Int = 1
    ) {
        self.model = model
        self.messages = messages
        self.maxTokens = maxTokens
        self.idempotencyKey = idempotencyKey
        self.taskID = taskID
        self.attempt = attempt
    }
}

/// What a transport reports for one attempt: the classified-to-be outcome plus what a success carries.
public struct AttemptResult: Sendable, Hashable {
    /// The HTTP response (any status) or transport failure.
    public var outcome: AttemptOutcome
    /// Token usage reported by the provider; nil when absent.
    public var usage: TokenUsage?
    /// The assistant's reply on success (or the raw body), nil when there is none.
    public var body: String?

    /// Creates a result.
    public init(outcome: AttemptOutcome, usage: TokenUsage? = nil, body: String? = nil) {
        self.outcome = outcome
        self.usage = usage
        self.body = body
    }
}

/// Something that can send one LLM attempt over the wire (libcurl in production, fakes in tests).
/// Implementations must enforce `timeout` (real time) and report it as `.transport(.timeout)`, and
/// should end early with any outcome when the calling task is cancelled.
public protocol LLMTransport: Sendable {
    /// Sends `request`, bounded by `timeout` (wall-clock, already divided by the time scale).
    func send(_ request: LLMRequest, timeout: Duration) async -> AttemptResult
}
