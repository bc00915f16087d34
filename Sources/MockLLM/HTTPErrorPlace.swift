import NIOHTTP1

/// Where in a request a broken-HTTP error is, for the 400's `param`: `request-line`, `header`,
/// `content-length`, `transfer-encoding` or `http`; and the message naming it.
enum HTTPErrorPlace {
    /// The `param` for a parser error.
    static func param(_ error: HTTPParserError) -> String {
        switch error {
        case .invalidMethod, .invalidURL, .invalidVersion, .invalidPath, .invalidQueryString, .invalidFragment,
            .invalidHost, .invalidPort:
            return "request-line"
        case .invalidHeaderToken, .headerOverflow, .invalidCharactersUsed, .lfExpected:
            return "header"
        case .invalidContentLength, .unexpectedContentLength:
            return "content-length"
        case .invalidChunkSize:
            return "transfer-encoding"
        default:
            return "http"
        }
    }

    /// The 400 for a parser error: `The request is not valid HTTP/1.1 (request-line: invalid HTTP method).`
    static func response(_ error: HTTPParserError) -> MockResponse {
        .error(
            400, code: "bad_http", message: "The request is not valid HTTP/1.1 (\(param(error)): \(error)).",
            param: param(error))
    }
}
