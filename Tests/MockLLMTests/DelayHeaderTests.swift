import Foundation
import MockLLM
import Testing

/// The mock tells a live client how long it waited on purpose (`x-squall-delay-us`, scenario
/// microseconds), so the client can measure its own real overhead apart from the scenario's latency.
@Suite(.serialized) struct DelayHeaderTests {
    @Test func aDelayedReplyCarriesTheInjectedDelayInScenarioMicroseconds() async throws {
        try await withServer(profile: "latency: { fixed: 2s }", configure: { $0.timeScale = 1000 }) { server in
            let r = try roundTrip(server.port, post("/v1/chat/completions", chat("gpt-4o-mini", content: "hi")))
            #expect(r.status == 200)
            #expect(r.header("x-squall-delay-us") == "2000000")
        }
    }

    @Test func anUndelayedReplyCarriesNone() async throws {
        try await withServer(profile: "reply: { tokens: 3 }") { server in
            let r = try roundTrip(server.port, post("/v1/chat/completions", chat("gpt-4o-mini", content: "hi")))
            #expect(r.status == 200)
            #expect(r.header("x-squall-delay-us") == nil)
        }
    }
}
