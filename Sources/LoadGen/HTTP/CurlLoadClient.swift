import CurlClient
import Reliability

/// `LoadHTTPClient` over the project's libcurl client. At most `maxConnections` requests are handed
/// to libcurl at once; the rest wait here, in order. (libcurl queues requests beyond its connection
/// cap in a pending list whose handling grows with its length: measured on loopback, 64 connections
/// served 13k req/s with 64 requests outstanding but 4.9k with 1,000 and 2.8k with 5,000, which
/// turns any backlog in an open-loop run into a collapse. Waiting here keeps libcurl's list empty;
/// latency is still measured from each task's intended start, so the wait is not hidden.)
public struct CurlLoadClient: LoadHTTPClient {
    /// The libcurl client (shared; one event-loop thread).
    public let client: CurlHTTPClient
    private let gate: SlotGate

    /// Wraps an existing client.
    public init(client: CurlHTTPClient) {
        self.client = client
        gate = SlotGate(capacity: max(1, client.configuration.maxConnections))
    }

    /// Starts a client with `maxConnections` connections (default 64) and a 5 s connect timeout.
    public init(maxConnections: Int = 64, connectTimeout: Duration = .seconds(5)) throws(LoadError) {
        do {
            client = try CurlHTTPClient(
                configuration: HTTPClientConfiguration(maxConnections: maxConnections, connectTimeout: connectTimeout))
            gate = SlotGate(capacity: max(1, maxConnections))
        } catch {
            throw .invalidOptions(error.description)
        }
    }

    public func send(_ call: HTTPCall) async -> Result<HTTPReply, TransportFailureError> {
        await send(building: { call })
    }

    /// Waits for a connection slot, then builds the request and sends it: a request waiting in
    /// line holds none of its bytes (headers, body, libcurl's copy), only `make`'s captures.
    public func send(building make: () -> HTTPCall) async -> Result<HTTPReply, TransportFailureError> {
        await gate.acquire()
        defer { gate.release() }
        return await perform(Self.request(make()))
    }

    /// One request on a held slot. The conversions are never inlined: this frame is held while the
    /// request is in flight, so it keeps only the request (see `LiveExecutor.run`).
    @inline(never)
    private func perform(_ request: HTTPRequest) async -> Result<HTTPReply, TransportFailureError> {
        do {
            return .success(Self.reply(try await client.send(request)))
        } catch {
            return .failure(TransportFailureError(error.failure, message: error.message))
        }
    }

    @inline(never)
    static func request(_ call: HTTPCall) -> HTTPRequest {
        var headers = HTTPHeaders()
        for f in call.headers { headers.append(name: f.name, value: f.value) }
        return HTTPRequest(
            method: HTTPMethod(call.method), url: call.url, headers: headers, body: call.body, timeout: call.timeout)
    }

    @inline(never)
    static func reply(_ response: HTTPResponse) -> HTTPReply {
        HTTPReply(status: response.status, headers: response.headers.map { HTTPField($0.name, $0.value) }, body: response.body)
    }

    /// libcurl's event-loop thread: tasks that drive requests from it avoid a thread hop per request.
    public var preferredExecutor: (any TaskExecutor)? { client.taskExecutor }

    /// Stops the client's event loop.
    public func shutdown() async { await client.shutdown() }
}
