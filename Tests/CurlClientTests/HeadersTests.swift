import Testing

@testable import CurlClient

@Suite("HTTPHeaders and helpers")
struct HeadersTests {
    @Test func lookupIgnoresCaseAndKeepsOrderAndDuplicates() {
        var headers: HTTPHeaders = ["Content-Type": "application/json", "X-A": "1"]
        headers.append(name: "x-a", value: "2")
        #expect(headers["content-type"] == "application/json")
        #expect(headers["X-A"] == "1")
        #expect(headers.values(named: "X-a") == ["1", "2"])
        #expect(headers.map(\.name) == ["Content-Type", "X-A", "x-a"])
        headers.remove(name: "X-A")
        #expect(headers.count == 1)
        #expect(headers["x-missing"] == nil)
    }

    @Test func millisecondsForCurlRoundUpAndNeverReachZero() {
        #expect(curlMilliseconds(.seconds(2)) == 2000)
        #expect(curlMilliseconds(.microseconds(1500)) == 2)
        #expect(curlMilliseconds(.nanoseconds(1)) == 1)
        #expect(curlMilliseconds(.zero) == 1)
        #expect(curlMilliseconds(.seconds(-3)) == 1)
    }

    @Test func postJSONSetsContentTypeOnce() {
        let request = HTTPRequest.postJSON(url: "http://x/", json: "{}", headers: ["content-type": "application/json; charset=utf-8"])
        #expect(request.headers.values(named: "Content-Type") == ["application/json; charset=utf-8"])
        #expect(request.body == Array("{}".utf8))
        #expect(HTTPRequest.postJSON(url: "http://x/", json: "{}").headers["content-type"] == "application/json")
    }
}
