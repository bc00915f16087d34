import MockLLM
import Reliability
import Testing
import YAMLConfig

@Suite struct FaultProfileDecodingTests {
    static let example = """
        latency: { lognormal: { median: 800ms, p99: 6s } }
        stream: { first_token: { fixed: 300ms }, inter_token: { uniform: { min: 10ms, max: 30ms } } }
        reply: { tokens: { uniform: { min: 20, max: 300 } } }
        header_style: groq
        attempt_header: { name: X-Attempt, first: 1 }
        faults:
          - { during: 20m..25m, status: 503 }
          - { rate: 1%, status: 429, retry_after: 2s, body: tokens }
          - { rate: 0.2%, drop: reset }
          - { model: llama-3.3-70b-versatile, attempt: 1, status: 500 }
          - { rate: 5%, latency: { fixed: 10s } }
          - { status: 503, should_retry: false, every_nth: 7 }
          - { drop: truncate, after_chunks: 3 }
          - { drop: drip, bytes_per_second: 10 }
          - { status: 429, retry_after_ms: 1500, first_k_per_key: 2 }
        rate_limits:
          llama-3.1-8b-instant: { rpm: 300, tpm: 60000, rpd: 14400, per_key: true }
        """

    @Test func decodesTheDocumentedExample() throws {
        let p = try FaultProfile.parse(Self.example, file: "p.yaml")
        #expect(p.latency == .lognormal(median: .milliseconds(800), p99: .seconds(6)))
        #expect(p.firstToken == .fixed(.milliseconds(300)))
        #expect(p.interToken == .uniform(min: .milliseconds(10), max: .milliseconds(30)))
        #expect(p.replyTokens == .uniform(min: 20, max: 300))
        #expect(p.headerStyle == .groq)
        #expect(p.attemptHeader == "x-attempt")
        #expect(p.attemptHeaderFirst == 1)
        #expect(p.faults.count == 9)
        #expect(p.faults[0].during == DurationRange(.seconds(1200), .seconds(1500)))
        #expect(p.faults[0].outcome == .status(StatusFault(status: 503)))
        #expect(p.faults[1].rate == 0.01)
        #expect(p.faults[1].outcome == .status(StatusFault(status: 429, body: .tokens, retryAfter: .seconds(2))))
        #expect(p.faults[2].outcome == .connection(.reset))
        #expect(abs(p.faults[2].rate - 0.002) < 1e-12)
        #expect(p.faults[3].model == "llama-3.3-70b-versatile")
        #expect(p.faults[3].attempts == 1...1)
        #expect(p.faults[4].latency == .fixed(.seconds(10)))
        #expect(p.faults[4].outcome == nil)
        #expect(p.faults[5].outcome == .status(StatusFault(status: 503, shouldRetry: false)))
        #expect(p.faults[5].everyNth == 7)
        #expect(p.faults[6].outcome == .connection(.truncate(afterBytes: 16, afterChunks: 3)))
        #expect(p.faults[6].stream == true)
        #expect(p.faults[7].outcome == .connection(.drip(bytesPerSecond: 10)))
        #expect(p.faults[8].outcome == .status(StatusFault(status: 429, retryAfterMs: .milliseconds(1500))))
        #expect(p.faults[8].firstKPerKey == 2)
        #expect(p.rateLimits["llama-3.1-8b-instant"] == RateLimits(rpm: 300, rpd: 14400, tpm: 60000, perKey: true))
    }

    @Test func unknownKeyNamesLineColumnAndSuggestion() {
        let text = "faults:\n  - { status: 503, retry_aftr: 2s }\n"
        #expect {
            _ = try FaultProfile.parse(text, file: "p.yaml")
        } throws: { error in
            let e = error as! ConfigError
            return e.line == 2 && e.column == 20 && e.suggestion == "retry_after" && e.path == "faults[0].retry_aftr"
                && e.description.hasPrefix("p.yaml:2:20: ")
        }
    }

    @Test func ruleWithoutActionIsRejected() {
        #expect(throws: ConfigError.self) { try FaultProfile.parse("faults: [ { rate: 5% } ]", file: "p") }
    }

    @Test func statusAndDropTogetherAreRejected() {
        #expect(throws: ConfigError.self) { try FaultProfile.parse("faults: [ { status: 503, drop: reset } ]", file: "p") }
    }

    @Test func retryAfterWithoutStatusIsRejected() {
        #expect(throws: ConfigError.self) { try FaultProfile.parse("faults: [ { drop: reset, retry_after: 1s } ]", file: "p") }
    }

    @Test func badDropKindSuggestsTheNearest() {
        #expect {
            _ = try FaultProfile.parse("faults: [ { drop: rest } ]", file: "p")
        } throws: { error in (error as! ConfigError).suggestion == "reset" }
    }

    @Test func statusOutsideErrorRangeIsRejected() {
        #expect(throws: ConfigError.self) { try FaultProfile.parse("faults: [ { status: 200 } ]", file: "p") }
    }

    @Test func latencyDistributionNeedsExactlyOneForm() {
        #expect(throws: ConfigError.self) { try FaultProfile.parse("latency: { fixed: 1s, exponential: { mean: 1s } }", file: "p") }
        #expect(throws: ConfigError.self) { try FaultProfile.parse("latency: { lognormal: { median: 2s, p99: 1s } }", file: "p") }
    }

    @Test func allLatencyFormsDecode() throws {
        func lat(_ s: String) throws -> LatencyDistribution { try FaultProfile.parse("latency: " + s, file: "p").latency }
        #expect(try lat("250ms") == .fixed(.milliseconds(250)))
        #expect(try lat("{ normal: { mean: 1s, stddev: 100ms } }") == .normal(mean: .seconds(1), stddev: .milliseconds(100)))
        #expect(try lat("{ exponential: { mean: 2s } }") == .exponential(mean: .seconds(2)))
        #expect(try lat("{ pareto: { min: 100ms, alpha: 1.5 } }") == .pareto(min: .milliseconds(100), alpha: 1.5))
    }

    @Test func attemptRangesDecode() throws {
        let p = try FaultProfile.parse("faults: [ { attempt: 2.., status: 500 }, { attempt: 1..2, status: 502 } ]", file: "p")
        #expect(p.faults[0].attempts == 2...Int.max)
        #expect(p.faults[1].attempts == 1...2)
        #expect(throws: ConfigError.self) { try FaultProfile.parse("faults: [ { attempt: 0, status: 500 } ]", file: "p") }
    }

    @Test func emptyRateLimitEntryIsRejected() {
        #expect(throws: ConfigError.self) { try FaultProfile.parse("rate_limits: { m: { per_key: true } }", file: "p") }
    }

    @Test func jsonProfilesDecodeToo() throws {
        let p = try FaultProfile.parse(#"{"faults": [{"status": 503, "rate": "50%"}]}"#, file: "body")
        #expect(p.faults.first?.rate == 0.5)
    }
}
