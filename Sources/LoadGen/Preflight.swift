import Reliability

/// Checks, before a run, that the target is an HTTP server at all, so a wrong URL fails in
/// seconds with a clear message instead of producing a run of transport failures.
public enum Preflight {
    /// Sends `GET` to `path` under `url` and accepts any HTTP response (even 404); a transport
    /// failure (refused, reset, timeout, a reply that is not HTTP) throws `LoadError.unreachable`.
    /// Default path `/`, timeout 5 s (real time).
    public static func check(
        url: String, path: String = "/", client: any LoadHTTPClient, timeout: Duration = .seconds(5)
    ) async throws(LoadError) {
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
            throw .unreachable("target URL '\(url)' must start with http:// or https://")
        }
        var base = url
        while base.hasSuffix("/") { base.removeLast() }
        let full = base + (path.hasPrefix("/") ? path : "/" + path)
        switch await client.send(HTTPCall(method: "GET", url: full, timeout: timeout)) {
        case .success:
            return
        case .failure(let e):
            let what: String
            switch e.failure {
            case .refused: what = "connection refused (is the server running?)"
            case .timeout: what = "no answer within \(DurationFormat.short(timeout))"
            case .malformed, .truncated: what = "the server did not answer with HTTP"
            case .reset: what = "the connection was dropped without an HTTP answer (not an HTTP server?)"
            case .unreachable: what = "cannot reach the host"
            }
            throw .unreachable("target \(full) is not reachable: \(what)" + (e.message.isEmpty ? "" : " [\(e.message)]"))
        }
    }
}
