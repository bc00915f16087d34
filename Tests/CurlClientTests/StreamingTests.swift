import Reliability
import Synchronization
import Testing

@testable import CurlClient

@Suite("Server-sent event streaming over loopback")
struct StreamingTests {
    @Test func eventsArriveInOrderWithArrivalTimesAndTimeToFirstEvent() async throws {
        try await withServerAndClient { client, server in
            let seen = Mutex<[SSEEvent]>([])
            let response = try await client.stream(HTTPRequest(url: server.base + "/sse?n=5")) { event in
                seen.withLock { $0.append(event) }
            }
            let events = seen.withLock { $0 }
            #expect(response.status == 200)
            #expect(response.body.isEmpty)
            #expect(response.eventCount == 6)
            #expect(!response.endedMidEvent)
            #expect(events.map(\.data) == (0..<5).map { #"{"i":\#($0),"text":"tok\#($0)"}"# } + ["[DONE]"])
            #expect(events.map(\.index) == Array(0..<6))
            #expect(events.last?.isDone == true)
            #expect(zip(events, events.dropFirst()).allSatisfy { $0.receivedAt <= $1.receivedAt })
            #expect(events.allSatisfy { $0.elapsed > .zero })
            #expect(response.timing.firstEvent == events.first?.elapsed)
        }
    }

    @Test func firstEventIsDeliveredBeforeTheStreamContinues() async throws {
        // The server sends one event, then waits until the test has received it before sending
        // the rest: a client that buffered the stream would make the server give up waiting.
        try await withServerAndClient { client, server in
            let count = Mutex(0)
            let response = try await client.stream(HTTPRequest(url: server.base + "/sse-gated?n=3")) { _ in
                count.withLock { $0 += 1 }
                server.openGate()
            }
            #expect(response.eventCount == 4)
            #expect(!server.gateTimedOut)
        }
    }

    @Test func asyncSequenceYieldsEveryEvent() async throws {
        try await withServerAndClient { client, server in
            var data: [String] = []
            for try await event in client.events(HTTPRequest(url: server.base + "/sse?n=2")) {
                data.append(event.data)
            }
            #expect(data == [#"{"i":0,"text":"tok0"}"#, #"{"i":1,"text":"tok1"}"#, "[DONE]"])
        }
    }

    @Test func streamResetMidwayKeepsDeliveredEventsAndThrowsReset() async throws {
        try await withServerAndClient { client, server in
            let seen = Mutex(0)
            do {
                _ = try await client.stream(HTTPRequest(url: server.base + "/sse-cut?n=2")) { _ in
                    seen.withLock { $0 += 1 }
                }
                Issue.record("expected a reset")
            } catch let error as TransportError {
                #expect(error.failure == .reset)
            }
            #expect(seen.withLock { $0 } == 2)
        }
    }

    @Test func streamClosedInTheMiddleOfAnEventIsTruncated() async throws {
        try await withServerAndClient { client, server in
            let seen = Mutex<[String]>([])
            let response = try await client.stream(HTTPRequest(url: server.base + "/sse-partial")) { event in
                seen.withLock { $0.append(event.data) }
            }
            #expect(seen.withLock { $0 } == [#"{"i":0}"#])
            #expect(response.status == 200)
            #expect(response.endedMidEvent)
            #expect(response.attemptOutcome == .transport(.truncated))
        }
    }

    @Test func errorStatusOnAStreamReturnsTheErrorBodyAndNoEvents() async throws {
        try await withServerAndClient { client, server in
            let seen = Mutex(0)
            let response = try await client.stream(HTTPRequest(url: server.base + "/status?code=503")) { _ in
                seen.withLock { $0 += 1 }
            }
            #expect(response.status == 503)
            #expect(response.eventCount == 0)
            #expect(response.errorCode == "rate_limit_exceeded")
            #expect(seen.withLock { $0 } == 0)
            do {
                for try await _ in client.events(HTTPRequest(url: server.base + "/status?code=503")) {}
                Issue.record("expected HTTPStatusError")
            } catch let error as HTTPStatusError {
                #expect(error.response.status == 503)
            }
        }
    }
}
