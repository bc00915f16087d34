@testable import MockLLM
import Testing

/// The fast body reader (`ChatBodyScanner`) against the tree parse it shortcuts: same request for
/// every body it accepts, the tree's answer (request or error) for every other, and it does accept
/// the common shapes (otherwise it would be dead weight on the hot path).
@Suite struct ChatBodyScannerTests {
    /// Outcome of a parse, comparable.
    enum Outcome: Equatable, CustomStringConvertible {
        case request(ChatRequest)
        case invalid(ChatRequest.Invalid)

        var description: String {
            switch self {
            case .request(let r): return "request(\(r.model), \(r.contents), stream \(r.stream), usage \(r.includeUsage), max \(String(describing: r.maxTokens)), tag \(String(describing: r.tag)))"
            case .invalid(let e): return "invalid(\(e.param ?? "-"): \(e.message))"
            }
        }
    }

    static func outcome(_ parse: () throws(ChatRequest.Invalid) -> ChatRequest) -> Outcome {
        do { return .request(try parse()) } catch { return .invalid(error) }
    }

    /// Bodies the fast reader must take itself.
    static let common: [String] = [
        #"{"model":"llama-3.1-8b-instant","messages":[{"role":"system","content":"You are terse."},{"role":"user","content":"What is the capital of France?"}],"max_tokens":64}"#,
        #"{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi [sq:k3x9a0zq:1y]"}],"stream":true,"stream_options":{"include_usage":true}}"#,
        #" { "model" : "m" , "messages" : [ { "role" : "user" , "content" : "a\"b\\c\n\u00e9 😀" } ] , "stream" : false } "#,
        #"{"messages":[{"content":"x","role":"user","name":"bob"}],"model":"m","temperature":0.7,"top_p":1,"n":1,"stop":["\n","END"],"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{"a":{"type":"string"}}}}}],"user":"u-1","seed":-3,"logit_bias":{"50256":-100},"metadata":null,"parallel_tool_calls":true}"#,
        #"{"model":"m","messages":[{"role":"user","content":"q"}],"max_tokens":9,"max_completion_tokens":7,"stream":null,"stream_options":null}"#,
        #"{"model":"m","messages":[{"role":"user","content":"q"}],"max_completion_tokens":5,"max_tokens":null,"stream_options":{"x":[1,{"y":"é"}],"include_usage":null}}"#,
        #"{"model":"m","messages":[{"role":"user","content":"one [sq:aaaaaaaa:1] two"},{"role":"assistant","content":"ok"},{"role":"user","content":"three [sq:bbbbbbbb:zz] [sq:cccccccc:2]"}],"max_tokens":1e3}"#,
        #"{"model":"m","messages":[{"role":"user","content":""}],"max_tokens":10000000}"#,
    ]

    /// Bodies the tree must decide (refusals, or shapes the fast reader leaves to it).
    static let edges: [String] = [
        "", "null", "[]", "{}", "{", #"{"model":"m"}"#, #"{"model":"","messages":[{"role":"u","content":"c"}]}"#,
        #"{"model":1,"messages":[{"role":"u","content":"c"}]}"#, #"{"model":"m","messages":[]}"#,
        #"{"model":"m","messages":{}}"#, #"{"model":"m","messages":[1]}"#, #"{"model":"m","messages":[{}]}"#,
        #"{"model":"m","messages":[{"content":"c"}]}"#, #"{"model":"m","messages":[{"role":1,"content":"c"}]}"#,
        #"{"model":"m","messages":[{"role":"user"}]}"#, #"{"model":"m","messages":[{"role":"user","content":null}]}"#,
        #"{"model":"m","messages":[{"role":"assistant","content":null,"tool_calls":[{"id":"c"}]}]}"#,
        #"{"model":"m","messages":[{"role":"assistant","tool_calls":[]}]}"#,
        #"{"model":"m","messages":[{"role":"function","content":null}]}"#,
        #"{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"ab"},{"type":"image_url"}]}]}"#,
        #"{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":1}]}]}"#,
        #"{"model":"m","messages":[{"role":"user","content":[1]}]}"#, #"{"model":"m","messages":[{"role":"user","content":5}]}"#,
        #"{"model":"m","model":"n","messages":[{"role":"u","content":"c"}]}"#,
        #"{"model":"m","messages":[{"role":"u","content":"c"}],"messages":[{"role":"u","content":"d"}]}"#,
        #"{"model":"m","messages":[{"role":"u","content":"c","content":"d"}]}"#,
        #"{"model":"m","messages":[{"role":"u","role":"v","content":"c"}]}"#,
        #"{"model":"m","messages":[{"role":"u","content":"c"}],"stream":true,"stream":false}"#,
        #"{"model":"m","messages":[{"role":"u","content":"c"}],"max_tokens":3,"max_tokens":4}"#,
        #"{"model":"m","messages":[{"role":"u","content":"c"}],"stream_options":{"include_usage":true,"include_usage":false}}"#,
        #"{"mod\u0065l":"m","messages":[{"role":"u","content":"c"}]}"#,
        #"{"model":"m","m\u00e9":1,"messages":[{"role":"u","content":"c"}]}"#,
        #"{"model":"m","mé":1,"messages":[{"role":"u","content":"c"}]}"#,
        #"{"model":"m","messages":[{"r\u006fle":"u","content":"c"}]}"#,
        #"{"model":"m","messages":[{"role":"u","content":"c"}],"stream":"yes"}"#,
        #"{"model":"m","messages":[{"role":"u","content":"c"}],"stream":1}"#,
        #"{"model":"m","messages":[{"role":"u","content":"c"}],"stream_options":true}"#,
        #"{"model":"m","messages":[{"role":"u","content":"c"}],"stream_options":{"include_usage":"y"}}"#,
        #"{"model":"m","messages":[{"role":"u","content":"c"}],"max_tokens":0}"#,
        #"{"model":"m","messages":[{"role":"u","content":"c"}],"max_tokens":-4}"#,
        #"{"model":"m","messages":[{"role":"u","content":"c"}],"max_tokens":2.5}"#,
        #"{"model":"m","messages":[{"role":"u","content":"c"}],"max_tokens":5.0}"#,
        #"{"model":"m","messages":[{"role":"u","content":"c"}],"max_tokens":10000001}"#,
        #"{"model":"m","messages":[{"role":"u","content":"c"}],"max_tokens":1e400}"#,
        #"{"model":"m","messages":[{"role":"u","content":"c"}],"max_tokens":"5"}"#,
    ] + ["99999999", "100000000", "999999999", "1234567890", "0", "07", "00", "64.0", "64e0", "64E1", "6e-1", "64x", "64-", "64+1", "- 1", "1 ", " 9"].map {
        #"{"model":"m","messages":[{"role":"u","content":"c"}],"max_completion_tokens":"# + $0 + "}"
    } + [
        #"{"model":"m","messages":[{"role":"u","content":"c"}],"max_completion_tokens":[5]}"#,
        #"{"model":"m","messages":[{"role":"u","content":"c"}]}x"#, #"{"model":"m","messages":[{"role":"u","content":"c"}],}"#,
        #"{"model":"m","messages":[{"role":"u","content":"c"},]}"#, #"{"model":"m","messages":[{"role":"u","content":"c",}]}"#,
        #"{"model":"m","messages":[{"role":"u","content":"c\u0001"}]}"#, #"{"model":"m","messages":[{"role":"u","content":"\ud800"}]}"#,
        #"{"model":"m","x":"\q","messages":[{"role":"u","content":"c"}]}"#, #"{"model":"m","x":01,"messages":[{"role":"u","content":"c"}]}"#,
        #"{"model":"m","x":tru,"messages":[{"role":"u","content":"c"}]}"#, #"{"model":"m","x":nul,"messages":[{"role":"u","content":"c"}]}"#,
        #"{"model":"m","x":-,"messages":[{"role":"u","content":"c"}]}"#, #"{"model":"m","x":{"a" 1},"messages":[{"role":"u","content":"c"}]}"#,
    ]

    /// An unused member nested `depth` levels deep (the tree refuses 64 levels and more).
    static func nested(_ depth: Int) -> String {
        #"{"model":"m","messages":[{"role":"u","content":"c","x":"# + String(repeating: "[", count: depth)
            + String(repeating: "]", count: depth) + "}]}"
    }

    @Test func theFastReaderTakesTheCommonBodiesAndAgreesWithTheTree() throws {
        for text in Self.common {
            let body = Array(text.utf8)
            let fast = try #require(ChatBodyScanner.read(body), "the fast reader declined: \(text)")
            #expect(Outcome.request(fast) == Self.outcome { () throws(ChatRequest.Invalid) in try ChatRequest.parseTree(body) }, "\(text)")
        }
    }

    @Test func everyBodyParsesAsTheTreeDoes() {
        let bodies = Self.common + Self.edges + (56...66).map(Self.nested) + Self.garbledBodies()
        for text in bodies {
            let body = Array(text.utf8)
            let tree = Self.outcome { () throws(ChatRequest.Invalid) in try ChatRequest.parseTree(body) }
            #expect(Self.outcome { () throws(ChatRequest.Invalid) in try ChatRequest.parse(body) } == tree, "\(text)")
            if let fast = ChatBodyScanner.read(body) { #expect(Outcome.request(fast) == tree, "\(text)") }
        }
    }

    @Test func invalidUTF8InASkippedStringIsRefusedLikeTheTree() {
        var body = Array(#"{"model":"m","x":"ab","messages":[{"role":"u","content":"c"}]}"#.utf8)
        let i = body.firstIndex(of: UInt8(ascii: "b"))!
        for bad: [UInt8] in [[0xFF], [0xC3], [0xE2, 0x82], [0xED, 0xA0, 0x80]] {
            var b = body
            b.replaceSubrange(i...i, with: bad)
            #expect(ChatBodyScanner.read(b) == nil)
            #expect(Self.outcome { () throws(ChatRequest.Invalid) in try ChatRequest.parse(b) } == Self.outcome { () throws(ChatRequest.Invalid) in try ChatRequest.parseTree(b) })
        }
        body.replaceSubrange(i...i, with: [0xC3, 0xA9])  // é: valid
        #expect(ChatBodyScanner.read(body) != nil)
    }

    /// Every common body cut at each byte, with each byte deleted, and with structural bytes swapped in.
    static func garbledBodies() -> [String] {
        var out: [String] = []
        for text in common {
            let b = Array(text.utf8)
            for i in 0..<b.count {
                out.append(String(decoding: b[..<i], as: UTF8.self))
                var d = b
                d.remove(at: i)
                out.append(String(decoding: d, as: UTF8.self))
                for r in [UInt8(ascii: "\""), UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "1"), UInt8(ascii: " ")] where b[i] != r {
                    var m = b
                    m[i] = r
                    out.append(String(decoding: m, as: UTF8.self))
                }
            }
        }
        return out
    }
}
