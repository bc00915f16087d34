/// One server-sent event as delivered by `CurlHTTPClient.stream`, stamped with its arrival.
public struct SSEEvent: Sendable, Hashable {
    /// The event's `data:` lines joined with `\n` (an OpenAI chunk's JSON, or `[DONE]`).
    public var data: String
    /// The `event:` field, when present.
    public var event: String?
    /// The `id:` field, when present.
    public var id: String?
    /// 0 for the first event of the response, then 1, 2, …
    public var index: Int
    /// When the bytes completing this event were handed over by libcurl.
    public var receivedAt: ContinuousClock.Instant
    /// `receivedAt` minus the instant `stream` was called (for index 0: time to first token).
    public var elapsed: Duration

    /// Creates an event.
    public init(
        data: String, event: String? = nil, id: String? = nil, index: Int = 0,
        receivedAt: ContinuousClock.Instant, elapsed: Duration
    ) {
        self.data = data
        self.event = event
        self.id = id
        self.index = index
        self.receivedAt = receivedAt
        self.elapsed = elapsed
    }

    /// True for the OpenAI end-of-stream sentinel `data: [DONE]`.
    public var isDone: Bool { data == "[DONE]" }
}
