/// One HTTP answer of the mock before it is put on the wire (control API, errors, model lists): what
/// `ControlAPI` and the request parser return, so they are testable without sockets.
public struct MockResponse: Sendable, Hashable {
    /// One extra header.
    public struct Header: Sendable, Hashable {
        /// Lower-case name.
        public var name: String
        /// Value.
        public var value: String
        /// Creates a header.
        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    /// Status code.
    public var status: Int
    /// `content-type`. Default: `application/json`.
    public var contentType: String
    /// Headers besides `content-type`, `content-length` and `connection`.
    public var headers: [Header]
    /// The body text.
    public var body: String

    /// Creates a response.
    public init(status: Int, contentType: String = "application/json", headers: [Header] = [], body: String) {
        self.status = status
        self.contentType = contentType
        self.headers = headers
        self.body = body
    }

    /// A JSON answer.
    public static func json(_ status: Int, _ body: String, headers: [Header] = []) -> MockResponse {
        MockResponse(status: status, headers: headers, body: body)
    }

    /// An error in the provider's shape: `{"error":{"message","type","param","code"}}`.
    public static func error(
        _ status: Int, type: String = "invalid_request_error", code: String?, message: String, param: String? = nil,
        headers: [Header] = []
    ) -> MockResponse {
        .json(status, ErrorBody.json(type: type, code: code, message: message, param: param), headers: headers)
    }

    /// The `error.message` of an error response (for tests and logs); nil when the body is not one.
    public var errorMessage: String? {
        guard case .string(let m)? = JSONValue.parse(Array(body.utf8))?["error"]?["message"] else { return nil }
        return m
    }

    /// The `error.param` of an error response; nil when absent or null.
    public var errorParam: String? {
        guard case .string(let p)? = JSONValue.parse(Array(body.utf8))?["error"]?["param"] else { return nil }
        return p
    }
}
