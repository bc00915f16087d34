import Foundation
import MockLLM
import Testing

@Suite struct SquallTagTests {
    @Test func markerRoundTripsThroughEncodeAndParse() throws {
        let tag = try #require(SquallTag(run: "k3x9a0zq", key: 70))
        #expect(tag.marker == " [sq:k3x9a0zq:1y]")
        #expect(SquallTag.parse(tag.marker) == tag)
        #expect(SquallTag.parse("[sq:k3x9a0zq:1y]") == tag)
        let prompt = tag.appended(to: "What is the capital of France?")
        #expect(SquallTag.find(in: prompt)?.tag == tag)
        #expect(SquallTag.strip(prompt) == "What is the capital of France?")
        #expect(SquallTag.parse(try #require(SquallTag(run: "00000000", key: 0)).marker)?.key == 0)
    }

    @Test func theLargestKeyFitsTheByteBound() throws {
        let tag = try #require(SquallTag(run: "zzzzzzzz", key: .max))
        #expect(tag.marker == " [sq:zzzzzzzz:3w5e11264sgsf]")
        #expect(tag.marker.utf8.count == SquallTag.maxMarkerBytes)
        #expect(SquallTag.maxMarkerBytes <= 40)
        #expect(SquallTag.parse(tag.marker) == tag)
        #expect(SquallTag.parse("[sq:zzzzzzzz:3w5e11264sgsg]") == nil)  // UInt64.max + 1
    }

    @Test func markerIsASCIIAndUnchangedByJSONEncoding() throws {
        let tag = try #require(SquallTag(run: "0a1b2c3d", key: 123_456_789))
        #expect(tag.marker.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F && $0 != 0x22 && $0 != 0x5C })
        let encoded = String(decoding: try JSONEncoder().encode([tag.marker]), as: UTF8.self)
        #expect(encoded == "[\"" + tag.marker + "\"]")
    }

    @Test func invalidRunIDsAndLookAlikesAreRejected() {
        #expect(SquallTag(run: "short", key: 1) == nil)
        #expect(SquallTag(run: "ABCDEFGH", key: 1) == nil)
        #expect(SquallTag(run: "abcdefgh1", key: 1) == nil)
        for bad in [
            "[sq:abcdefgh:]", "[sq:abcdefgh]", "[sq:abcdefg:1]", "[sq:abcdefgh:01]", "[sq:abcdefgh:1",
            "[sq:ABCDEFGH:1]", "[sq:abcdefgh:1:1]", "[sq:abcdefgh:zzzzzzzzzzzzzz]", "[sq:abcdefgh;1]", "[SQ:abcdefgh:1]",
        ] {
            #expect(SquallTag.parse(bad) == nil, "\(bad)")
            #expect(SquallTag.find(in: "x " + bad) == nil, "\(bad)")
            #expect(SquallTag.strip("x " + bad) == "x " + bad, "\(bad)")
        }
    }

    @Test func findTakesTheLastMarkerAnywhereInTheText() throws {
        let a = try #require(SquallTag(run: "aaaaaaaa", key: 1))
        let b = try #require(SquallTag(run: "bbbbbbbb", key: 2))
        let text = "Context:" + a.marker + "\nQuestion: x" + b.marker + " (answer briefly)"
        #expect(SquallTag.find(in: text)?.tag == b)
        #expect(SquallTag.strip(text) == "Context:\nQuestion: x (answer briefly)")
        #expect(SquallTag.strip("[sq:aaaaaaaa:1] at start") == " at start")
    }

    @Test func randomRunIDsAreValid() {
        var g = SystemRandomNumberGenerator()
        for _ in 0..<100 { #expect(SquallTag.isValidRunID(SquallTag.randomRunID(using: &g))) }
    }
}
