import CurlClient
import Foundation
import Reliability

/// The live executor's transport to any OpenAI/Groq-compatible chat-completions endpoint, over
/// libcurl. Sends `Idempotency-Key`, `x-stainless-retry-count` and an optional bearer token; a 2xx
/// without a chat completion in it counts as `.transport(.malformed)`.
public struct CurlLLMTransport: LLMTransport {
    /// The chat-completions URL.
    public let url: String
    private let client: CurlHTTPClient
    private let apiKey: String?

    /// A transport posting to `baseURL` + `/v1/chat/completions` (a base ending in `/v1` or already
    /// naming the path is used as is), e.g. `http://127.0.0.1:8080` or `https://api.groq.com/openai`.
    public init(baseURL: String, client: CurlHTTPClient, apiKey: String? = nil) {
        url = Self.chatURL(base: baseURL)
        self.client = client
        self.apiKey = apiKey
    }

    /// The chat-completions URL for a base URL.
    public static func chatURL(base: String) -> String {
        var b = base
        while b.hasSuffix("/") { b.removeLast() }
        if b.hasSuffix("/chat/completions") { return b }
        if b.hasSuffix("/v1") { return b + "/chat/completions" }
        return b + "/v1/chat/completions"
    }

    public func send(_ request: LLMRequest, timeout: Duration) async -> AttemptResult {
        var headers: HTTPHeaders = [
            "x-stainless-retry-count": String(request.attempt - 1), "x-squall-task": request.taskID,
        ]
        if let key = request.idempotencyKey { headers.append(name: "Idempotency-Key", value: key) }
        if let apiKey { headers.append(name: "Authorization", value: "Bearer " + apiKey) }
        let body: [String: Any] = [
            "model": request.model, "max_tokens": request.maxTokens,
            "messages": request.messages.map { ["role": $0.role, "content": $0.content] },
        ]
        let json = (try? JSONSerialization.data(withJSONObject: body)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        do {
            let response = try await client.send(.postJSON(url: url, json: json, headers: headers, timeout: timeout))
            guard (200..<300).contains(response.status) else { return AttemptResult(outcome: response.attemptOutcome) }
            guard let parsed = Self.parseCompletion(response.body) else {
                return AttemptResult(outcome: .transport(.malformed))
            }
            return AttemptResult(outcome: response.attemptOutcome, usage: parsed.usage, body: parsed.content)
        } catch {
            return AttemptResult(outcome: .transport(error.isCancellation ? .timeout : error.failure))
        }
    }

    /// The first choice's content and the usage of a chat completion; nil when the body is not one.
    static func parseCompletion(_ body: [UInt8]) -> (content: String, usage: TokenUsage?)? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
            let choices = object["choices"] as? [[String: Any]], let first = choices.first,
            let message = first["message"] as? [String: Any], let content = message["content"] as? String
        else { return nil }
        var usage: TokenUsage?
        if let u = object["usage"] as? [String: Any], let p = u["prompt_tokens"] as? Int,
            let c = u["completion_tokens"] as? Int
        {
            usage = TokenUsage(promptTokens: p, completionTokens: c)
        }
        return (content, usage)
    }
}
