import Reliability

/// Renders the OpenAI/Groq wire format: completion bodies, stream chunks, model lists. Plain string
/// building (no Foundation) so the hot path stays cheap.
public enum MockWire {
    /// The completion id for a reply seed: `chatcmpl-` and 24 hex digits.
    public static func completionID(seed: UInt64) -> String {
        "chatcmpl-" + hex(seed, width: 16) + hex(seed &* 0x9E37_79B9_7F4A_7C15 >> 32, width: 8)
    }

    /// Lower-case hex, zero-padded to `width`.
    public static func hex(_ v: UInt64, width: Int) -> String {
        let s = String(v, radix: 16)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    /// `"req_" + hex(v, width: 16)`, built in one allocation (an `x-request-id` per response).
    static func requestID(_ v: UInt64) -> String {
        String(unsafeUninitializedCapacity: requestIDBytes) { out in
            renderRequestID(v, into: UnsafeMutableRawBufferPointer(out))
            return requestIDBytes
        }
    }

    /// Bytes of a request id.
    static let requestIDBytes = 20

    /// Writes `requestID(v)`'s bytes into the first `requestIDBytes` of `out`.
    static func renderRequestID(_ v: UInt64, into out: UnsafeMutableRawBufferPointer) {
        out[0] = UInt8(ascii: "r")
        out[1] = UInt8(ascii: "e")
        out[2] = UInt8(ascii: "q")
        out[3] = UInt8(ascii: "_")
        var x = v
        for i in stride(from: 19, through: 4, by: -1) {
            let d = UInt8(truncatingIfNeeded: x & 0xF)
            out[i] = d < 10 ? UInt8(ascii: "0") + d : UInt8(ascii: "a") + d - 10
            x >>= 4
        }
    }

    /// `"usage":{...}` member value.
    public static func usage(prompt: Int, completion: Int) -> String {
        "{\"prompt_tokens\":\(prompt),\"completion_tokens\":\(completion),\"total_tokens\":\(prompt + completion)}"
    }

    /// A non-streaming `chat.completion` body (REFERENCE.md). Groq responses add `x_groq.id`.
    public static func completion(model: String, reply: ReplyPlan, created: Int, requestID: String, groq: Bool) -> String {
        let text = ReplyText.generate(tokens: reply.completionTokens, seed: reply.textSeed)
        var s = "{\"id\":\""
        s.reserveCapacity(text.utf8.count + 400)
        s += completionID(seed: reply.textSeed)
        s += "\",\"object\":\"chat.completion\",\"created\":"
        s += String(created)
        s += ",\"model\":"
        JSONText.appendString(model, to: &s)
        s += ",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\""
        s += text  // ReplyText words need no escaping
        s += "\"},\"logprobs\":null,\"finish_reason\":\""
        s += reply.finishReason
        s += "\"}],\"usage\":"
        s += usage(prompt: reply.promptTokens, completion: reply.completionTokens)
        if groq { s += ",\"x_groq\":{\"id\":\"" + requestID + "\"}" }
        s += "}"
        return s
    }

    /// One streaming chunk body (without the `data: ` framing).
    /// - Parameters:
    ///   - role: include `"role":"assistant"` in the delta (first chunk).
    ///   - content: delta content, or nil for none.
    ///   - finish: `finish_reason`, or nil (`null`).
    ///   - usageNull: add `"usage":null` (every chunk but the last when `include_usage` is on).
    ///   - groqID / groqUsage: Groq's `x_groq` object on the first and final chunks.
    public static func chunk(
        id: String, created: Int, model: String, role: Bool, content: String?, finish: String?,
        usageNull: Bool, groqID: String? = nil, groqUsage: String? = nil
    ) -> String {
        var s = "{\"id\":\"" + id + "\",\"object\":\"chat.completion.chunk\",\"created\":" + String(created) + ",\"model\":"
        JSONText.appendString(model, to: &s)
        s += ",\"choices\":[{\"index\":0,\"delta\":{"
        var first = true
        if role {
            s += "\"role\":\"assistant\""
            first = false
        }
        if let content {
            if !first { s += "," }
            s += "\"content\":"
            JSONText.appendString(content, to: &s)
        }
        s += "},\"logprobs\":null,\"finish_reason\":"
        if let finish { s += "\"" + finish + "\"" } else { s += "null" }
        s += "}]"
        if usageNull { s += ",\"usage\":null" }
        if let groqID {
            s += ",\"x_groq\":{\"id\":\"" + groqID + "\""
            if let groqUsage { s += ",\"usage\":" + groqUsage }
            s += "}"
        }
        s += "}"
        return s
    }

    /// The final usage-only chunk (`choices: []`) sent when `stream_options.include_usage` is true.
    public static func usageChunk(id: String, created: Int, model: String, usage: String) -> String {
        var s = "{\"id\":\"" + id + "\",\"object\":\"chat.completion.chunk\",\"created\":" + String(created) + ",\"model\":"
        JSONText.appendString(model, to: &s)
        s += ",\"choices\":[],\"usage\":" + usage + "}"
        return s
    }

    /// All SSE events of a complete stream for `reply`, each `data: …\n\n`, ending with `data: [DONE]`.
    public static func streamEvents(
        model: String, reply: ReplyPlan, created: Int, requestID: String, includeUsage: Bool, groq: Bool
    ) -> [String] {
        let id = completionID(seed: reply.textSeed)
        let usageText = usage(prompt: reply.promptTokens, completion: reply.completionTokens)
        var events: [String] = []
        events.reserveCapacity(reply.completionTokens + 4)
        for i in 0..<reply.completionTokens {
            let content = ReplyText.chunk(index: i, of: reply.completionTokens, seed: reply.textSeed)
            events.append(
                "data: "
                    + chunk(
                        id: id, created: created, model: model, role: i == 0, content: content, finish: nil,
                        usageNull: includeUsage, groqID: (groq && i == 0) ? requestID : nil) + "\n\n")
        }
        events.append(
            "data: "
                + chunk(
                    id: id, created: created, model: model, role: false, content: nil, finish: reply.finishReason,
                    usageNull: includeUsage, groqID: groq ? requestID : nil, groqUsage: groq ? usageText : nil) + "\n\n")
        if includeUsage { events.append("data: " + usageChunk(id: id, created: created, model: model, usage: usageText) + "\n\n") }
        events.append("data: [DONE]\n\n")
        return events
    }

    /// The `GET /v1/models` body.
    public static func models(_ names: [String], created: Int = 1_700_000_000) -> String {
        var s = "{\"object\":\"list\",\"data\":["
        for (i, n) in names.enumerated() {
            if i > 0 { s += "," }
            s += "{\"id\":"
            JSONText.appendString(n, to: &s)
            s += ",\"object\":\"model\",\"created\":\(created),\"owned_by\":\"squall\"}"
        }
        s += "]}"
        return s
    }

    /// The approximate byte size of a non-streaming healthy body with `tokens` completion tokens
    /// (for the simulator's drip arithmetic).
    public static func approximateBodyBytes(tokens: Int, model: String) -> Int { 290 + model.utf8.count + 4 * tokens }
}
