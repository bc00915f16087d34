import Reliability

/// The project's HTTP client: libcurl's multi interface driven by one dedicated event-loop
/// thread, with an async API. Keeps connections alive and reuses them, caps how many are open,
/// applies per-request timeouts, reports a timing breakdown, delivers server-sent events as they
/// arrive, and fails with a typed `TransportError` the reliability stack can classify.
///
/// Create one per process (or per target) and share it; call `shutdown()` when done (dropping
/// the last reference also shuts the loop down, without waiting).
public final class CurlHTTPClient: Sendable {
    private let loop: CurlEventLoop

    /// The settings this client was created with.
    public let configuration: HTTPClientConfiguration

    /// Starts the event-loop thread. Throws when a configuration field is out of range (the
    /// message names it) or libcurl cannot initialise.
    public init(configuration: HTTPClientConfiguration = HTTPClientConfiguration()) throws(HTTPClientSetupError) {
        self.configuration = configuration
        self.loop = try CurlEventLoop(configuration: configuration)
    }

    deinit {
        loop.requestShutdown()
    }

    /// Sends one request and returns its response, whatever the status. Throws a `TransportError`
    /// when no complete response arrived (refused, reset, timeout, truncated, …), when the calling
    /// task is cancelled (the transfer is removed from libcurl promptly; `isCancellation`), or
    /// after `shutdown()` (`isShutdown`).
    public func send(_ request: HTTPRequest) async throws(TransportError) -> HTTPResponse {
        try await perform(request, onEvent: nil)
    }

    /// Sends a request whose answer is a server-sent-event stream (OpenAI `"stream": true`) and
    /// calls `onEvent` with each event as soon as its blank line arrives, stamped with its arrival
    /// time. `onEvent` runs on the client's event-loop thread: keep it short and never block in it.
    /// Returns the response once the stream ends (`body` empty for a 2xx `text/event-stream`,
    /// the full body otherwise, e.g. an error JSON; `timing.firstEvent` is the time to first token).
    /// Throws like `send`; events delivered before a failure stay delivered.
    public func stream(
        _ request: HTTPRequest, onEvent: @escaping @Sendable (SSEEvent) -> Void
    ) async throws(TransportError) -> HTTPResponse {
        try await perform(request, onEvent: onEvent)
    }

    /// The events of a streamed request as an async sequence; the sequence finishes after the last
    /// event, or throws the `TransportError`. A non-2xx status ends it with
    /// `HTTPStatusError` carrying the response. Cancelling the consuming task cancels the request.
    public func events(_ request: HTTPRequest) -> AsyncThrowingStream<SSEEvent, any Error> {
        let (stream, continuation) = AsyncThrowingStream<SSEEvent, any Error>.makeStream()
        let task = Task { [self] in
            do {
                let response = try await self.stream(request) { continuation.yield($0) }
                if (200..<300).contains(response.status) {
                    continuation.finish()
                } else {
                    continuation.finish(throwing: HTTPStatusError(response: response))
                }
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    /// Fails every request in flight with `TransportError.shutDown`, frees every libcurl handle and
    /// stops the loop thread; returns when that is done. Later requests fail with `.shutDown`.
    public func shutdown() async {
        await loop.shutdown()
    }

    /// The client's event-loop thread as a task executor. Tasks that prefer it
    /// (`Task(executorPreference: client.taskExecutor) { … }` or `withTaskExecutorPreference`)
    /// run on the loop thread between libcurl calls, so a request is submitted, transferred and
    /// resumed without any thread hop — the fastest way to drive many requests. Code on it must
    /// never block (no locks held long, no synchronous I/O, no sleeping): it stalls every transfer.
    /// After `shutdown()` such tasks continue on the global concurrent executor.
    public var taskExecutor: any TaskExecutor { loop }

    /// True when called on the client's event-loop thread (tests of `taskExecutor`).
    var isOnLoopThread: Bool { loop.onLoopThread }

    /// Easy handles and header lists currently allocated by this client (leak checks).
    var liveResources: (easyHandles: Int, headerLists: Int) { loop.liveResources }

    private func perform(
        _ request: HTTPRequest, onEvent: (@Sendable (SSEEvent) -> Void)?
    ) async throws(TransportError) -> HTTPResponse {
        if Task.isCancelled { throw .cancelled }
        let transfer = Transfer(request: request, onEvent: onEvent)
        let loop = self.loop
        let result = await withTaskCancellationHandler {
            await withUnsafeContinuation { (c: Transfer.Completion) in
                transfer.continuation = c
                loop.submit(transfer)
            }
        } onCancel: {
            loop.cancel(transfer)
        }
        return try result.get()
    }
}

/// A streamed request answered with a non-2xx status (thrown by `CurlHTTPClient.events`).
public struct HTTPStatusError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The whole response, body included (usually an error JSON).
    public var response: HTTPResponse
    /// Creates the error.
    public init(response: HTTPResponse) { self.response = response }
    /// `HTTP 429: {"error":…}`.
    public var description: String { "HTTP \(response.status): " + String(response.bodyText.prefix(200)) }
}
