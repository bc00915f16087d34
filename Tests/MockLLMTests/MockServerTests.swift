import Foundation
import MockLLM
import Reliability
import Testing

/// Starts a server on an ephemeral loopback port, runs `body`, stops it.
func withServer<T>(
    profile yaml: String = "{}", configure: (inout MockServerConfig) -> Void = { _ in },
    _ body: (MockServer) async throws -> T
) async throws -> T {
    var config = MockServerConfig()
    config.port = 0
    config.threads = 2
    config.profile = try FaultProfile.parse(yaml, file: "test-profile")
    config.profileText = yaml
    configure(&config)
    let server = try await MockServer.start(config)
    do {
        let result = try await body(server)
        await server.stop()
        return result
    } catch {
        await server.stop()
        throw error
    }
}

@Suite(.serialized) struct MockServerTests {
    @Test func healthyCompletionHasTheProviderShape() async throws {
        try await withServer(profile: "reply: { tokens: 12 }") { server in
            let r = try roundTrip(server.port, post("/v1/chat/completions", chat("gpt-4o-mini", content: "12345678")))
            #expect(r.status == 200)
            #expect(r.header("content-type") == "application/json")
            #expect(r.header("x-request-id")?.hasPrefix("req_") == true)
            let j = try #require(r.json)
            #expect(j["object"] as? String == "chat.completion")
            #expect(j["model"] as? String == "gpt-4o-mini")
            #expect((j["id"] as? String)?.hasPrefix("chatcmpl-") == true)
            let choice = try #require((j["choices"] as? [[String: Any]])?.first)
            #expect(choice["finish_reason"] as? String == "stop")
            let message = try #require(choice["message"] as? [String: Any])
            #expect(message["role"] as? String == "assistant")
            let content = try #require(message["content"] as? String)
            #expect(ReplyText.estimateTokens(content) == 12)
            let usage = try #require(j["usage"] as? [String: Int])
            #expect(usage == ["prompt_tokens": 3, "completion_tokens": 12, "total_tokens": 15])
        }
    }

    @Test func keepAliveServesSeveralRequestsOnOneConnection() async throws {
        try await withServer { server in
            let c = try RawConnection(port: server.port)
            for _ in 0..<3 {
                c.send(post("/v1/chat/completions", chat("m")))
                let r = c.readResponse()
                #expect(r.status == 200)
                #expect(r.end == .complete)
            }
            c.send(get("/v1/models"))
            let models = c.readResponse()
            #expect(models.status == 200)
            #expect((models.json?["data"] as? [[String: Any]])?.count == 3)
        }
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
        try await withServer(profile: "latency: 5ms\nreply: { tokens: 2 }") { server in
            let c = try RawConnection(port: server.port)
            c.send(post("/v1/chat/completions", chat("first")) + get("/v1/models") + post("/v1/chat/completions", chat("third")))
            let a = c.readResponse()
            let b = c.readResponse()
            let d = c.readResponse()
            #expect(a.json?["model"] as? String == "first")
            #expect(b.json?["object"] as? String == "list")
            #expect(d.json?["model"] as? String == "third")
        }
    }

    @Test func http10ClientsGetCloseDelimitedStreams() async throws {
        try await withServer(profile: "reply: { tokens: 3 }") { server in
            let c = try RawConnection(port: server.port)
            let body = chat("m", stream: true)
            c.send("POST /v1/chat/completions HTTP/1.0\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body)
            let r = c.readResponse()
            #expect(r.status == 200)
            #expect(r.header("transfer-encoding") == nil)
            #expect(r.end == .complete)  // no content-length: the body ends when the server closes
            #expect(sseData(r.body).last == "[DONE]")
        }
    }

    @Test func streamSendsChunksUsageAndDone() async throws {
        try await withServer(profile: "reply: { tokens: 5 }\nstream: { first_token: 5ms, inter_token: 1ms }") { server in
            let r = try roundTrip(server.port, post("/v1/chat/completions", chat("m", stream: true, includeUsage: true)))
            #expect(r.status == 200)
            #expect(r.header("content-type")?.hasPrefix("text/event-stream") == true)
            #expect(r.end == .complete)
            let data = sseData(r.body)
            #expect(data.last == "[DONE]")
            let chunks = data.dropLast().compactMap {
                (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
            }
            #expect(chunks.count == 5 + 2)  // 5 content chunks, the finish chunk, the usage chunk
            #expect(Set(chunks.compactMap { $0["id"] as? String }).count == 1)
            #expect(chunks.allSatisfy { $0["object"] as? String == "chat.completion.chunk" })
            var text = ""
            for c in chunks.prefix(5) {
                let delta = ((c["choices"] as? [[String: Any]])?.first?["delta"] as? [String: Any]) ?? [:]
                text += delta["content"] as? String ?? ""
                #expect(c["usage"] is NSNull)
            }
            #expect(ReplyText.estimateTokens(text) == 5)
            let finish = (chunks[5]["choices"] as? [[String: Any]])?.first?["finish_reason"] as? String
            #expect(finish == "stop")
            #expect((chunks[6]["choices"] as? [Any])?.isEmpty == true)
            #expect((chunks[6]["usage"] as? [String: Int])?["completion_tokens"] == 5)
        }
    }

    @Test func groqPathStreamsCarryXGroqAndGroqStyleHeaders() async throws {
        try await withServer(profile: "reply: { tokens: 2 }\nrate_limits: { m: { rpm: 30, rpd: 1000, tpm: 6000 } }") { server in
            let r = try roundTrip(server.port, post("/openai/v1/chat/completions", chat("m", stream: true)))
            #expect(r.status == 200)
            #expect(r.header("x-ratelimit-limit-requests") == "1000")
            #expect(r.header("x-ratelimit-remaining-requests") == "999")
            #expect(r.header("x-ratelimit-limit-tokens") == "6000")
            let first = sseData(r.body).first ?? ""
            #expect(first.contains("\"x_groq\":{\"id\":\"req_"))
            let o = try roundTrip(server.port, post("/v1/chat/completions", chat("m")))
            #expect(o.header("x-ratelimit-limit-requests") == "30")
            #expect(o.header("x-ratelimit-remaining-requests") == "28")
        }
    }

    @Test func maxTokensCapsTheReplyWithFinishReasonLength() async throws {
        try await withServer(profile: "reply: { tokens: 40 }") { server in
            let r = try roundTrip(server.port, post("/v1/chat/completions", chat("m", maxTokens: 7)))
            let choice = (r.json?["choices"] as? [[String: Any]])?.first
            #expect(choice?["finish_reason"] as? String == "length")
            #expect((r.json?["usage"] as? [String: Int])?["completion_tokens"] == 7)
        }
    }

    @Test func rateLimitAnswers429WithRetryAfterAndRateLimitHeaders() async throws {
        try await withServer(profile: "rate_limits: { m: { rpm: 2, tpm: 100000 } }\nheader_style: openai") { server in
            for _ in 0..<2 {
                #expect(try roundTrip(server.port, post("/v1/chat/completions", chat("m"))).status == 200)
            }
            let r = try roundTrip(server.port, post("/v1/chat/completions", chat("m")))
            #expect(r.status == 429)
            #expect(r.header("retry-after") == "30")
            // Live clock: the bucket refilled a little between requests.
            let ms = Double(r.header("retry-after-ms") ?? "") ?? -1
            #expect(ms > 29_000 && ms <= 30_000)
            #expect(r.header("x-ratelimit-remaining-requests") == "0")
            let reset = try DurationFormat.parse(r.header("x-ratelimit-reset-requests") ?? "")
            #expect(reset > .seconds(59) && reset <= .seconds(60))
            let err = r.json?["error"] as? [String: Any]
            #expect(err?["code"] as? String == "rate_limit_exceeded")
            #expect(err?["type"] as? String == "requests")
        }
    }

    @Test func requestOverTPMGets413() async throws {
        try await withServer(profile: "rate_limits: { m: { tpm: 100 } }") { server in
            let r = try roundTrip(server.port, post("/v1/chat/completions", chat("m", maxTokens: 500)))
            #expect(r.status == 413)
            #expect((r.json?["error"] as? [String: Any])?["message"] as? String == "Request too large for model `m` on tokens per minute (TPM): Limit 100, Requested 500, please reduce your message size and try again.")
        }
    }

    // MARK: Fault actions on the wire

    static let faultProfile = """
        faults:
          - { model: s503, status: 503, should_retry: false }
          - { model: s429, status: 429, retry_after: 2s, retry_after_ms: 1500, body: tokens }
          - { model: quota, status: 429, body: insufficient_quota }
          - { model: s498, status: 498 }
          - { model: reset, drop: reset }
          - { model: trunc, drop: truncate, after_bytes: 10 }
          - { model: trunc-stream, drop: truncate, after_chunks: 2 }
          - { model: hang, drop: hang }
          - { model: drip, drop: drip, bytes_per_second: 20000 }
          - { model: malformed, drop: malformed }
          - { model: empty, drop: empty }
          - { model: stream-error, drop: stream_error, after_chunks: 1 }
          - { model: slow, latency: { fixed: 20s }, status: 500 }
          - { model: flaky, attempt: 1, status: 500 }
        reply: { tokens: 6 }
        """

    @Test func statusFaultsCarryProviderBodiesAndHeaders() async throws {
        try await withServer(profile: Self.faultProfile) { server in
            let a = try roundTrip(server.port, post("/v1/chat/completions", chat("s503")))
            #expect(a.status == 503)
            #expect(a.header("x-should-retry") == "false")
            #expect((a.json?["error"] as? [String: Any])?["type"] as? String == "server_error")
            let b = try roundTrip(server.port, post("/v1/chat/completions", chat("s429")))
            #expect(b.status == 429)
            #expect(b.header("retry-after") == "2")
            #expect(b.header("retry-after-ms") == "1500")
            #expect((b.json?["error"] as? [String: Any])?["type"] as? String == "tokens")
            let c = try roundTrip(server.port, post("/v1/chat/completions", chat("quota")))
            #expect((c.json?["error"] as? [String: Any])?["code"] as? String == "insufficient_quota")
            let d = try roundTrip(server.port, post("/openai/v1/chat/completions", chat("s498")))
            #expect(d.status == 498)
        }
    }

    @Test func resetSendsRSTBeforeAnyByte() async throws {
        try await withServer(profile: Self.faultProfile) { server in
            let r = try roundTrip(server.port, post("/v1/chat/completions", chat("reset")))
            #expect(r.end == .reset)
            #expect(!r.gotBytes)
        }
    }

    @Test func truncateClosesAfterTheConfiguredBodyBytes() async throws {
        try await withServer(profile: Self.faultProfile) { server in
            let r = try roundTrip(server.port, post("/v1/chat/completions", chat("trunc")))
            #expect(r.status == 200)
            #expect(r.end == .closedEarly)
            #expect(r.body.count == 10)
            #expect(Int(r.header("content-length") ?? "0")! > 10)
        }
    }

    @Test func truncateStreamClosesAfterChunksWithoutTerminator() async throws {
        try await withServer(profile: Self.faultProfile) { server in
            let r = try roundTrip(server.port, post("/v1/chat/completions", chat("trunc-stream", stream: true)))
            #expect(r.status == 200)
            #expect(r.end == .closedEarly)
            #expect(sseData(r.body).count == 2)
        }
    }

    @Test func hangNeverAnswers() async throws {
        try await withServer(profile: Self.faultProfile) { server in
            let r = try roundTrip(server.port, post("/v1/chat/completions", chat("hang")), timeout: 0.3)
            #expect(r.end == .timeout)
            #expect(!r.gotBytes)
        }
    }

    @Test func dripDeliversTheWholeValidBody() async throws {
        try await withServer(profile: Self.faultProfile) { server in
            let r = try roundTrip(server.port, post("/v1/chat/completions", chat("drip")))
            #expect(r.status == 200)
            #expect(r.end == .complete)
            #expect(r.json?["object"] as? String == "chat.completion")
        }
    }

    @Test func malformedBodyIsNotJSON() async throws {
        try await withServer(profile: Self.faultProfile) { server in
            let r = try roundTrip(server.port, post("/v1/chat/completions", chat("malformed")))
            #expect(r.status == 200)
            #expect(r.end == .complete)
            #expect(!r.body.isEmpty)
            #expect(r.json == nil)
            let s = try roundTrip(server.port, post("/v1/chat/completions", chat("malformed", stream: true)))
            let data = sseData(s.body)
            #expect(data.last == "[DONE]")
            #expect(data.dropLast().contains { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) == nil })
        }
    }

    @Test func emptyIsA200WithNoBody() async throws {
        try await withServer(profile: Self.faultProfile) { server in
            let r = try roundTrip(server.port, post("/v1/chat/completions", chat("empty")))
            #expect(r.status == 200)
            #expect(r.header("content-length") == "0")
            #expect(r.body.isEmpty)
        }
    }

    @Test func streamErrorSendsAnErrorEventMidStream() async throws {
        try await withServer(profile: Self.faultProfile) { server in
            let r = try roundTrip(server.port, post("/v1/chat/completions", chat("stream-error", stream: true)))
            #expect(r.end == .complete)
            let data = sseData(r.body)
            #expect(data.count == 2)
            #expect(data[1].hasPrefix("{\"error\":{"))
            #expect(!data.contains("[DONE]"))
        }
    }

    @Test func attemptHeaderSelectsTheFirstTryOnly() async throws {
        try await withServer(profile: Self.faultProfile) { server in
            let first = try roundTrip(
                server.port, post("/v1/chat/completions", chat("flaky"), headers: ["x-stainless-retry-count": "0"]))
            #expect(first.status == 500)
            let retry = try roundTrip(
                server.port, post("/v1/chat/completions", chat("flaky"), headers: ["x-stainless-retry-count": "1"]))
            #expect(retry.status == 200)
        }
    }

    @Test func timeScaleDividesConfiguredLatency() async throws {
        // 20 s of scenario latency at time scale 1000 is 20 ms of real time, well inside the 5 s client timeout.
        try await withServer(profile: Self.faultProfile, configure: { $0.timeScale = 1000 }) { server in
            let r = try roundTrip(server.port, post("/v1/chat/completions", chat("slow")), timeout: 5)
            #expect(r.status == 500)
        }
    }

    @Test func faultHeaderIsHonouredOnlyWhenAllowed() async throws {
        try await withServer { server in
            let r = try roundTrip(server.port, post("/v1/chat/completions", chat("m"), headers: ["x-squall-fault": "status=503"]))
            #expect(r.status == 200)
        }
        try await withServer(configure: { $0.allowFaultHeader = true }) { server in
            let r = try roundTrip(server.port, post("/v1/chat/completions", chat("m"), headers: ["x-squall-fault": "status=503"]))
            #expect(r.status == 503)
            let bad = try roundTrip(server.port, post("/v1/chat/completions", chat("m"), headers: ["x-squall-fault": "stat=503"]))
            #expect(bad.status == 400)
            #expect(((bad.json?["error"] as? [String: Any])?["message"] as? String)?.contains("did you mean 'status'") == true)
        }
    }

    // MARK: Bad input

    @Test func badBodiesGet400NamingTheField() async throws {
        try await withServer { server in
            let cases: [(String, String?)] = [
                ("{not json", nil),
                ("[1,2]", nil),
                (#"{"messages":[{"role":"user","content":"x"}]}"#, "model"),
                (#"{"model":"m"}"#, "messages"),
                (#"{"model":"m","messages":"hi"}"#, "messages"),
                (#"{"model":"m","messages":[{"content":"x"}]}"#, "messages[0].role"),
                (#"{"model":"m","messages":[{"role":"user","content":5}]}"#, "messages[0].content"),
                (#"{"model":"m","messages":[{"role":"user","content":"x"}],"stream":"yes"}"#, "stream"),
                (#"{"model":"m","messages":[{"role":"user","content":"x"}],"max_tokens":1.5}"#, "max_tokens"),
            ]
            for (body, param) in cases {
                let r = try roundTrip(server.port, post("/v1/chat/completions", body))
                #expect(r.status == 400, "\(body)")
                let err = r.json?["error"] as? [String: Any]
                #expect(err?["type"] as? String == "invalid_request_error")
                #expect((err?["param"] as? String) == param, "\(body)")
            }
        }
    }

    @Test func oversizedBodyGets413() async throws {
        try await withServer(configure: { $0.maxBodyBytes = 1000 }) { server in
            let big = chat("m", content: String(repeating: "x", count: 5000))
            let r = try roundTrip(server.port, post("/v1/chat/completions", big))
            #expect(r.status == 413)
        }
    }

    @Test func unknownPathIs404AndWrongMethodIs405() async throws {
        try await withServer { server in
            let a = try roundTrip(server.port, get("/v2/things"))
            #expect(a.status == 404)
            #expect(a.json?["error"] != nil)
            let b = try roundTrip(server.port, get("/v1/chat/completions"))
            #expect(b.status == 405)
            #expect(b.header("allow") == "POST")
        }
    }

    @Test func idleAndSlowClientsAreTimedOut() async throws {
        try await withServer(configure: { $0.idleTimeout = .milliseconds(200) }) { server in
            let idle = try RawConnection(port: server.port, timeout: 5)
            #expect(idle.readToEnd() == .closedEarly)
            let slow = try RawConnection(port: server.port, timeout: 5)
            slow.send("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"mo")
            let r = slow.readResponse()
            #expect(r.status == 408)
        }
    }

    // MARK: Control API

    @Test func profileCanBeReadAndReplacedWhileRunning() async throws {
        try await withServer(profile: "reply: { tokens: 3 }\n") { server in
            let current = try roundTrip(server.port, get("/_squall/profile"))
            #expect(current.text == "reply: { tokens: 3 }\n")
            let bad = try roundTrip(server.port, "PUT /_squall/profile HTTP/1.1\r\nHost: x\r\nContent-Length: 26\r\n\r\nfaults: [ { status: 99 } ]")
            #expect(bad.status == 400)
            let message = (bad.json?["error"] as? [String: Any])?["message"] as? String
            #expect(message?.hasPrefix("<request body>:1:21: faults[0].status: 99 is out of range") == true)
            let body = #"{"faults":[{"status":502}]}"#
            let ok = try roundTrip(server.port, "PUT /_squall/profile HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
            #expect(ok.status == 200)
            #expect(try roundTrip(server.port, post("/v1/chat/completions", chat("m"))).status == 502)
        }
    }

    @Test func statsCountExecutionsPerIdempotencyKey() async throws {
        try await withServer(profile: "faults: [ { key: fail-once, first_k_per_key: 1, status: 500 } ]") { server in
            for key in ["a", "a", "b", "fail-once", "fail-once"] {
                _ = try roundTrip(server.port, post("/v1/chat/completions", chat("m"), headers: ["Idempotency-Key": key]))
            }
            _ = try roundTrip(server.port, post("/v1/chat/completions", chat("m"), headers: ["x-idempotency-key": "c"]))
            let stats = try #require(try roundTrip(server.port, get("/_squall/stats")).json)
            #expect(stats["executions_by_key"] as? [String: Int] == ["a": 2, "b": 1, "fail-once": 1, "c": 1])
            #expect(stats["requests_by_key"] as? [String: Int] == ["a": 2, "b": 1, "fail-once": 2, "c": 1])
            #expect(stats["duplicate_executions"] as? Int == 1)
            #expect((stats["by_status"] as? [String: Int])?["500"] == 1)
            #expect((stats["by_action"] as? [String: Int])?["status_500"] == 1)
            #expect((stats["by_model"] as? [String: Int])?["m"] == 6)
            let metrics = try roundTrip(server.port, get("/metrics"))
            #expect(metrics.text.contains(#"squall_mock_requests_total{path="/v1/chat/completions",model="m",status="200",action="ok"} 5"#))
            let reset = try roundTrip(server.port, get("/_squall/reset", method: "POST"))
            #expect(reset.status == 200)
            let after = try #require(try roundTrip(server.port, get("/_squall/stats")).json)
            #expect(after["requests_total"] as? Int == 0)
        }
    }

    @Test func controlTokenIsRequiredWhenSet() async throws {
        try await withServer(configure: { $0.controlToken = "s3cret" }) { server in
            let none = try roundTrip(server.port, get("/_squall/stats"))
            #expect(none.status == 401)
            let wrong = try roundTrip(server.port, get("/_squall/stats", headers: ["Authorization": "Bearer nope"]))
            #expect(wrong.status == 401)
            let right = try roundTrip(server.port, get("/_squall/stats", headers: ["Authorization": "Bearer s3cret"]))
            #expect(right.status == 200)
        }
    }

    @Test func portInUseFailsToStart() async throws {
        try await withServer { server in
            var config = MockServerConfig()
            config.port = server.port
            await #expect(throws: MockServerError.self) { _ = try await MockServer.start(config) }
        }
    }
}
