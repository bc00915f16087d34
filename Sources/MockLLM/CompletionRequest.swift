import NIOCore
import NIOHTTP1

/// A completion request parsed from its head and body: the validated body, the fault-plan context
/// (idempotency key, API key, stream, tokens) and the per-request fault override. Pure: a bad request
/// becomes the 400 the provider would send.
struct CompletionRequest {
    /// The validated body.
    var chat: ChatRequest
    /// What the fault plan decides on (`now` and `attempt` are filled in by `MockState`).
    var fault: FaultRequest
    /// The `x-squall-fault` rule, when the header is allowed and present.
    var override: FaultRule?

    /// Why a completion request was refused before the fault plan saw it.
    struct Rejection: Error {
        /// The answer (400 with the provider's error JSON naming the `param`).
        var response: MockResponse
        /// The model, when the body got that far.
        var model: String
        /// The stats label (`bad_request`, `bad_fault_header`).
        var action: String
    }

    /// The `Idempotency-Key` (or `x-idempotency-key`) header.
    static func idempotencyKey(_ head: HTTPRequestHead) -> String? {
        head.headers.first(name: "idempotency-key") ?? head.headers.first(name: "x-idempotency-key")
    }

    /// Parses a request to `path`. `allowFaultHeader` honours `x-squall-fault`.
    static func parse(
        head: HTTPRequestHead, body: ByteBuffer?, path: String, allowFaultHeader: Bool
    ) throws(Rejection) -> CompletionRequest {
        let chat: ChatRequest
        do {
            chat = try ChatRequest.parse(body?.readableBytesView ?? ByteBuffer().readableBytesView)
        } catch {
            throw Rejection(
                response: .error(400, code: error.code, message: error.message, param: error.param), model: "",
                action: "bad_request")
        }
        var override: FaultRule?
        if allowFaultHeader, let value = head.headers.first(name: FaultHeader.name) {
            do {
                override = try FaultHeader.parse(value)
            } catch {
                throw Rejection(
                    response: .error(
                        400, code: "invalid_fault_header", message: error.description, param: FaultHeader.name),
                    model: chat.model, action: "bad_fault_header")
            }
        }
        let key = idempotencyKey(head)
        var apiKey: String?
        if let auth = head.headers.first(name: "authorization"), auth.hasPrefix("Bearer ") {
            apiKey = String(auth.dropFirst(7))
        }
        let fault = FaultRequest(
            path: path, model: chat.model, stream: chat.stream, attempt: 1, idempotencyKey: key, apiKey: apiKey,
            promptTokens: chat.promptTokens, maxTokens: chat.maxTokens, now: .zero)
        return CompletionRequest(chat: chat, fault: fault, override: override)
    }
}
