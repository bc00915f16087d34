import MockLLM
import Testing

@Suite struct JSONValueTests {
    @Test func parsesNestedValuesAndEscapes() {
        let v = JSONValue.parse(Array(#" {"a":[1,-2.5e3,true,false,null],"s":"x\"\\\n\u00e9\ud83d\ude00","o":{}} "#.utf8))
        #expect(v?["a"] == .array([.number(1), .number(-2500), .bool(true), .bool(false), .null]))
        #expect(v?["s"] == .string("x\"\\\né😀"))
        #expect(v?["o"] == .object([]))
    }

    @Test func rejectsInvalidJSON() {
        for text in ["", "{", "[1,]", "{\"a\" 1}", "01", "1.", "\"\\x\"", "\"a", "tru", "{\"a\":1}x", "\"\u{1}\"", "\"\\ud800\""] {
            #expect(JSONValue.parse(Array(text.utf8)) == nil, "\(text)")
        }
        #expect(JSONValue.parse(Array(String(repeating: "[", count: 100).utf8) + Array(String(repeating: "]", count: 100).utf8)) == nil)
    }

    @Test func chatRequestReadsTheFieldsTheMockUses() throws {
        let r = try ChatRequest.parse(Array(#"{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"abcd"}]},{"role":"assistant","content":null,"tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{}"}}]}],"stream":true,"stream_options":{"include_usage":true},"max_tokens":9,"max_completion_tokens":7}"#.utf8))
        #expect(r.model == "m")
        #expect(r.contents == ["abcd", ""])
        #expect(r.stream && r.includeUsage)
        #expect(r.maxTokens == 7)
        #expect(r.promptTokens == 3)
    }
}
