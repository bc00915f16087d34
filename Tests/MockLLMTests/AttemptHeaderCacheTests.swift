@testable import MockLLM
import Testing

/// A connection reads the profile's attempt-header name once per profile change (outside the shared
/// lock): a replaced profile or a run start with another `attempt_header` is honoured at once, on a
/// connection that is already open.
@Suite struct AttemptHeaderCacheTests {
    @Test func aProfileChangeSwitchesTheAttemptHeaderOnAnOpenConnection() async throws {
        try await withServer(profile: "attempt_header: x-a") { server in
            let c = try RawConnection(port: server.port, timeout: 5)
            func send(_ headers: [String: String]) -> Int {
                c.send(post("/v1/chat/completions", chat("m"), headers: headers))
                return c.readResponse().status ?? -1
            }
            #expect(send(["x-a": "3", "x-b": "7"]) == 200)
            server.state.replace(profile: try FaultProfile.parse("attempt_header: x-b", file: "p2"), text: "attempt_header: x-b")
            #expect(send(["x-a": "2", "x-b": " 5 "]) == 200)
            // The header's number less its first value (0 here), plus 1.
            #expect(server.calls(after: 0).records.map(\.attempt) == [4, 6])
            server.startRun(RunStart(run: "r", profile: try FaultProfile.parse("attempt_header: { name: x-c, first: 1 }", file: "p3")))
            #expect(send(["x-b": "2", "x-c": "4"]) == 200)
            #expect(send(["x-c": "four"]) == 200)
            let attempts = server.calls(after: 0).records.map(\.attempt)
            #expect(attempts == [4, nil])  // the run start cleared the log: x-c 4 with first 1, then no number
            #expect(server.state.stats.total == 2)
        }
    }

    @Test func attemptValuesAllowBlanksAndRejectNonNumbers() {
        #expect(MockState.attemptValue("3") == 3)
        #expect(MockState.attemptValue(" 3\t") == 3)
        #expect(MockState.attemptValue("x") == nil)
        #expect(MockState.attemptValue(nil) == nil)
    }
}
