import NIOHTTP1

/// Where a request goes, from its method and path alone (no I/O): the routing table of the mock.
enum MockRoute: Sendable, Equatable {
    /// `POST /v1/chat/completions` or Groq's `POST /openai/v1/chat/completions`.
    case completion(path: String)
    /// `GET /v1/models` or `GET /openai/v1/models`.
    case models(path: String)
    /// A control endpoint (`/_squall/…`, `/metrics`); the method is checked after authorization.
    case control(ControlEndpoint)
    /// A known path with the wrong method: 405 with `allow`.
    case methodNotAllowed(path: String, allow: String)
    /// An unknown path: 404.
    case notFound(path: String)

    /// The control endpoints.
    enum ControlEndpoint: String, Sendable, CaseIterable {
        case profile = "/_squall/profile"
        case reset = "/_squall/reset"
        case stats = "/_squall/stats"
        case calls = "/_squall/calls"
        case run = "/_squall/run"
        case metrics = "/metrics"
    }

    /// The path of a request target (before `?`) and its query (after `?`, nil when none).
    static func split(uri: String) -> (path: String, query: Substring?) {
        guard let q = uri.utf8.firstIndex(of: UInt8(ascii: "?")) else { return (uri, nil) }
        return (String(uri[..<q]), uri[uri.index(after: q)...])
    }

    /// Routes a request.
    static func resolve(method: HTTPMethod, path: String) -> MockRoute {
        switch path {
        case "/v1/chat/completions", "/openai/v1/chat/completions":
            return method == .POST ? .completion(path: path) : .methodNotAllowed(path: path, allow: "POST")
        case "/v1/models", "/openai/v1/models":
            return method == .GET ? .models(path: path) : .methodNotAllowed(path: path, allow: "GET")
        default:
            if let endpoint = ControlEndpoint(rawValue: path) { return .control(endpoint) }
            return .notFound(path: path)
        }
    }

    /// The label a path is counted under in stats (`other` for unknown paths, so the set is bounded).
    static func statsLabel(path: String) -> String {
        switch path {
        case "/v1/chat/completions", "/openai/v1/chat/completions", "/v1/models", "/openai/v1/models": return path
        default: return ControlEndpoint(rawValue: path) != nil ? path : "other"
        }
    }
}
