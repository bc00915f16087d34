/// An HTTP method token such as `GET` or `POST`.
public struct HTTPMethod: Sendable, Hashable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// The method as sent on the request line.
    public var rawValue: String

    /// Creates a method from its token (sent as given, e.g. `PATCH`).
    public init(_ rawValue: String) { self.rawValue = rawValue }
    /// Creates a method from a string literal.
    public init(stringLiteral value: String) { self.rawValue = value }

    /// `GET`.
    public static let get = HTTPMethod("GET")
    /// `POST`.
    public static let post = HTTPMethod("POST")
    /// `PUT`.
    public static let put = HTTPMethod("PUT")
    /// `PATCH`.
    public static let patch = HTTPMethod("PATCH")
    /// `DELETE`.
    public static let delete = HTTPMethod("DELETE")
    /// `HEAD` (no response body is read).
    public static let head = HTTPMethod("HEAD")

    /// The token.
    public var description: String { rawValue }
}

/// One HTTP request to send through `CurlHTTPClient`.
public struct HTTPRequest: Sendable, Hashable {
    /// The method (default `GET`).
    public var method: HTTPMethod
    /// The absolute URL, `http://` or `https://`.
    public var url: String
    /// Request header fields, sent in order.
    public var headers: HTTPHeaders
    /// The request body (default empty). Sent for any method when non-empty, and always for `POST`.
    public var body: [UInt8]
    /// The whole-transfer timeout for this request; nil uses the client's `requestTimeout`.
    public var timeout: Duration?

    /// Creates a request.
    public init(
        method: HTTPMethod = .get, url: String, headers: HTTPHeaders = [:], body: [UInt8] = [],
        timeout: Duration? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }

    /// A `POST` of a JSON document (`Content-Type: application/json`) given as UTF-8 text.
    public static func postJSON(
        url: String, json: String, headers: HTTPHeaders = [:], timeout: Duration? = nil
    ) -> HTTPRequest {
        var h = headers
        if !h.contains(name: "Content-Type") { h.append(name: "Content-Type", value: "application/json") }
        return HTTPRequest(method: .post, url: url, headers: h, body: Array(json.utf8), timeout: timeout)
    }
}
