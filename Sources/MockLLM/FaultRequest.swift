/// What the fault plan knows about one incoming completion request.
public struct FaultRequest: Sendable, Hashable {
    /// Request path, e.g. `/v1/chat/completions`.
    public var path: String
    /// The `model` field of the body.
    public var model: String
    /// Whether the client asked for a stream.
    public var stream: Bool
    /// 1-based attempt number (from the attempt header: `x-stainless-retry-count: 0` is attempt 1). Default: 1.
    public var attempt: Int
    /// `Idempotency-Key` / `x-idempotency-key`, if sent.
    public var idempotencyKey: String?
    /// The bearer token, if sent.
    public var apiKey: String?
    /// Estimated prompt tokens of the request (see `ReplyText.estimatePromptTokens`).
    public var promptTokens: Int
    /// `max_tokens` / `max_completion_tokens`, if sent.
    public var maxTokens: Int?
    /// Scenario time of arrival (since the server or scenario started).
    public var now: Duration

    /// Creates a request context.
    public init(
        path: String = "/v1/chat/completions", model: String, stream: Bool = false, attempt: Int = 1,
        idempotencyKey: String? = nil, apiKey: String? = nil, promptTokens: Int = 10, maxTokens: Int? = nil,
        now: Duration
    ) {
        self.path = path
        self.model = model
        self.stream = stream
        self.attempt = attempt
        self.idempotencyKey = idempotencyKey
        self.apiKey = apiKey
        self.promptTokens = promptTokens
        self.maxTokens = maxTokens
        self.now = now
    }

    /// What the rate limiter charges up front: `max(max_tokens, prompt estimate)`.
    public var chargedTokens: Int { max(maxTokens ?? 0, promptTokens) }

    /// True for Groq's `/openai/v1/…` paths.
    public var isGroqPath: Bool { path.hasPrefix("/openai/") }

    /// The key `first_k_per_key` counts by: the idempotency key, else the API key, else a shared key.
    public var selectorKey: String { idempotencyKey ?? apiKey.map { "api:" + $0 } ?? "" }
}
