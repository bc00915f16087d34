import Reliability
import Testing

@testable import CurlClient

@Suite("CurlHTTPClient.send over loopback")
struct SendTests {
    @Test func postReturnsStatusHeadersBodyAndTiming() async throws {
        try await withServerAndClient { client, server in
            let body = Array("hello, squall".utf8)
            let response = try await client.send(HTTPRequest(
                method: .post, url: server.base + "/echo", headers: ["X-Custom": "abc"], body: body))
            #expect(response.status == 200)
            #expect(response.body == body)
            #expect(response.headers["x-got-method"] == "POST")
            #expect(response.headers["X-GOT-CUSTOM"] == "abc")
            #expect(response.headers.values(named: "set-cookie") == ["a=1", "b=2"])
            #expect(response.headers.map(\.name).prefix(2) == ["Content-Type", "X-Got-Method"])
            #expect(!response.reusedConnection)
            let t = response.timing
            #expect(t.total > .zero)
            #expect(t.nameLookup <= t.connect && t.connect <= t.firstByte && t.firstByte <= t.total)
            #expect(t.firstEvent == nil)
        }
    }

    @Test func getAndCustomMethodsAreSentAsGiven() async throws {
        try await withServerAndClient { client, server in
            let get = try await client.send(HTTPRequest(url: server.base + "/echo"))
            #expect(get.headers["X-Got-Method"] == "GET")
            #expect(get.body.isEmpty)
            let put = try await client.send(HTTPRequest(method: .put, url: server.base + "/echo", body: [1, 2, 3]))
            #expect(put.headers["X-Got-Method"] == "PUT")
            #expect(put.body == [1, 2, 3])
            let delete = try await client.send(HTTPRequest(method: .delete, url: server.base + "/echo"))
            #expect(delete.headers["X-Got-Method"] == "DELETE")
        }
    }

    @Test func largeBodyRoundTripsIntact() async throws {
        try await withServerAndClient { client, server in
            let body = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            let response = try await client.send(HTTPRequest(method: .post, url: server.base + "/echo", body: body))
            #expect(response.body == body)
        }
    }

    @Test func errorStatusIsAResponseWithRetryHintsAndErrorCode() async throws {
        try await withServerAndClient { client, server in
            let response = try await client.send(HTTPRequest(url: server.base + "/status?code=429"))
            #expect(response.status == 429)
            #expect(response.errorCode == "rate_limit_exceeded")
            #expect(response.attemptOutcome == .response(
                status: 429,
                headers: ResponseHints(retryAfter: .seconds(2), shouldRetry: true, errorCode: "rate_limit_exceeded")))
            let missing = try await client.send(HTTPRequest(url: server.base + "/nothing-here"))
            #expect(missing.status == 404)
            #expect(missing.attemptOutcome == .status(404))
        }
    }

    @Test func slowDripWithinTheTimeoutSucceeds() async throws {
        try await withServerAndClient { client, server in
            let response = try await client.send(HTTPRequest(url: server.base + "/drip?ms=10", timeout: .seconds(5)))
            #expect(response.status == 200)
            #expect(response.bodyText == "drips")
        }
    }

    @Test func invalidConfigurationNamesTheField() {
        #expect(throws: HTTPClientSetupError.self) {
            _ = try CurlHTTPClient(configuration: HTTPClientConfiguration(maxConnections: 0))
        }
        do {
            _ = try CurlHTTPClient(configuration: HTTPClientConfiguration(requestTimeout: .zero))
            Issue.record("expected a setup error")
        } catch {
            #expect(error.message.contains("requestTimeout"))
        }
    }
}
