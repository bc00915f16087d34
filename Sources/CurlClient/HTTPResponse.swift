/// Where the time of one transfer went, as libcurl measured it from the moment the transfer
/// started (was handed to the event loop) — curl's `*_TIME_T` infos.
public struct HTTPTiming: Sendable, Hashable {
    /// Until name resolution finished (near zero for an IP literal or a reused connection).
    public var nameLookup: Duration
    /// Until the TCP connection was established (near zero for a reused connection).
    public var connect: Duration
    /// Until the first response byte arrived (curl's "start transfer").
    public var firstByte: Duration
    /// Until the transfer finished.
    public var total: Duration
    /// For streams: from the call to `stream` until the first SSE event was parsed
    /// (time to first token); nil when no event arrived or for plain requests.
    public var firstEvent: Duration?

    /// Creates a timing record.
    public init(
        nameLookup: Duration = .zero, connect: Duration = .zero, firstByte: Duration = .zero,
        total: Duration = .zero, firstEvent: Duration? = nil
    ) {
        self.nameLookup = nameLookup
        self.connect = connect
        self.firstByte = firstByte
        self.total = total
        self.firstEvent = firstEvent
    }
}

/// A complete HTTP response (any status).
public struct HTTPResponse: Sendable, Hashable {
    /// The status code of the final response (after any `100 Continue`).
    public var status: Int
    /// The response header fields in wire order; lookup by name is case-insensitive.
    public var headers: HTTPHeaders
    /// The body bytes. For a 2xx `text/event-stream` answer to `stream`, the events were delivered
    /// one by one instead and this is empty.
    public var body: [UInt8]
    /// Where the time went.
    public var timing: HTTPTiming
    /// True when the request went over a connection that was already open (keep-alive reuse).
    public var reusedConnection: Bool
    /// For streams: how many SSE events were delivered (0 for plain requests).
    public var eventCount: Int
    /// For streams: true when the body ended in the middle of an event (no blank line after it).
    public var endedMidEvent: Bool

    /// Creates a response.
    public init(
        status: Int, headers: HTTPHeaders = [:], body: [UInt8] = [], timing: HTTPTiming = HTTPTiming(),
        reusedConnection: Bool = false, eventCount: Int = 0, endedMidEvent: Bool = false
    ) {
        self.status = status
        self.headers = headers
        self.body = body
        self.timing = timing
        self.reusedConnection = reusedConnection
        self.eventCount = eventCount
        self.endedMidEvent = endedMidEvent
    }

    /// The body decoded as UTF-8 (invalid sequences replaced).
    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}
