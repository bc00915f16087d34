import Foundation
import Reliability

extension HTTPResponse {
    /// This response as the reliability stack's attempt outcome: its status plus the retry hints
    /// from its headers (`retry-after-ms`, `retry-after`, `x-should-retry`) and, for a status
    /// ≥ 400, the error body's `error.code` (OpenAI/Groq error JSON). A 2xx event stream whose
    /// body ended in the middle of an event (`endedMidEvent`) is `.transport(.truncated)`.
    public var attemptOutcome: AttemptOutcome {
        if endedMidEvent && (200..<300).contains(status) { return .transport(.truncated) }
        var code: String?
        if status >= 400 { code = errorCode }
        var date: Date?
        if let after = headers["retry-after"], Double(after.trimmingCharacters(in: .whitespaces)) == nil,
            let sent = headers["date"]
        {
            date = HTTPDate.parse(sent)
        }
        return .response(status: status, headers: ResponseHints.parse(headers: headers.pairs, errorCode: code, responseDate: date))
    }

    /// The `error.code` of an OpenAI-style error body (`{"error":{"code":"rate_limit_exceeded",…}}`),
    /// as text (a numeric code is rendered as its number); nil when absent or the body is not such JSON.
    public var errorCode: String? {
        guard let first = body.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }), first == 0x7B,
            let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
            let error = object["error"] as? [String: Any]
        else { return nil }
        switch error["code"] {
        case let s as String: return s
        case let n as NSNumber: return n.stringValue
        default: return nil
        }
    }
}

extension TransportError {
    /// This error as the reliability stack's attempt outcome: `.transport(failure)`.
    public var attemptOutcome: AttemptOutcome { .transport(failure) }
}
