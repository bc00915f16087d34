/// A failure below HTTP: what the transport saw instead of a complete response.
public enum TransportFailure: String, Sendable, Hashable, CaseIterable, Codable {
    /// The connection was refused (nothing listening).
    case refused
    /// The connection was reset (RST) before or during the response.
    case reset
    /// The attempt exceeded its timeout (including a server that never answers).
    case timeout
    /// The response ended before the declared body or stream was complete.
    case truncated
    /// The response arrived but could not be parsed (malformed JSON, empty body, broken SSE).
    case malformed
    /// Name resolution or another failure to reach the host.
    case unreachable
}

/// What one attempt at an LLM call produced, as seen by the client: an HTTP response (any status)
/// or a transport failure. This is the input to classification.
public enum AttemptOutcome: Sendable, Hashable {
    /// An HTTP response with its status and the headers that matter to retry decisions.
    case response(status: Int, headers: ResponseHints)
    /// A transport-level failure.
    case transport(TransportFailure)

    /// A successful 2xx response without hints.
    public static let ok = AttemptOutcome.response(status: 200, headers: ResponseHints())

    /// A response with the given status and no hints.
    public static func status(_ code: Int, _ hints: ResponseHints = ResponseHints()) -> AttemptOutcome {
        .response(status: code, headers: hints)
    }

    /// A short label for reports and logs: `200`, `503`, `reset`, `timeout`.
    public var label: String {
        switch self {
        case .response(let s, _): return String(s)
        case .transport(let f): return f.rawValue
        }
    }

    /// True for a 2xx response.
    public var isSuccess: Bool {
        if case .response(let s, _) = self { return (200..<300).contains(s) }
        return false
    }
}

/// The response headers that steer a retry decision, already parsed from the wire.
public struct ResponseHints: Sendable, Hashable {
    /// `retry-after-ms`, or `retry-after` (seconds or HTTP-date resolved against the response time).
    public var retryAfter: Duration?
    /// `x-should-retry: true|false`, which overrides the classification table.
    public var shouldRetry: Bool?
    /// The error body's `code` (e.g. `context_length_exceeded`, `insufficient_quota`), when present.
    public var errorCode: String?

    /// Creates hints; every field defaults to absent.
    public init(retryAfter: Duration? = nil, shouldRetry: Bool? = nil, errorCode: String? = nil) {
        self.retryAfter = retryAfter
        self.shouldRetry = shouldRetry
        self.errorCode = errorCode
    }

    /// Reads the hints from raw response headers (names case-insensitive) and an optional error code.
    /// `retry-after-ms` wins over `retry-after`; an HTTP-date is resolved against `responseDate`.
    public static func parse(
        headers: [(name: String, value: String)], errorCode: String? = nil, responseDate: Date? = nil
    ) -> ResponseHints {
        var hints = ResponseHints(errorCode: errorCode)
        var ms: Double?
        var secs: String?
        for (name, value) in headers {
            switch name.lowercased() {
            case "retry-after-ms": ms = Double(value.trimmingCharacters(in: .whitespaces))
            case "retry-after": secs = value.trimmingCharacters(in: .whitespaces)
            case "x-should-retry":
                switch value.trimmingCharacters(in: .whitespaces).lowercased() {
                case "true": hints.shouldRetry = true
                case "false": hints.shouldRetry = false
                default: break
                }
            default: break
            }
        }
        if let ms, ms.isFinite, ms >= 0 {
            hints.retryAfter = .fromSeconds(ms / 1000)
        } else if let secs {
            if let v = Double(secs), v.isFinite, v >= 0 {
                hints.retryAfter = .fromSeconds(v)
            } else if let date = HTTPDate.parse(secs) {
                let now = responseDate ?? Date()
                hints.retryAfter = .fromSeconds(max(0, date.timeIntervalSince(now)))
            }
        }
        return hints
    }
}

/// IMF-fixdate (RFC 9110 §5.6.7), the form `Retry-After` dates take.
public enum HTTPDate {
    /// Parses `Sun, 06 Nov 1994 08:49:37 GMT`.
    public static func parse(_ text: String) -> Date? {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "GMT")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return f.date(from: text)
    }

    /// Formats a date as IMF-fixdate.
    public static func format(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "GMT")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return f.string(from: date)
    }
}

import Foundation
