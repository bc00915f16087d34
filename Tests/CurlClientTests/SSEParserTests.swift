import Testing

@testable import CurlClient

@Suite("SSEParser")
struct SSEParserTests {
    private func parse(_ chunks: [String]) -> (events: [SSEParser.Fields], partial: Bool) {
        var parser = SSEParser()
        var events: [SSEParser.Fields] = []
        for chunk in chunks { parser.feed(Array(chunk.utf8)) { events.append($0) } }
        return (events, parser.hasPartialEvent)
    }

    @Test func eventSplitAcrossChunksIsReassembled() {
        let result = parse(["da", "ta: {\"a\"", ":1}\n", "\n", "data: [DONE]\n\n"])
        #expect(result.events.map(\.data) == [#"{"a":1}"#, "[DONE]"])
        #expect(!result.partial)
    }

    @Test func crlfLineEndsCommentsAndMultipleDataLines() {
        let result = parse([": keep-alive\r\n\r\nevent: delta\r\nid: 7\r\ndata: one\r\ndata:two\r\n\r\n"])
        #expect(result.events == [SSEParser.Fields(data: "one\ntwo", event: "delta", id: "7")])
    }

    @Test func blockWithoutDataIsNotDispatched() {
        let result = parse(["event: ping\n\n", "retry: 10\n\n", "data: x\n\n"])
        #expect(result.events.map(\.data) == ["x"])
        #expect(result.events.first?.event == nil)
    }

    @Test func unfinishedEventIsReportedAsPartial() {
        let midLine = parse(["data: {\"a\":1}\n\ndata: {\"b\""])
        #expect(midLine.events.count == 1)
        #expect(midLine.partial)
        let noBlankLine = parse(["data: x\n"])
        #expect(noBlankLine.events.isEmpty)
        #expect(noBlankLine.partial)
    }

    @Test func everyByteInItsOwnChunkGivesTheSameEvents() {
        let text = "data: alpha\n\n: c\ndata: beta\r\ndata: gamma\r\n\r\n"
        let whole = parse([text])
        let bytes = parse(text.map { String($0) })
        #expect(whole.events.map(\.data) == ["alpha", "beta\ngamma"])
        #expect(bytes.events == whole.events)
    }
}
