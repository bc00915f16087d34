import Reliability

/// A complete HTTP response as LoadGen needs it.
public struct HTTPReply: Sendable, Hashable {
    /// The status code.
    public var status: Int
    /// Header fields in wire order.
    public var headers: [HTTPField]
    /// The body.
    public var body: [UInt8]
    /// Creates a reply.
    public init(status: Int, headers: [HTTPField] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }
    /// The first value of header `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.name.lowercased() == lower }?.value
    }
}

/// One header field.
public struct HTTPField: Sendable, Hashable {
    /// Field name.
    public var name: String
    /// Field value.
    public var value: String
    /// Creates a field.
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// An outgoing request.
public struct HTTPCall: Sendable, Hashable {
    /// `GET` or `POST` (any token).
    public var method: String
    /// Absolute `http://` URL.
    public var url: String
    /// Header fields.
    public var headers: [HTTPField]
    /// Body bytes (empty for none).
    public var body: [UInt8]
    /// Whole-request timeout, real time.
    public var timeout: Duration
    /// Creates a request.
    public init(method: String, url: String, headers: [HTTPField] = [], body: [UInt8] = [], timeout: Duration) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }
}

/// The HTTP client LoadGen's targets use (libcurl in production; fakes in tests). It must enforce
/// the timeout and classify failures below HTTP as a `TransportFailure`.
public protocol LoadHTTPClient: Sendable {
    /// Sends one request and returns the response or the transport failure.
    func send(_ call: HTTPCall) async -> Result<HTTPReply, TransportFailureError>
    /// Sends the request `make` builds, building it only when the client is ready to send it: a
    /// client that makes requests wait for a connection (`CurlLoadClient`) calls `make` after the
    /// wait, so the thousands of tasks waiting in line when a target stalls hold none of their
    /// request bytes. Default: builds it at once and calls `send(_:)`.
    func send(building make: () -> HTTPCall) async -> Result<HTTPReply, TransportFailureError>
    /// Where tasks that mostly send requests run best (the client's own event loop), if anywhere. Default nil.
    var preferredExecutor: (any TaskExecutor)? { get }
}

extension LoadHTTPClient {
    /// Builds the request at once and sends it.
    public func send(building make: () -> HTTPCall) async -> Result<HTTPReply, TransportFailureError> {
        await send(make())
    }

    /// No preference.
    public var preferredExecutor: (any TaskExecutor)? { nil }
}

/// A `TransportFailure` as an error, with the client's message for a person.
public struct TransportFailureError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The classified failure.
    public var failure: TransportFailure
    /// What the client said.
    public var message: String
    /// Creates an error.
    public init(_ failure: TransportFailure, message: String = "") {
        self.failure = failure
        self.message = message
    }
    public var description: String { message.isEmpty ? failure.rawValue : "\(failure.rawValue): \(message)" }
}
