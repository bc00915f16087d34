import Reliability

/// The live executor's transport over an OpenAI-compatible HTTP endpoint: POSTs chat completions,
/// sends `Idempotency-Key` and `x-stainless-retry-count`, and turns replies into attempt outcomes.
///
/// A class: the request-building closure of `send` captures `self`, and that capture lives in the
/// async frame of every attempt waiting for a connection (one reference instead of a 72-byte copy).
public final class HTTPLLMTransport: LLMTransport, Sendable {
    /// The chat-completions URL.
    public let url: String
    /// Extra headers on every request (e.g. `Authorization`). Default none.
    public let extraHeaders: [HTTPField]
    private let client: any LoadHTTPClient

    /// A transport posting to `OpenAIWire.chatURL(base: baseURL)` through `client`.
    public init(baseURL: String, client: any LoadHTTPClient, extraHeaders: [HTTPField] = []) {
        self.url = OpenAIWire.chatURL(base: baseURL)
        self.client = client
        self.extraHeaders = extraHeaders
    }

    public func send(_ request: LLMRequest, timeout: Duration) async -> AttemptResult {
        // Building the call and reading the reply are synchronous helpers that are never inlined,
        // so this function's async frame (held while the request waits for a connection) keeps
        // only the request and the reply (see `LiveExecutor.run`); the call is built only once a
        // connection is free (`send(building:)`).
        Self.result(of: await client.send(building: { call(request, timeout: timeout) }))
    }

    /// The HTTP call for one attempt.
    @inline(never)
    func call(_ request: LLMRequest, timeout: Duration) -> HTTPCall {
        var headers = [
            HTTPField("Content-Type", "application/json"), HTTPField("x-squall-task", request.taskID),
            HTTPField("x-stainless-retry-count", String(request.attempt - 1)),
        ]
        if let key = request.idempotencyKey { headers.append(HTTPField("Idempotency-Key", key)) }
        headers += extraHeaders
        let body = OpenAIWire.requestBody(model: request.model, messages: request.messages, maxTokens: request.maxTokens)
        return HTTPCall(method: "POST", url: url, headers: headers, body: body, timeout: timeout)
    }

    /// The attempt's result from the HTTP outcome.
    @inline(never)
    static func result(of reply: Result<HTTPReply, TransportFailureError>) -> AttemptResult {
        switch reply {
        case .failure(let error):
            return AttemptResult(outcome: .transport(error.failure))
        case .success(let reply):
            let (outcome, parsed) = OpenAIWire.outcome(of: reply, requireCompletion: true)
            return AttemptResult(outcome: outcome, usage: parsed?.usage, body: parsed?.content)
        }
    }
}
