import Foundation
import LoadGen
import MockLLM

/// Where a live run reads the mock's per-request call log from, one bounded page at a time.
public protocol CallLogSource: Sendable {
    /// The records after sequence number `after`, at most `limit` of them.
    func page(after: UInt64, limit: Int) async throws(CallLogReadError) -> CallLogPage
    /// What the report names as the source (`in-process mock at URL`, or the external mock's URL).
    var label: String { get }
}

/// Reading the call log failed (the external mock went away, or answered something that is not a page).
public struct CallLogReadError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, naming the URL.
    public var message: String
    /// Creates an error.
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The call log of a mock running in this process (`MockServer.calls(after:limit:)`).
public struct InProcessCallLog: CallLogSource {
    /// The mock.
    public let mock: MockServer
    /// Reads `mock`'s log.
    public init(mock: MockServer) { self.mock = mock }
    public func page(after: UInt64, limit: Int) async throws(CallLogReadError) -> CallLogPage {
        mock.calls(after: after, limit: limit)
    }
    public var label: String { "in-process mock at \(mock.url)" }
}

/// The call log of an external `squall mock`, over HTTP (`GET /_squall/calls?after=&limit=`).
public struct HTTPCallLog: CallLogSource {
    /// The mock's origin (`http://host:port`).
    public let origin: String
    private let client: any LoadHTTPClient
    private let token: String?

    /// Reads the log of the mock serving `url` (any path under it: `/v1` and `/openai/v1` are cut),
    /// through `client`; `token` is sent as `Authorization: Bearer` when given.
    public init(url: String, client: any LoadHTTPClient, token: String? = nil) {
        origin = Self.origin(of: url)
        self.client = client
        self.token = token
    }

    public var label: String { origin }

    public func page(after: UInt64, limit: Int) async throws(CallLogReadError) -> CallLogPage {
        let url = "\(origin)/_squall/calls?after=\(after)&limit=\(limit)"
        var headers: [HTTPField] = []
        if let token { headers.append(HTTPField("Authorization", "Bearer \(token)")) }
        switch await client.send(HTTPCall(method: "GET", url: url, headers: headers, timeout: .seconds(10))) {
        case .failure(let error):
            throw CallLogReadError("cannot read the mock's call log at \(url): \(error)")
        case .success(let reply):
            guard reply.status == 200 else {
                let body = String(decoding: reply.body.prefix(200), as: UTF8.self)
                if let advice = Self.refusal(status: reply.status, tokenSent: token != nil) {
                    throw CallLogReadError("GET \(url) answered \(reply.status) (\(body)): \(advice)")
                }
                throw CallLogReadError(
                    "GET \(url) answered \(reply.status) (\(body)): \(origin) is not a `squall mock` whose call log Squall can read")
            }
            return try Self.decode(reply.body, url: url)
        }
    }

    /// What to do about a control-API refusal: 401 (the mock has a token, and none or another was
    /// sent) or 403 (it has none and answers on loopback only); nil for any other status. Shared by
    /// the run start and the call-log reads.
    static func refusal(status: Int, tokenSent: Bool) -> String? {
        switch status {
        case 401 where !tokenSent:
            return "its control API needs a token; pass the one it was started with (`squall mock --control-token TOKEN`) as --mock-token TOKEN or SQUALL_MOCK_TOKEN"
        case 401:
            return "the token given with --mock-token (or SQUALL_MOCK_TOKEN) is not the one it was started with (`squall mock --control-token`)"
        case 403:
            return "it has no control token and answers its control API on loopback only; start it with `--control-token TOKEN` and pass "
                + "--mock-token TOKEN (or SQUALL_MOCK_TOKEN), or with `--insecure-control` on a private network"
        default:
            return nil
        }
    }

    /// `scheme://host:port` of `url` (everything before the first `/` after `://`).
    static func origin(of url: String) -> String {
        guard let scheme = url.range(of: "://") else { return url }
        let rest = url[scheme.upperBound...]
        let end = rest.firstIndex(of: "/") ?? rest.endIndex
        return String(url[..<end])
    }

    private struct WirePage: Decodable {
        var run: String?
        var next: UInt64
        var dropped: UInt64
        var last: UInt64
        var records: [WireRecord]
    }

    private struct WireRecord: Decodable {
        var seq: UInt64
        var tNs: Int64
        var delayNs: Int64
        var run: String?
        var key: UInt64?
        var idempotencyKey: String?
        var model: String
        var path: String
        var stream: Bool
        var attempt: Int?
        var status: Int?
        var drop: String?
        var retryAfter: Double?
        var retryAfterMs: Double?
        var completed: Bool
        var promptTokens: Int
        var completionTokens: Int
        var rule: Int?
    }

    /// A `GET /_squall/calls` body as a page (the format `squall mock` writes; see docs/mock.md).
    static func decode(_ body: [UInt8], url: String) throws(CallLogReadError) -> CallLogPage {
        let wire: WirePage
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        do { wire = try decoder.decode(WirePage.self, from: Data(body)) } catch {
            throw CallLogReadError("GET \(url): the body is not a call-log page: \(error)")
        }
        var records: [CallRecord] = []
        records.reserveCapacity(wire.records.count)
        for w in wire.records {
            let outcome: CallOutcome
            if let drop = w.drop {
                guard let kind = DropKind(rawValue: drop) else {
                    throw CallLogReadError("GET \(url): record \(w.seq) has an unknown drop '\(drop.prefix(40))'")
                }
                outcome = .drop(kind)
            } else if let status = w.status {
                outcome = .status(status)
            } else {
                throw CallLogReadError("GET \(url): record \(w.seq) has neither a status nor a drop")
            }
            let tag = w.run.flatMap { run in w.key.flatMap { SquallTag(run: run, key: $0) } }
            records.append(
                CallRecord(
                    seq: w.seq, time: .nanoseconds(w.tNs), delay: .nanoseconds(w.delayNs), tag: tag,
                    idempotencyKey: w.idempotencyKey, model: w.model, path: w.path, stream: w.stream, attempt: w.attempt,
                    outcome: outcome, retryAfter: w.retryAfter.flatMap { Self.duration($0, unit: 1e9) },
                    retryAfterMs: w.retryAfterMs.flatMap { Self.duration($0, unit: 1e6) }, completed: w.completed,
                    promptTokens: w.promptTokens, completionTokens: w.completionTokens, rule: w.rule))
        }
        return CallLogPage(records: records, next: wire.next, dropped: wire.dropped, lastSeq: wire.last, run: wire.run)
    }

    /// `value` × `unit` nanoseconds; nil for a value no Retry-After can mean (negative, not finite,
    /// or beyond ~285 years), so a foreign mock's odd header never traps the conversion.
    static func duration(_ value: Double, unit: Double) -> Duration? {
        let ns = (value * unit).rounded()
        guard ns.isFinite, ns >= 0, ns < 9e18 else { return nil }
        return .nanoseconds(Int64(ns))
    }
}
