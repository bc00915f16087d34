@testable import MockLLM
import NIOCore
import Testing

/// The healthy reply rendered with one buffer operation (`RawByteWriter`) is byte for byte
/// `MockWire.completion`, whatever the model name, reply length, ids and numbers.
@Suite struct RawByteWriterTests {
    static let models = ["llama-3.1-8b-instant", "", "quote\"and\\back", "ctl\u{01}\n\t", "modèle-ü-🚀", String(repeating: "m", count: 300)]

    @Test(arguments: models)
    func aCompletionBodyIsByteForByteTheWireForm(model: String) {
        for (tokens, finish) in [(0, "stop"), (1, "stop"), (24, "stop"), (513, "length")] {
            for groq in [false, true] {
                let reply = ReplyPlan(
                    completionTokens: tokens, promptTokens: tokens * 7 + 3, finishReason: finish, textSeed: UInt64(tokens) &* 0x9E37_79B9)
                for created in [0, 1_764_400_000, -5, Int.max] {
                    var buffer = ByteBufferAllocator().buffer(capacity: 8)
                    buffer.writeStaticString("prefix:")
                    let number = UInt64(bitPattern: Int64(created)) &* 0x9E37_79B9_7F4A_7C15
                    CompletionWriter.write(into: &buffer, model: model, reply: reply, created: created, requestNumber: number, groq: groq)
                    let expected =
                        "prefix:"
                        + MockWire.completion(model: model, reply: reply, created: created, requestID: MockWire.requestID(number), groq: groq)
                    #expect(String(buffer: buffer) == expected)
                }
            }
        }
    }

    @Test func decimalsAndHexMatchTheStringForms() {
        var storage = [UInt8](repeating: 0, count: 1024)
        let values = [0, 7, 10, 99, 100, -1, -10, Int.max, Int.min, 1_234_567_890]
        let hexes: [(UInt64, Int)] = [(0, 1), (0, 16), (0xABC, 2), (UInt64.max, 8), (0x1234_5678_9ABC_DEF0, 16)]
        let count = storage.withUnsafeMutableBytes { raw in
            var w = RawByteWriter(raw)
            for v in values {
                w.appendDecimal(v)
                w.append(byte: UInt8(ascii: ","))
            }
            for (v, width) in hexes {
                w.appendHex(v, width: width)
                w.append(",")
            }
            w.appendRequestID(0xDEAD_BEEF)
            return w.count
        }
        let expected = values.map { "\($0)," }.joined() + hexes.map { MockWire.hex($0.0, width: $0.1) + "," }.joined()
            + "req_00000000deadbeef"
        #expect(String(decoding: storage.prefix(count), as: UTF8.self) == expected)
    }
}
