import NIOHTTP1

/// The control API (`/_squall/profile`, `/_squall/reset`, `/_squall/run`, `/_squall/calls`,
/// `/_squall/stats`, `/metrics`): authorization
/// and every endpoint's logic, returning response values (no sockets), so each case is unit-testable.
struct ControlAPI: Sendable {
    /// The state the endpoints read and change.
    let state: MockState
    /// When set, every control request needs `Authorization: Bearer <token>` (from any address);
    /// when nil, control requests are answered only from loopback (unless `openWithoutToken`).
    let token: String?
    /// Without a token, answer any peer (`--insecure-control`). Default: false.
    var openWithoutToken = false

    /// One control request, as far as the API needs to know it.
    struct Request {
        /// Which endpoint.
        var endpoint: MockRoute.ControlEndpoint
        /// The method.
        var method: HTTPMethod
        /// The query string (after `?`), nil when none.
        var query: Substring? = nil
        /// The `Authorization` header, if sent.
        var authorization: String? = nil
        /// Whether the peer's address is a loopback address.
        var fromLoopback: Bool
        /// The request body.
        var body: [UInt8] = []
    }

    /// Answers one control request.
    func handle(_ r: Request) -> MockResponse {
        if let denied = authorize(r) { return denied }
        switch (r.endpoint, r.method) {
        case (.profile, .GET):
            let text = state.profileText
            let isJSON = text.first(where: { !$0.isWhitespace }) == "{"
            return MockResponse(status: 200, contentType: isJSON ? "application/json" : "application/yaml", body: text)
        case (.profile, .PUT), (.profile, .POST):
            let text = String(decoding: r.body, as: UTF8.self)
            do {
                let profile = try FaultProfile.parse(text, file: "<request body>")
                state.replace(profile: profile, text: text)
                return .json(200, "{\"ok\":true,\"rules\":\(profile.faults.count)}")
            } catch {
                return .error(400, type: "invalid_profile", code: "invalid_profile", message: error.description)
            }
        case (.reset, .POST):
            state.reset()
            return .json(200, "{\"ok\":true}")
        case (.run, .POST):
            return startRun(r.body)
        case (.calls, .GET):
            return calls(query: r.query)
        case (.stats, .GET):
            return .json(200, state.stats.json(scenarioSeconds: state.scenarioNow().seconds))
        case (.metrics, .GET):
            return MockResponse(status: 200, contentType: "text/plain; version=0.0.4", body: state.metricsText())
        default:
            let allow = Self.allowed(r.endpoint)
            return .error(
                405, code: "method_not_allowed", message: "Method not allowed: \(r.endpoint.rawValue) accepts \(allow).",
                headers: [.init("allow", allow)])
        }
    }

    /// The methods an endpoint accepts, for `allow`.
    static func allowed(_ endpoint: MockRoute.ControlEndpoint) -> String {
        switch endpoint {
        case .profile: return "GET, PUT"
        case .reset, .run: return "POST"
        case .stats, .metrics, .calls: return "GET"
        }
    }

    /// `GET /_squall/calls?after=SEQ&limit=N`: the call-log page as JSON (`CallLogJSON`).
    func calls(query: Substring?) -> MockResponse {
        var after: UInt64 = 0
        var limit = CallLog.defaultPage
        for item in (query ?? "").split(separator: "&") where !item.isEmpty {
            let kv = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(kv[0])
            let value = kv.count > 1 ? String(kv[1]) : ""
            switch name {
            case "after":
                guard let v = UInt64(value) else {
                    return .error(
                        400, code: "invalid_value", message: "Invalid 'after': expected a sequence number >= 0, got '\(value.prefix(40))'.",
                        param: "after")
                }
                after = v
            case "limit":
                guard let v = Int(value), (1...CallLog.maxPage).contains(v) else {
                    return .error(
                        400, code: "invalid_value",
                        message: "Invalid 'limit': expected an integer from 1 to \(CallLog.maxPage), got '\(value.prefix(40))'.",
                        param: "limit")
                }
                limit = v
            default:
                return .error(
                    400, code: "unknown_parameter",
                    message: "Unknown query parameter '\(name.prefix(40))': expected 'after' and 'limit'.", param: String(name.prefix(40)))
            }
        }
        return .json(200, CallLogJSON.page(state.calls(after: after, limit: limit)))
    }

    /// `POST /_squall/run`: `{"run": ID, "profile": TEXT or OBJECT, "time_scale": K, "seed": N,
    /// "join": BOOL, "start_delay_ms": MS}` (only `run` required) starts a run atomically
    /// (`MockState.startRun`); with `"join": true` it joins the run when that id is in force
    /// (`MockState.joinRun`: no reset, the origin in force; 409 `run_conflict` when its time scale,
    /// seed or profile differ). `start_delay_ms` (0…600000) puts scenario time zero that far in the future.
    func startRun(_ body: [UInt8]) -> MockResponse {
        func bad(_ param: String, _ message: String) -> MockResponse {
            .error(400, code: "invalid_value", message: message, param: param)
        }
        guard let json = JSONValue.parse(body), case .object(let members) = json else {
            return bad("body", "The body must be a JSON object such as {\"run\":\"k3x9a0zq\",\"time_scale\":60}.")
        }
        for (name, _) in members where !["run", "profile", "time_scale", "seed", "join", "start_delay_ms"].contains(name) {
            return .error(
                400, code: "unknown_parameter",
                message: "Unknown field '\(name.prefix(40))': expected run, profile, time_scale, seed, join, start_delay_ms.",
                param: String(name.prefix(40)))
        }
        guard case .string(let run)? = json["run"], SquallTag.isValidRunID(run) else {
            return bad("run", "Invalid 'run': expected 8 characters of [0-9a-z] (a SquallTag run id).")
        }
        var start = RunStart(run: run)
        switch json["profile"] {
        case nil, .null?: break
        case let value?:
            let text: String
            switch value {
            case .string(let t): text = t
            case .object: text = value.jsonText
            default: return bad("profile", "Invalid 'profile': expected a YAML/JSON string or an object, got \(value.typeName).")
            }
            do {
                start.profile = try FaultProfile.parse(text, file: "profile")
                start.profileText = text
            } catch {
                return bad("profile", "Invalid 'profile': \(error.description)")
            }
        }
        switch json["time_scale"] {
        case nil, .null?: break
        case .number(let k)? where k.isFinite && k > 0 && k <= MockServerConfig.maxTimeScale: start.timeScale = k
        case let other?:
            return bad(
                "time_scale", "Invalid 'time_scale': expected a number > 0 and <= \(Int(MockServerConfig.maxTimeScale)), got \(other.jsonText.prefix(40)).")
        }
        switch json["seed"] {
        case nil, .null?: break
        case .number(let n)? where n >= 0 && n == n.rounded() && n < 18_446_744_073_709_551_616: start.seed = UInt64(n)
        case let other?:
            return bad("seed", "Invalid 'seed': expected an integer >= 0, got \(other.jsonText.prefix(40)).")
        }
        switch json["join"] {
        case nil, .null?: break
        case .bool(let b)?: start.join = b
        case let other?: return bad("join", "Invalid 'join': expected true or false, got \(other.jsonText.prefix(40)).")
        }
        let maxDelay = RunStart.maxStartDelay.components.seconds * 1000
        switch json["start_delay_ms"] {
        case nil, .null?: break
        case .number(let ms)? where ms >= 0 && ms == ms.rounded() && ms <= Double(maxDelay): start.startDelay = .milliseconds(Int64(ms))
        case let other?:
            return bad(
                "start_delay_ms", "Invalid 'start_delay_ms': expected an integer from 0 to \(maxDelay), got \(other.jsonText.prefix(40)).")
        }
        let s: RunStarted
        if start.join {
            do { s = try state.joinRun(start) } catch {
                return .error(409, type: "conflict", code: "run_conflict", message: error.message, param: error.field)
            }
        } else {
            s = state.startRun(start)
        }
        return .json(
            200,
            "{\"ok\":true,\"run\":\"\(s.run)\",\"time_scale\":\(CallLogJSON.number(s.timeScale)),\"seed\":\(s.seed),\"rules\":\(s.rules),\"origin_unix_ns\":\(s.originUnixNanos),\"joined\":\(s.joined)}"
        )
    }

    /// 401 without the right bearer token (when a token is set), 403 from a non-loopback peer (when not).
    func authorize(_ r: Request) -> MockResponse? {
        if let token {
            guard let auth = r.authorization, Self.constantTimeEqual(auth, "Bearer " + token) else {
                return .error(
                    401, code: "invalid_control_token",
                    message: "The control API needs 'Authorization: Bearer <control token>'.")
            }
            return nil
        }
        guard r.fromLoopback || openWithoutToken else {
            return .error(
                403, type: "permission_denied", code: "control_not_allowed",
                message: "The control API answers only on loopback unless --control-token (or --insecure-control) is set.")
        }
        return nil
    }

    /// Compares two strings in time that depends only on their lengths (no early exit on the first
    /// differing byte), so the token cannot be guessed byte by byte from response times.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        var diff = UInt8(x.count == y.count ? 0 : 1)
        for i in 0..<max(x.count, y.count) {
            diff |= (i < x.count ? x[i] : 0) ^ (i < y.count ? y[i] : 0)
        }
        return diff == 0
    }

    /// Whether an address string is a loopback address (`127.0.0.0/8`, `::1`, `::ffff:127.…`).
    static func isLoopback(ip: String?) -> Bool {
        guard let ip else { return false }
        return ip.hasPrefix("127.") || ip == "::1" || ip.hasPrefix("::ffff:127.")
    }
}
