import Foundation
@testable import MockLLM
import Testing

/// The HTTP edges of issue #12.5: message content, max_tokens limits, header timeouts.
@Suite struct HTTPEdgeTests {
    static func invalid(_ body: String) -> ChatRequest.Invalid? {
        do {
            _ = try ChatRequest.parse(Array(body.utf8))
            return nil
        } catch {
            return error
        }
    }

    @Test func aMessageWithoutContentIs400NamingTheParam() {
        let missing = Self.invalid(#"{"model":"m","messages":[{"role":"system","content":"x"},{"role":"user"}]}"#)
        #expect(missing?.param == "messages[1].content")
        #expect(missing?.code == "missing_required_parameter")
        #expect(missing?.message == "Missing required parameter: 'messages[1].content'.")
        let null = Self.invalid(#"{"model":"m","messages":[{"role":"user","content":null}]}"#)
        #expect(null?.param == "messages[0].content")
        #expect(null?.message == "Invalid value for 'content': expected a string, got null.")
    }

    @Test func assistantToolCallsMayHaveNullOrNoContentAsTheRealAPIAllows() throws {
        let call = #"{"id":"c1","type":"function","function":{"name":"f","arguments":"{}"}}"#
        for message in [
            #"{"role":"assistant","content":null,"tool_calls":[\#(call)]}"#,
            #"{"role":"assistant","tool_calls":[\#(call)]}"#,
            #"{"role":"assistant","content":null,"function_call":{"name":"f","arguments":"{}"}}"#,
            #"{"role":"function","name":"f","content":null}"#,
        ] {
            let body = #"{"model":"m","messages":[{"role":"user","content":"hi"},\#(message)]}"#
            #expect(Self.invalid(body) == nil, "\(message)")
        }
        // Without tool calls (or with an empty list) an assistant message still needs content.
        #expect(Self.invalid(#"{"model":"m","messages":[{"role":"assistant","content":null}]}"#)?.param == "messages[0].content")
        #expect(
            Self.invalid(#"{"model":"m","messages":[{"role":"assistant","content":null,"tool_calls":[]}]}"#)?.param
                == "messages[0].content")
    }

    @Test func maxTokensOverTheLimitNamesTheLimit() {
        let over = Self.invalid(#"{"model":"m","messages":[{"role":"user","content":"x"}],"max_tokens":10000001}"#)
        #expect(over?.param == "max_tokens")
        #expect(over?.code == "integer_above_max_value")
        #expect(over?.message.contains("Expected a value <= 10000000, but got 10000001 instead.") == true)
        let zero = Self.invalid(#"{"model":"m","messages":[{"role":"user","content":"x"}],"max_completion_tokens":0}"#)
        #expect(zero?.param == "max_completion_tokens")
        #expect(zero?.message.contains("Expected a value >= 1, but got 0 instead.") == true)
        #expect(Self.invalid(#"{"model":"m","messages":[{"role":"user","content":"x"}],"max_tokens":10000000}"#) == nil)
    }

    @Test func theseErrorsReachTheWireWithTheProviderShape() async throws {
        try await withServer { server in
            let r = try roundTrip(server.port, post("/v1/chat/completions", #"{"model":"m","messages":[{"role":"user"}]}"#))
            #expect(r.status == 400)
            let e = r.json?["error"] as? [String: Any]
            #expect(e?["param"] as? String == "messages[0].content")
            #expect(e?["code"] as? String == "missing_required_parameter")
            #expect(e?["type"] as? String == "invalid_request_error")
        }
    }

    @Test func aPartialHeaderBlockTimesOutWith408() async throws {
        try await withServer(configure: { $0.idleTimeout = .milliseconds(200) }) { server in
            let c = try RawConnection(port: server.port, timeout: 5)
            c.send("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Le")
            let r = c.readResponse()
            #expect(r.status == 408)
            #expect((r.json?["error"] as? [String: Any])?["code"] as? String == "request_timeout")
            #expect(c.readToEnd() == .closedEarly)
            // An idle connection (no byte sent) is still closed silently.
            let idle = try RawConnection(port: server.port, timeout: 5)
            let quiet = idle.readResponse()
            #expect(quiet.status == nil)
            #expect(!quiet.gotBytes)
        }
    }

    @Test func connectionsBeyondTheLimitGet503AtOnceAndExistingOnesKeepWorking() async throws {
        try await withServer(configure: { $0.maxConnections = 4 }) { server in
            var held: [RawConnection] = []
            for _ in 0..<4 {
                let c = try RawConnection(port: server.port)
                c.send(get("/v1/models"))
                #expect(c.readResponse().status == 200)
                held.append(c)
            }
            for _ in 0..<3 {
                let extra = try RawConnection(port: server.port, timeout: 5)
                let r = extra.readResponse()
                #expect(r.status == 503)
                #expect((r.json?["error"] as? [String: Any])?["code"] as? String == "too_many_connections")
                #expect(extra.readToEnd() == .closedEarly)
            }
            for c in held {
                c.send(post("/v1/chat/completions", chat("m")))
                #expect(c.readResponse().status == 200)
            }
            held.removeAll()
            // Closed connections free their places.
            var stats: [String: Any]?
            for _ in 0..<100 {
                let r = try roundTrip(server.port, get("/_squall/stats"))
                if r.status == 200 {
                    stats = r.json
                    break
                }
                try await Task.sleep(for: .milliseconds(20))
            }
            // 3, plus any stats request that came before the closed connections were counted out.
            #expect(stats?["connections_refused"] as? Int ?? 0 >= 3)
        }
    }
}
