import Foundation
@testable import MockLLM
import Reliability
import Testing

/// Tags, the call log and run control end to end over loopback (issue #9, the mock's side).
@Suite(.serialized) struct CallLogServerTests {
    static func calls(_ port: Int, after: UInt64 = 0, limit: Int = 1000, headers: [String: String] = [:]) throws
        -> [String: Any]
    {
        let r = try roundTrip(port, get("/_squall/calls?after=\(after)&limit=\(limit)", headers: headers))
        #expect(r.status == 200)
        return try #require(r.json)
    }

    static func records(_ page: [String: Any]) -> [[String: Any]] { page["records"] as? [[String: Any]] ?? [] }

    static func runBody(_ fields: String) -> String {
        "POST /_squall/run HTTP/1.1\r\nHost: x\r\nContent-Length: \(fields.utf8.count)\r\n\r\n\(fields)"
    }

    @Test func taggedCallsAreAttributedAndTheMarkerIsNotCounted() async throws {
        try await withServer(profile: "reply: { tokens: 5 }") { server in
            let tag = try #require(SquallTag(run: "k3x9a0zq", key: 41))
            let plain = try roundTrip(server.port, post("/v1/chat/completions", chat("m", content: "What is the capital of France?")))
            let tagged = try roundTrip(
                server.port,
                post(
                    "/v1/chat/completions", chat("m", content: tag.appended(to: "What is the capital of France?")),
                    headers: ["Idempotency-Key": "order-7", "x-stainless-retry-count": "1"]))
            #expect(tagged.status == 200)
            // Usage is the same as without the marker; the reply never contains it.
            #expect((tagged.json?["usage"] as? [String: Int]) == (plain.json?["usage"] as? [String: Int]))
            #expect(!tagged.text.contains("[sq:"))
            let page = try Self.calls(server.port)
            let rs = Self.records(page)
            #expect(rs.count == 2)
            #expect(rs[0]["run"] is NSNull && rs[0]["key"] is NSNull && rs[0]["attempt"] is NSNull)
            #expect(rs[1]["run"] as? String == "k3x9a0zq")
            #expect(rs[1]["key"] as? Int == 41)
            #expect(rs[1]["idempotency_key"] as? String == "order-7")
            #expect(rs[1]["attempt"] as? Int == 2)
            #expect(rs[1]["status"] as? Int == 200)
            #expect(rs[1]["completed"] as? Bool == true)
            #expect(rs[1]["completion_tokens"] as? Int == 5)
            #expect(rs[1]["prompt_tokens"] as? Int == (plain.json?["usage"] as? [String: Int])?["prompt_tokens"])
            #expect(rs.map { $0["seq"] as? Int } == [1, 2])
            #expect(page["next"] as? Int == 2)
            #expect(page["dropped"] as? Int == 0)
        }
    }

    @Test func faultsAreLoggedWithTheirOutcomeRetryAfterAndRule() async throws {
        let profile = """
            faults:
              - { model: slow, latency: 1s }
              - { model: busy, status: 429, retry_after: 2s, retry_after_ms: 1500 }
              - { model: gone, drop: reset }
              - { model: cut, drop: truncate, after_bytes: 5 }
            """
        try await withServer(profile: profile, configure: { $0.timeScale = 1000 }) { server in
            for model in ["busy", "gone", "cut", "slow"] { _ = try roundTrip(server.port, post("/v1/chat/completions", chat(model))) }
            _ = try roundTrip(server.port, post("/v1/chat/completions", #"{"model":"bad","messages":[{"role":"user"}]}"#))
            let rs = Self.records(try Self.calls(server.port))
            #expect(rs.count == 5)
            #expect(rs[0]["status"] as? Int == 429 && rs[0]["retry_after"] as? Int == 2 && rs[0]["retry_after_ms"] as? Int == 1500)
            #expect(rs[0]["rule"] as? Int == 1 && rs[0]["completed"] as? Bool == false)
            #expect(rs[1]["drop"] as? String == "reset" && rs[1]["status"] is NSNull)
            #expect(rs[2]["drop"] as? String == "truncate" && rs[2]["status"] as? Int == 200)
            #expect(rs[3]["delay_ns"] as? Int ?? 0 >= 1_000_000_000 && rs[3]["completed"] as? Bool == true)
            #expect(rs[4]["status"] as? Int == 400 && rs[4]["model"] as? String == "")
            let times = rs.compactMap { $0["t_ns"] as? Int }
            #expect(times == times.sorted())
        }
    }

    @Test func theInProcessDrainGivesTheSameRecords() async throws {
        try await withServer(configure: { $0.callLogCapacity = 8 }) { server in
            for i in 0..<12 {
                _ = try roundTrip(server.port, post("/v1/chat/completions", chat("m"), headers: ["Idempotency-Key": "k\(i)"]))
            }
            let inProcess = server.calls(after: 0, limit: 100)
            #expect(inProcess.dropped == 4)
            #expect(inProcess.records.map(\.seq) == Array(5...12))
            #expect(inProcess.records.map(\.idempotencyKey) == (4..<12).map { "k\($0)" })
            let http = try Self.calls(server.port)
            #expect(http["dropped"] as? Int == 4)
            #expect(Self.records(http).map { $0["seq"] as? Int } == (5...12).map { $0 })
            #expect(Self.records(http).map { $0["idempotency_key"] as? String } == (4..<12).map { "k\($0)" })
            // Nothing is repeated: the next read after the cursor is empty.
            let after = try Self.calls(server.port, after: UInt64(http["next"] as? Int ?? 0))
            #expect(Self.records(after).isEmpty && after["dropped"] as? Int == 0)
        }
    }

    @Test func runStartResetsCountersAndLogAndAlignsTheClock() async throws {
        try await withServer(profile: "reply: { tokens: 3 }") { server in
            for _ in 0..<3 { _ = try roundTrip(server.port, post("/v1/chat/completions", chat("m"))) }
            try await Task.sleep(for: .milliseconds(50))
            let body = #"{"run":"r0000001","time_scale":1000,"seed":9,"profile":{"faults":[{"status":503}]}}"#
            let r = try roundTrip(server.port, Self.runBody(body))
            #expect(r.status == 200)
            #expect(r.json?["run"] as? String == "r0000001")
            #expect(r.json?["time_scale"] as? Int == 1000)
            #expect(r.json?["rules"] as? Int == 1)
            let stats = try #require(try roundTrip(server.port, get("/_squall/stats")).json)
            #expect(stats["requests_total"] as? Int == 0)
            #expect(server.state.timeScale == 1000)
            #expect(server.state.seed == 9)
            #expect(server.calls(after: 0).records.isEmpty)
            #expect(server.calls(after: 0).run == "r0000001")
            #expect(try roundTrip(server.port, post("/v1/chat/completions", chat("m"))).status == 503)
            let rs = Self.records(try Self.calls(server.port))
            #expect(rs.count == 1 && rs[0]["seq"] as? Int == 1)
            // Scenario time restarted at zero: the first call is well before the 50 ms × 1000 of the old clock.
            #expect((rs[0]["t_ns"] as? Int ?? .max) < 50_000_000_000)
            #expect(try Self.calls(server.port)["run"] as? String == "r0000001")
        }
    }

    @Test func badRunBodiesAre400NamingTheField() async throws {
        try await withServer { server in
            let cases: [(String, String)] = [
                (#"{"time_scale":2}"#, "run"),
                (#"{"run":"UPPERCASE"}"#, "run"),
                (#"{"run":"abcdefgh","time_scale":0}"#, "time_scale"),
                (#"{"run":"abcdefgh","time_scale":"fast"}"#, "time_scale"),
                (#"{"run":"abcdefgh","seed":-1}"#, "seed"),
                (#"{"run":"abcdefgh","profile":"faults: [ { status: 99 } ]"}"#, "profile"),
                (#"{"run":"abcdefgh","profile":7}"#, "profile"),
                (#"{"run":"abcdefgh","colour":"red"}"#, "colour"),
                (#"not json"#, "body"),
            ]
            for (body, param) in cases {
                let r = try roundTrip(server.port, Self.runBody(body))
                #expect(r.status == 400, "\(body)")
                #expect((r.json?["error"] as? [String: Any])?["param"] as? String == param, "\(body)")
            }
            let profile = try roundTrip(server.port, Self.runBody(#"{"run":"abcdefgh","profile":"faults: [ { status: 99 } ]"}"#))
            #expect(((profile.json?["error"] as? [String: Any])?["message"] as? String)?.contains("profile:1:21: faults[0].status") == true)
            for query in ["after=-1", "after=x", "limit=0", "limit=10001", "colour=red"] {
                #expect(try roundTrip(server.port, get("/_squall/calls?" + query)).status == 400, "\(query)")
            }
            #expect(try roundTrip(server.port, get("/_squall/run")).status == 405)
        }
    }

    @Test func runAndCallsNeedTheControlToken() async throws {
        try await withServer(configure: { $0.controlToken = "t0k" }) { (server: MockServer) async throws in
            #expect(try roundTrip(server.port, Self.runBody(#"{"run":"abcdefgh"}"#)).status == 401)
            #expect(try roundTrip(server.port, get("/_squall/calls")).status == 401)
            #expect(try roundTrip(server.port, get("/_squall/calls", headers: ["Authorization": "Bearer t0k"])).status == 200)
        }
        let api = ControlAPI(state: MockState(profile: FaultProfile(), profileText: "{}", seed: 1, timeScale: 1), token: nil)
        #expect(api.handle(.init(endpoint: .run, method: .POST, fromLoopback: false, body: Array(#"{"run":"abcdefgh"}"#.utf8))).status == 403)
        #expect(api.handle(.init(endpoint: .calls, method: .GET, fromLoopback: false)).status == 403)
    }
}
