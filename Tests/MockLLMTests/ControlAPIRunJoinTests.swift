@testable import MockLLM
import NIOHTTP1
import Testing

/// `POST /_squall/run` with `join` and `start_delay_ms`: the shards of one sharded live run start
/// one run together, and only the first start resets the mock.
@Suite struct ControlAPIRunJoinTests {
    static func api() throws -> (ControlAPI, MockState) {
        let state = MockState(profile: try FaultProfile.parse("{}", file: "t"), profileText: "{}", seed: 1, timeScale: 1)
        return (ControlAPI(state: state, token: nil), state)
    }

    static func post(_ api: ControlAPI, _ body: String) -> MockResponse {
        api.handle(.init(endpoint: .run, method: .POST, fromLoopback: true, body: Array(body.utf8)))
    }

    static func logCall(_ state: MockState) {
        state.recordRejectedCall(path: "/v1/chat/completions", model: "m", status: 400, action: "bad", idempotencyKey: nil, attempt: nil)
    }

    @Test func aJoinOfTheRunInForceResetsNothingAndAnswersItsOrigin() throws {
        let (api, state) = try Self.api()
        let first = Self.post(api, #"{"run":"shard0aa","seed":7,"time_scale":60,"join":true,"start_delay_ms":2000}"#)
        #expect(first.status == 200)
        #expect(first.body.contains(#""joined":false"#))
        Self.logCall(state)
        Self.logCall(state)
        let second = Self.post(api, #"{"run":"shard0aa","seed":7,"time_scale":60,"join":true,"start_delay_ms":2000}"#)
        #expect(second.status == 200)
        #expect(second.body.contains(#""joined":true"#))
        #expect(state.calls(after: 0).records.count == 2, "a join must not clear the call log")
        let origin = { (r: MockResponse) in r.body.split(separator: "\"origin_unix_ns\":")[1].prefix(while: \.isNumber) }
        #expect(origin(first) == origin(second), "the joiner gets the origin already in force")
    }

    @Test func aStartWithoutJoinOrOfAnotherRunResets() throws {
        let (api, state) = try Self.api()
        #expect(Self.post(api, #"{"run":"runaaaaa","join":true}"#).status == 200)
        Self.logCall(state)
        #expect(Self.post(api, #"{"run":"runaaaaa"}"#).body.contains(#""joined":false"#))
        #expect(state.calls(after: 0).records.isEmpty, "a plain start resets even the same run")
        Self.logCall(state)
        #expect(Self.post(api, #"{"run":"runbbbbb","join":true}"#).body.contains(#""joined":false"#))
        #expect(state.calls(after: 0).records.isEmpty, "a join of another run starts it afresh")
        #expect(state.run == "runbbbbb")
    }

    @Test func aStartDelayPutsScenarioTimeZeroInTheFuture() throws {
        let (api, state) = try Self.api()
        let before = MockState.unixNanos()
        let r = Self.post(api, #"{"run":"delayed1","start_delay_ms":30000}"#)
        #expect(r.status == 200)
        let origin = Int64(r.body.split(separator: "\"origin_unix_ns\":")[1].prefix(while: \.isNumber))!
        #expect(origin >= before + 30_000_000_000)
        #expect(state.scenarioNow() < .zero, "before the origin, scenario time is negative")
    }

    @Test func aJoinThatDisagreesWithTheRunInForceIs409NamingTheField() throws {
        let (api, state) = try Self.api()
        #expect(Self.post(api, #"{"run":"shard0aa","seed":7,"time_scale":60,"join":true}"#).status == 200)
        Self.logCall(state)
        for (body, field) in [
            (#"{"run":"shard0aa","seed":8,"time_scale":60,"join":true}"#, "seed"),
            (#"{"run":"shard0aa","seed":7,"time_scale":30,"join":true}"#, "time_scale"),
            (#"{"run":"shard0aa","profile":"faults: []","join":true}"#, "profile"),
        ] {
            let r = Self.post(api, body)
            #expect(r.status == 409, "\(field)")
            #expect(r.body.contains("\"param\":\"\(field)\""), "\(r.body)")
        }
        #expect(state.calls(after: 0).records.count == 1, "a refused join changes nothing")
    }

    @Test func badJoinAndDelayValuesAre400NamingTheField() throws {
        let (api, _) = try Self.api()
        for (body, field) in [
            (#"{"run":"shard0aa","join":"yes"}"#, "join"),
            (#"{"run":"shard0aa","start_delay_ms":-1}"#, "start_delay_ms"),
            (#"{"run":"shard0aa","start_delay_ms":600001}"#, "start_delay_ms"),
            (#"{"run":"shard0aa","start_delay_ms":1.5}"#, "start_delay_ms"),
        ] {
            let r = Self.post(api, body)
            #expect(r.status == 400, "\(body)")
            #expect(r.body.contains("\"param\":\"\(field)\""), "\(r.body)")
        }
    }
}
