import Reliability
import NIOCore

/// Writes a healthy non-streaming completion body straight into a `ByteBuffer`, byte for byte the
/// same as `MockWire.completion(...)`, without building intermediate Strings (the mock's hot path).
enum CompletionWriter {
    /// Appends the body `MockWire.completion(model:reply:created:requestID:groq:)` would return.
    static func write(
        into buffer: inout ByteBuffer, model: String, reply: ReplyPlan, created: Int, requestID: String, groq: Bool
    ) {
        let seed = reply.textSeed
        buffer.writeStaticString("{\"id\":\"chatcmpl-")
        writeHex(seed, width: 16, into: &buffer)
        writeHex(seed &* 0x9E37_79B9_7F4A_7C15 >> 32, width: 8, into: &buffer)
        buffer.writeStaticString("\",\"object\":\"chat.completion\",\"created\":")
        writeDecimal(created, into: &buffer)
        buffer.writeStaticString(",\"model\":")
        writeJSONString(model, into: &buffer)
        buffer.writeStaticString(",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"")
        let tokens = reply.completionTokens
        if tokens > 0 {
            // Same words as ReplyText.generate (which need no escaping).
            let count = tokens * 4  // "w1 w2 … wn." — three letters and a space or the final period each
            _ = ReplyText.wordBytes.withUnsafeBufferPointer { table in
                buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { raw in
                    for i in 0..<tokens {
                        let from = ReplyText.wordNumber(seed: seed, index: i) * 3
                        raw[i * 4] = table[from]
                        raw[i * 4 + 1] = table[from + 1]
                        raw[i * 4 + 2] = table[from + 2]
                        raw[i * 4 + 3] = i == tokens - 1 ? UInt8(ascii: ".") : UInt8(ascii: " ")
                    }
                    return count
                }
            }
        }
        buffer.writeStaticString("\"},\"logprobs\":null,\"finish_reason\":\"")
        buffer.writeString(reply.finishReason)
        buffer.writeStaticString("\"}],\"usage\":{\"prompt_tokens\":")
        writeDecimal(reply.promptTokens, into: &buffer)
        buffer.writeStaticString(",\"completion_tokens\":")
        writeDecimal(tokens, into: &buffer)
        buffer.writeStaticString(",\"total_tokens\":")
        writeDecimal(reply.promptTokens + tokens, into: &buffer)
        buffer.writeInteger(UInt8(ascii: "}"))
        if groq {
            buffer.writeStaticString(",\"x_groq\":{\"id\":\"")
            buffer.writeString(requestID)
            buffer.writeStaticString("\"}")
        }
        buffer.writeInteger(UInt8(ascii: "}"))
    }

    /// `value` as a quoted JSON string (the same bytes as `JSONText.appendString`).
    static func writeJSONString(_ value: String, into buffer: inout ByteBuffer) {
        var plain = true
        for b in value.utf8 where b < 0x20 || b == 0x22 || b == 0x5C {
            plain = false
            break
        }
        if plain {
            buffer.writeInteger(UInt8(ascii: "\""))
            buffer.writeString(value)
            buffer.writeInteger(UInt8(ascii: "\""))
        } else {
            buffer.writeString(JSONText.quoted(value))
        }
    }

    /// Lower-case hex of `value`, zero-padded to `width` (as `MockWire.hex`).
    static func writeHex(_ value: UInt64, width: Int, into buffer: inout ByteBuffer) {
        var digits = 1
        var v = value >> 4
        while v != 0 {
            digits += 1
            v >>= 4
        }
        let count = max(digits, width)
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { raw in
            var v = value
            var i = count - 1
            while i >= 0 {
                let d = UInt8(truncatingIfNeeded: v & 0xF)
                raw[i] = d < 10 ? UInt8(ascii: "0") + d : UInt8(ascii: "a") + d - 10
                v >>= 4
                i -= 1
            }
            return count
        }
    }

    /// `value` in decimal (as `String(value)`).
    static func writeDecimal(_ value: Int, into buffer: inout ByteBuffer) {
        if value < 0 {
            buffer.writeInteger(UInt8(ascii: "-"))
        }
        let magnitude = value.magnitude
        var digits = 1
        var v = magnitude / 10
        while v != 0 {
            digits += 1
            v /= 10
        }
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: digits) { raw in
            var v = magnitude
            var i = digits - 1
            while i >= 0 {
                raw[i] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: v % 10)
                v /= 10
                i -= 1
            }
            return digits
        }
    }
}
