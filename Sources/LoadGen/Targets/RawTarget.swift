import Reliability

/// The baseline target: one POST to `/v1/chat/completions` per task, no retries, no stack.
/// Bodies are encoded once per distinct prompt, so the hot path does no JSON work.
public struct RawTarget: LoadTarget {
    public var name: String { "raw" }
    /// The chat-completions URL.
    public let url: String
    /// Per-request timeout, real time.
    public let timeout: Duration
    private let client: any LoadHTTPClient
    private let bodies: [String: [UInt8]]
    private let model: String
    private let headers: [HTTPField]

    /// A raw target posting `model` requests for `prompts` to `baseURL` through `client`, each
    /// bounded by `timeout` (real time). Default model `llama-3.1-8b-instant`, 256 max tokens.
    public init(
        baseURL: String, client: any LoadHTTPClient, prompts: [WeightedPrompt], timeout: Duration,
        model: String = "llama-3.1-8b-instant", maxTokens: Int = 256
    ) {
        url = OpenAIWire.chatURL(base: baseURL)
        self.client = client
        self.timeout = timeout
        self.model = model
        headers = [HTTPField("Content-Type", "application/json")]
        var b: [String: [UInt8]] = [:]
        for p in prompts {
            b[p.text] = OpenAIWire.requestBody(
                model: model, messages: [ChatMessage(role: "user", content: p.text)], maxTokens: maxTokens)
        }
        bodies = b
        self.maxTokens = maxTokens
    }
    private let maxTokens: Int

    public func run(_ task: LoadTask) async -> TargetResult {
        // Building the call and reading the reply are never inlined, so this frame (held while
        // the request waits for a connection) keeps only the task; the call is built once a
        // connection is free (`send(building:)`; see `LiveExecutor.run`).
        Self.result(await client.send(building: { call(task) }))
    }

    @inline(never)
    func call(_ task: LoadTask) -> HTTPCall {
        let body =
            bodies[task.prompt]
            ?? OpenAIWire.requestBody(
                model: model, messages: [ChatMessage(role: "user", content: task.prompt)], maxTokens: maxTokens)
        return HTTPCall(method: "POST", url: url, headers: headers, body: body, timeout: timeout)
    }

    @inline(never)
    static func result(_ reply: Result<HTTPReply, TransportFailureError>) -> TargetResult {
        switch reply {
        case .failure(let e):
            return TargetResult(status: .failed, cause: .attemptsExhausted, lastOutcome: e.failure.rawValue)
        case .success(let reply):
            let ok = (200..<300).contains(reply.status)
            return TargetResult(
                status: ok ? .succeeded : .failed, cause: ok ? nil : .attemptsExhausted, lastOutcome: String(reply.status))
        }
    }
}
