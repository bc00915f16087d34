import Reliability
import NIOCore

/// Writes a healthy non-streaming completion body straight into a `ByteBuffer`, byte for byte the
/// same as `MockWire.completion(...)`, without building intermediate Strings (the mock's hot path).
enum CompletionWriter {
    /// Appends the body `MockWire.completion(model:reply:created:requestID:groq:)` would return (with
    /// `requestID` = `MockWire.requestID(requestNumber)`), with
    /// one buffer operation (`RawByteWriter`).
    static func write(
        into buffer: inout ByteBuffer, model: String, reply: ReplyPlan, created: Int, requestNumber: UInt64, groq: Bool
    ) {
        let quotedModel = isPlainJSON(model) ? nil : JSONText.quoted(model)
        let tokens = max(0, reply.completionTokens)
        // The literals below come to about 270 bytes; four decimals and 24 hex digits at most 104.
        let bound =
            400 + 4 * RawByteWriter.maxDecimalBytes + (quotedModel?.utf8.count ?? model.utf8.count + 2) + tokens * 4
            + reply.finishReason.utf8.count + MockWire.requestIDBytes
        let seed = reply.textSeed
        buffer.writeRaw(bound: bound) { w in
            w.append("{\"id\":\"chatcmpl-")
            w.appendHex(seed, width: 16)
            w.appendHex(seed &* 0x9E37_79B9_7F4A_7C15 >> 32, width: 8)
            w.append("\",\"object\":\"chat.completion\",\"created\":")
            w.appendDecimal(created)
            w.append(",\"model\":")
            if let quotedModel {
                w.append(quotedModel)
            } else {
                w.append(byte: UInt8(ascii: "\""))
                w.append(model)
                w.append(byte: UInt8(ascii: "\""))
            }
            w.append(",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"")
            // Same words as ReplyText.generate (which need no escaping): "w1 w2 … wn.", three
            // letters and a space or the final period each.
            ReplyText.wordBytes.withUnsafeBufferPointer { table in
                for i in 0..<tokens {
                    let from = ReplyText.wordNumber(seed: seed, index: i) * 3
                    w.append(byte: table[from])
                    w.append(byte: table[from + 1])
                    w.append(byte: table[from + 2])
                    w.append(byte: i == tokens - 1 ? UInt8(ascii: ".") : UInt8(ascii: " "))
                }
            }
            w.append("\"},\"logprobs\":null,\"finish_reason\":\"")
            w.append(reply.finishReason)
            w.append("\"}],\"usage\":{\"prompt_tokens\":")
            w.appendDecimal(reply.promptTokens)
            w.append(",\"completion_tokens\":")
            w.appendDecimal(reply.completionTokens)
            w.append(",\"total_tokens\":")
            w.appendDecimal(reply.promptTokens + reply.completionTokens)
            w.append(byte: UInt8(ascii: "}"))
            if groq {
                w.append(",\"x_groq\":{\"id\":\"")
                w.appendRequestID(requestNumber)
                w.append("\"}")
            }
            w.append(byte: UInt8(ascii: "}"))
        }
    }

    /// Whether `value` needs no JSON escaping.
    static func isPlainJSON(_ value: String) -> Bool {
        for b in value.utf8 where b < 0x20 || b == 0x22 || b == 0x5C { return false }
        return true
    }
}
