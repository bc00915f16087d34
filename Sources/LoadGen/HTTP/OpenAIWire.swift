import Foundation
import Reliability

/// Encodes OpenAI chat-completion requests and reads the parts of responses the stack needs.
public enum OpenAIWire {
    /// The chat-completions path appended to a base URL.
    public static let chatPath = "/v1/chat/completions"

    /// `base` + `/v1/chat/completions`, tolerating a trailing slash or a base that already ends in `/v1`.
    public static func chatURL(base: String) -> String {
        var b = base
        while b.hasSuffix("/") { b.removeLast() }
        if b.hasSuffix(chatPath) { return b }
        if b.hasSuffix("/v1") { return b + "/chat/completions" }
        return b + chatPath
    }

    /// The JSON body of a non-streaming chat completion.
    public static func requestBody(model: String, messages: [ChatMessage], maxTokens: Int) -> [UInt8] {
        var s = "{\"model\":" + JSONText.quoted(model) + ",\"messages\":["
        for (i, m) in messages.enumerated() {
            if i > 0 { s += "," }
            s += "{\"role\":" + JSONText.quoted(m.role) + ",\"content\":" + JSONText.quoted(m.content) + "}"
        }
        s += "],\"max_tokens\":\(maxTokens)}"
        return Array(s.utf8)
    }

    /// What a chat-completion response carries for the stack.
    public struct Parsed: Sendable, Hashable {
        /// `usage`, when present.
        public var usage: TokenUsage?
        /// The first choice's message content, when present.
        public var content: String?
        /// `error.code`, when present.
        public var errorCode: String?
    }

    /// Parses a response body; nil when it is not a JSON object.
    public static func parse(_ body: [UInt8]) -> Parsed? {
        guard !body.isEmpty,
            let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
        else { return nil }
        var parsed = Parsed()
        if let u = object["usage"] as? [String: Any], let p = u["prompt_tokens"] as? Int,
            let c = u["completion_tokens"] as? Int
        {
            parsed.usage = TokenUsage(promptTokens: p, completionTokens: c)
        }
        if let choices = object["choices"] as? [[String: Any]], let first = choices.first,
            let message = first["message"] as? [String: Any]
        {
            parsed.content = message["content"] as? String
        }
        if let error = object["error"] as? [String: Any] {
            parsed.errorCode = error["code"] as? String ?? error["type"] as? String
        }
        return parsed
    }

    /// The attempt outcome of a reply: status plus retry hints; a 2xx whose body is not a chat
    /// completion is `.transport(.malformed)`.
    public static func outcome(of reply: HTTPReply, requireCompletion: Bool) -> (AttemptOutcome, Parsed?) {
        let parsed = reply.status == 200 && !requireCompletion ? nil : parse(reply.body)
        if (200..<300).contains(reply.status) {
            if requireCompletion, parsed?.content == nil { return (.transport(.malformed), parsed) }
            return (.response(status: reply.status, headers: ResponseHints()), parsed)
        }
        let hints = ResponseHints.parse(
            headers: reply.headers.map { (name: $0.name, value: $0.value) }, errorCode: parsed?.errorCode)
        return (.response(status: reply.status, headers: hints), parsed)
    }
}
