@testable import MockLLM
import Reliability
import Testing

/// Every table of the mock is bounded in the number of distinct names or keys clients send.
@Suite struct BoundedStateTests {
    @Test func unknownModelNamesAreFoldedIntoOther() throws {
        var profile = FaultProfile()
        profile.models = ["gpt-4o-mini"]
        var labels = ModelLabels(profile: profile)
        #expect(labels.label("gpt-4o-mini") == "gpt-4o-mini")
        for i in 0..<ModelLabels.maxExtra { #expect(labels.label("m\(i)") == "m\(i)") }
        #expect(labels.label("one-too-many") == "other")
        #expect(labels.label("m3") == "m3")
        #expect(labels.label(String(repeating: "x", count: 2 << 20)) == "other")
        #expect(labels.folded == 2)
    }

    @Test func longModelNamesNeverBecomeLabelsInStats() throws {
        let state = MockState(profile: FaultProfile(), profileText: "{}", seed: 1, timeScale: 1)
        for i in 0..<40 {
            let model = String(repeating: Character(UnicodeScalar(UInt8(65 + i % 26))), count: 100_000) + "\(i)"
            _ = state.decide(FaultRequest(model: model, now: .zero), override: nil)
        }
        let stats = state.stats
        #expect(stats.total == 40)
        #expect(stats.modelsFolded == 40)
        #expect(Set(stats.series.keys.map(\.model)) == ["other"])
        #expect(stats.json(scenarioSeconds: 0).utf8.count < 2_000)
        #expect(state.metricsText().utf8.count < 8_000)
    }

    @Test func keyTableEvictsTheOldestKeyAndCountsIt() {
        var stats = MockStats(maxKeys: 3)
        for key in ["a", "b", "c", "a", "d", "e"] {
            stats.record(path: "/p", model: "m", status: 200, action: "ok", idempotencyKey: key, executed: true)
        }
        #expect(stats.keysTracked == 3)
        #expect(stats.keysEvicted == 2)
        #expect(Set(stats.requestsByKey.keys) == ["c", "d", "e"])  // a and b were inserted first
        #expect(stats.duplicateExecutions == 1)  // the second "a" while it was still held
        stats.record(
            path: "/p", model: "m", status: 200, action: "ok", idempotencyKey: String(repeating: "k", count: 300),
            executed: true)
        #expect(stats.keysTooLong == 1)
        #expect(stats.keysTracked == 3)
        let json = stats.json(scenarioSeconds: 0)
        #expect(json.contains("\"keys_evicted\":2"))
        #expect(json.contains("\"keys_max\":3"))
    }

    @Test func rateLimitBucketsAreBoundedPerModelName() {
        var limiter = RateLimiter(limits: ["*": RateLimits(rpm: 1)])
        // Two names sharing their first 256 bytes share a bucket set: the second is limited.
        let prefix = String(repeating: "p", count: 300)
        #expect(limiter.check(model: prefix + "a", apiKey: nil, tokens: 1, now: .zero).map(Self.allowed) == true)
        #expect(limiter.check(model: prefix + "b", apiKey: nil, tokens: 1, now: .zero).map(Self.allowed) == false)
        #expect(limiter.check(model: "short", apiKey: nil, tokens: 1, now: .zero).map(Self.allowed) == true)
    }

    static func allowed(_ d: RateLimitDecision) -> Bool {
        if case .allowed = d { return true }
        return false
    }

    @Test func resetClearsEveryTable() {
        let state = MockState(profile: FaultProfile(), profileText: "{}", seed: 1, timeScale: 1, maxKeys: 10)
        for i in 0..<50 {
            _ = state.decide(FaultRequest(model: "m\(i)", idempotencyKey: "k\(i)", now: .zero), override: nil)
        }
        #expect(state.stats.keysEvicted == 40)
        state.reset()
        let stats = state.stats
        #expect(stats.total == 0 && stats.keysTracked == 0 && stats.keysEvicted == 0 && stats.series.isEmpty)
        _ = state.decide(FaultRequest(model: "fresh", now: .zero), override: nil)
        #expect(state.stats.series.keys.map(\.model) == ["fresh"])  // the label table was reset too
    }
}

/// `/metrics` comes from swift-metrics + swift-prometheus with stable names.
@Suite struct MockMetricsTests {
    @Test func everyMetricNameIsExportedWithItsType() async throws {
        try await withServer(profile: "faults: [ { model: busy, status: 429 } ]") { server in
            for model in ["m", "m", "busy"] {
                _ = try roundTrip(server.port, post("/v1/chat/completions", chat(model), headers: ["Idempotency-Key": "k"]))
            }
            let text = try roundTrip(server.port, get("/metrics")).text
            #expect(
                MockMetrics.names == [
                    "squall_mock_requests_total", "squall_mock_completions_total",
                    "squall_mock_duplicate_executions_total", "squall_mock_idempotency_keys_evicted_total",
                    "squall_mock_models_folded_total", "squall_mock_connections_refused_total",
                    "squall_mock_idempotency_keys", "squall_mock_call_log_records", "squall_mock_response_seconds",
                ])
            for name in MockMetrics.names {
                let type = name.hasSuffix("_total") ? "counter" : (name.hasSuffix("_seconds") ? "histogram" : "gauge")
                #expect(text.contains("# TYPE \(name) \(type)\n"), "\(name)")
            }
            #expect(text.contains(#"squall_mock_requests_total{path="/v1/chat/completions",model="m",status="200",action="ok"} 2"#))
            #expect(text.contains(#"squall_mock_requests_total{path="/v1/chat/completions",model="busy",status="429",action="status_429"} 1"#))
            #expect(text.contains("squall_mock_completions_total 2\n"))
            #expect(text.contains("squall_mock_duplicate_executions_total 1\n"))
            #expect(text.contains("squall_mock_call_log_records 3.0\n"))
            #expect(text.contains(#"squall_mock_response_seconds_count{path="/v1/chat/completions"} 3"#))
            // A second scrape does not count twice.
            let again = try roundTrip(server.port, get("/metrics")).text
            #expect(again.contains("squall_mock_completions_total 2\n"))
            _ = try roundTrip(server.port, get("/_squall/reset", method: "POST"))
            let reset = try roundTrip(server.port, get("/metrics")).text
            #expect(reset.contains("squall_mock_completions_total 0\n"))
            #expect(!reset.contains("model=\"busy\""))
        }
    }
}
