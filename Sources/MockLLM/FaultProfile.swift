import Reliability
import YAMLConfig

/// The mock provider's behaviour: latency, reply shape, ordered fault rules and rate limits.
/// The same block as a scenario's `llm:` section; decode with `FaultProfile.decode(_:)`.
public struct FaultProfile: Sendable, Hashable {
    /// Time to the complete response of a non-streaming request. Default: `fixed: 0s`.
    public var latency: LatencyDistribution = .fixed(.zero)
    /// Streaming: time to the first token. Default: nil, meaning the same as `latency`.
    public var firstToken: LatencyDistribution?
    /// Streaming: the gap between consecutive content chunks. Default: `fixed: 0s`.
    public var interToken: LatencyDistribution = .fixed(.zero)
    /// Length of generated replies in tokens (before the `max_tokens` cap). Default: uniform 10…60.
    public var replyTokens: TokenCountDistribution = .uniform(min: 10, max: 60)
    /// Ordered fault rules. Default: none.
    public var faults: [FaultRule] = []
    /// Rate limits per model name (`*` for any other model). Default: none.
    public var rateLimits: [String: RateLimits] = [:]
    /// Header convention for `x-ratelimit-*`. Default: `auto` (Groq style on `/openai/v1/…`).
    public var headerStyle: HeaderStyle = .auto
    /// The request header that carries the attempt number. Default: `x-stainless-retry-count`.
    public var attemptHeader: String = "x-stainless-retry-count"
    /// The value the attempt header has on the first attempt (0 for a retry count, 1 for an attempt number). Default: 0.
    public var attemptHeaderFirst: Int = 0
    /// Models listed by `GET /v1/models` (any model name is accepted for completions).
    /// Default: `gpt-4o-mini`, `llama-3.1-8b-instant`, `llama-3.3-70b-versatile`.
    public var models: [String] = ["gpt-4o-mini", "llama-3.1-8b-instant", "llama-3.3-70b-versatile"]

    /// A healthy, instant provider with no limits.
    public init() {}

    /// The keys a profile may have.
    public static let keys = ["latency", "stream", "reply", "faults", "rate_limits", "header_style", "attempt_header", "models"]

    /// The latency of the first response byte for a request (streams: `firstToken ?? latency`).
    public func baseLatency(stream: Bool) -> LatencyDistribution { stream ? (firstToken ?? latency) : latency }

    /// Decodes a profile strictly: unknown keys fail with a suggestion, every error names file:line:column.
    /// A null/absent node gives the default profile.
    public static func decode(_ node: ConfigNode) throws(ConfigError) -> FaultProfile {
        var p = FaultProfile()
        if node.isNull { return p }
        let m = try node.mapping(allowed: keys)
        if let n = m.optional("latency") { p.latency = try LatencyDistribution.decode(n) }
        if let n = m.optional("stream") {
            let s = try n.mapping(allowed: ["first_token", "inter_token"])
            if let f = s.optional("first_token") { p.firstToken = try LatencyDistribution.decode(f) }
            if let f = s.optional("inter_token") { p.interToken = try LatencyDistribution.decode(f) }
        }
        if let n = m.optional("reply") {
            let r = try n.mapping(allowed: ["tokens"])
            if let t = r.optional("tokens") { p.replyTokens = try TokenCountDistribution.decode(t) }
        }
        if let n = m.optional("faults") {
            p.faults = []
            for item in try n.sequence() { p.faults.append(try FaultRule.decode(item)) }
        }
        if let n = m.optional("rate_limits") {
            for (model, value) in try n.dictionary() {
                let l = try value.mapping(allowed: ["rpm", "rpd", "tpm", "tpd", "per_key"])
                var limits = RateLimits()
                limits.rpm = try l.optional("rpm")?.int(in: 1...1_000_000_000)
                limits.rpd = try l.optional("rpd")?.int(in: 1...1_000_000_000)
                limits.tpm = try l.optional("tpm")?.int(in: 1...1_000_000_000_000)
                limits.tpd = try l.optional("tpd")?.int(in: 1...1_000_000_000_000)
                limits.perKey = try l.optional("per_key")?.bool() ?? false
                guard !limits.isEmpty else { throw value.error("set at least one of rpm, rpd, tpm, tpd") }
                p.rateLimits[model] = limits
            }
        }
        if let n = m.optional("header_style") {
            p.headerStyle = HeaderStyle(rawValue: try n.oneOf(HeaderStyle.allCases.map(\.rawValue)))!
        }
        if let n = m.optional("attempt_header") {
            if n.isScalar {
                p.attemptHeader = try n.nonEmptyString().lowercased()
            } else {
                let a = try n.mapping(allowed: ["name", "first"])
                p.attemptHeader = try a.required("name").nonEmptyString().lowercased()
                if let f = a.optional("first") { p.attemptHeaderFirst = try f.int(in: 0...1) }
            }
        }
        if let n = m.optional("models") {
            p.models = []
            for item in try n.sequence() { p.models.append(try item.nonEmptyString()) }
        }
        return p
    }

    /// Parses YAML (or JSON, which is YAML) text and decodes it.
    public static func parse(_ text: String, file: String) throws(ConfigError) -> FaultProfile {
        try decode(try ConfigNode.parse(text, file: file))
    }

    /// Loads and decodes a profile file.
    public static func load(path: String) throws(ConfigError) -> FaultProfile {
        try decode(try ConfigNode.load(path: path))
    }
}

extension FaultRule {
    /// Keys a fault rule may have.
    public static let keys = [
        "model", "path", "during", "attempt", "key", "api_key", "stream", "every_nth", "first_k_per_key", "rate",
        "latency", "status", "body", "message", "retry_after", "retry_after_ms", "retry_after_date", "should_retry",
        "drop", "after_bytes", "after_chunks", "bytes_per_second",
    ]
    /// Values `drop:` accepts.
    public static let dropKinds = ["reset", "truncate", "hang", "drip", "malformed", "empty", "stream_error"]

    /// Decodes one rule, e.g. `{ rate: 1%, status: 429, retry_after: 2s }` or `{ rate: 0.2%, drop: reset }`.
    public static func decode(_ node: ConfigNode) throws(ConfigError) -> FaultRule {
        let m = try node.mapping(allowed: keys)
        var r = FaultRule()
        r.model = try m.optional("model")?.nonEmptyString()
        if let p = m.optional("path") {
            let s = try p.nonEmptyString()
            guard s.hasPrefix("/") || s == "*" else { throw p.error("a path starts with '/' (or is '*')") }
            r.path = s
        }
        r.during = try m.optional("during")?.durationRange()
        if let a = m.optional("attempt") { r.attempts = try decodeAttempts(a) }
        r.idempotencyKey = try m.optional("key")?.nonEmptyString()
        r.apiKey = try m.optional("api_key")?.nonEmptyString()
        r.stream = try m.optional("stream")?.bool()
        r.everyNth = try m.optional("every_nth")?.int(in: 1...1_000_000_000)
        r.firstKPerKey = try m.optional("first_k_per_key")?.int(in: 1...1_000_000_000)
        r.rate = try m.optional("rate")?.percent() ?? 1
        r.latency = try m.optional("latency").map { n throws(ConfigError) in try LatencyDistribution.decode(n) }

        let status = m.optional("status")
        let drop = m.optional("drop")
        if let status, drop != nil {
            throw status.error("a rule has either 'status' or 'drop', not both")
        }
        for k in ["body", "message", "retry_after", "retry_after_ms", "retry_after_date", "should_retry"] where status == nil {
            if let n = m.optional(k) { throw n.error("'\(k)' needs 'status' in the same rule") }
        }
        if let status {
            var f = StatusFault(status: try status.int(in: 400...599))
            if let b = m.optional("body") {
                f.body = ErrorBodyKind(rawValue: try b.oneOf(ErrorBodyKind.allCases.map(\.rawValue)))!
            }
            f.message = try m.optional("message")?.string()
            f.retryAfter = try m.optional("retry_after")?.duration(bareSeconds: true)
            if let n = m.optional("retry_after_ms") {
                // A bare number is milliseconds, as the header is.
                if let ms = Double(try n.string()), ms.isFinite, ms >= 0 {
                    f.retryAfterMs = .fromSeconds(ms / 1000)
                } else {
                    f.retryAfterMs = try n.duration()
                }
            }
            f.retryAfterDate = try m.optional("retry_after_date")?.duration(bareSeconds: true)
            if let n = m.optional("retry_after_date"), f.retryAfter != nil {
                throw n.error("'retry_after' and 'retry_after_date' both set the retry-after header; use one")
            }
            f.shouldRetry = try m.optional("should_retry")?.bool()
            r.outcome = .status(f)
        }
        let kind = try drop?.oneOf(dropKinds)
        let afterBytes = m.optional("after_bytes")
        let afterChunks = m.optional("after_chunks")
        let bps = m.optional("bytes_per_second")
        if let n = afterBytes, kind != "truncate" { throw n.error("'after_bytes' applies to 'drop: truncate' only") }
        if let n = afterChunks, kind != "truncate", kind != "stream_error" {
            throw n.error("'after_chunks' applies to 'drop: truncate' and 'drop: stream_error' only")
        }
        if let n = bps, kind != "drip" { throw n.error("'bytes_per_second' applies to 'drop: drip' only") }
        if let kind {
            switch kind {
            case "reset": r.outcome = .connection(.reset)
            case "hang": r.outcome = .connection(.hang)
            case "malformed": r.outcome = .connection(.malformed)
            case "empty": r.outcome = .connection(.empty)
            case "drip":
                r.outcome = .connection(.drip(bytesPerSecond: try bps?.int(in: 1...1_000_000_000) ?? 64))
            case "truncate":
                let bytes = try afterBytes?.int(in: 0...1_000_000_000) ?? 16
                let chunks = try afterChunks?.int(in: 0...1_000_000) ?? 2
                r.outcome = .connection(.truncate(afterBytes: bytes, afterChunks: chunks))
                if afterChunks != nil, afterBytes == nil, r.stream == nil { r.stream = true }
            default:  // stream_error
                r.outcome = .connection(.streamError(afterChunks: try afterChunks?.int(in: 0...1_000_000) ?? 2))
                if r.stream == false { throw drop!.error("'stream_error' applies to streaming requests only") }
                r.stream = true
            }
        }
        if r.outcome == nil, r.latency == nil {
            throw node.error("a fault rule needs an action: 'status', 'drop' or 'latency'")
        }
        return r
    }

    static func decodeAttempts(_ n: ConfigNode) throws(ConfigError) -> ClosedRange<Int> {
        let s = try n.string().trimmingCharacters(in: .whitespaces)
        let valid = "an attempt number (1 = first try) such as 1, a range such as 1..2, or an open range such as 2.."
        if let v = Int(s) {
            guard v >= 1 else { throw n.error("'\(s)' is not valid: expected \(valid)") }
            return v...v
        }
        if let dots = s.range(of: "..") {
            let lo = Int(s[..<dots.lowerBound].trimmingCharacters(in: .whitespaces))
            let hiText = s[dots.upperBound...].trimmingCharacters(in: .whitespaces)
            let hi = hiText.isEmpty ? Int.max : Int(hiText)
            if let lo, let hi, lo >= 1, hi >= lo { return lo...hi }
        }
        throw n.error("'\(s)' is not valid: expected \(valid)")
    }
}

import Foundation
