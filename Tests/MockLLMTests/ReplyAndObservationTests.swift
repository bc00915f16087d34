@testable import MockLLM
import Reliability
import Testing

@Suite struct ReplyAndObservationTests {
    @Test func replyTextEstimatesToItsTokenCountAndChunksConcatenate() {
        for n in [1, 2, 17, 300] {
            let text = ReplyText.generate(tokens: n, seed: 99)
            #expect(ReplyText.estimateTokens(text) == n)
            let chunks = (0..<n).map { ReplyText.chunk(index: $0, of: n, seed: 99) }.joined()
            #expect(chunks == text)
        }
        #expect(ReplyText.generate(tokens: 5, seed: 1) == ReplyText.generate(tokens: 5, seed: 1))
        #expect(ReplyText.generate(tokens: 5, seed: 1) != ReplyText.generate(tokens: 5, seed: 2))
    }

    @Test func promptEstimateIsFourCharsPerTokenPlusOnePerMessage() {
        #expect(ReplyText.estimatePromptTokens(contents: ["12345678", "abc"]) == 2 + 1 + 1 + 1)
    }

    @Test func statusDecisionIsObservedWithItsHints() throws {
        var p = FaultPlan(profile: try FaultProfile.parse(
            "latency: 1s\nfaults: [ { status: 429, retry_after_ms: 1500, should_retry: true, body: insufficient_quota } ]",
            file: "t"))
        var rng = SquallRandom(seed: 3)
        let d = p.decide(FaultRequest(model: "m", now: .zero), rng: &rng)
        let o = d.observed(clientTimeout: .seconds(30), stream: false)
        #expect(o.outcome == .response(
            status: 429,
            headers: ResponseHints(retryAfter: .milliseconds(1500), shouldRetry: true, errorCode: "insufficient_quota")))
        #expect(o.duration == .seconds(1))
    }

    @Test func hangIsObservedAsTheClientTimeout() throws {
        var p = FaultPlan(profile: try FaultProfile.parse("faults: [ { drop: hang } ]", file: "t"))
        var rng = SquallRandom(seed: 3)
        let o = p.decide(FaultRequest(model: "m", now: .zero), rng: &rng).observed(clientTimeout: .seconds(7), stream: false)
        #expect(o == ObservedAttempt(outcome: .transport(.timeout), duration: .seconds(7)))
    }

    @Test func slowHealthyReplyBecomesTimeoutAndStreamsIncludeGaps() throws {
        var p = FaultPlan(profile: try FaultProfile.parse(
            "latency: 10s\nstream: { first_token: 1s, inter_token: 100ms }\nreply: { tokens: 11 }", file: "t"))
        var rng = SquallRandom(seed: 3)
        let slow = p.decide(FaultRequest(model: "m", now: .zero), rng: &rng)
        #expect(slow.observed(clientTimeout: .seconds(5), stream: false).outcome == .transport(.timeout))
        let s = p.decide(FaultRequest(model: "m", stream: true, promptTokens: 3, now: .zero), rng: &rng)
        let o = s.observed(clientTimeout: .seconds(5), stream: true)
        #expect(o == ObservedAttempt(outcome: .ok, duration: .seconds(2), promptTokens: 3, completionTokens: 11))
    }

    @Test func connectionFaultsMapToTransportFailures() throws {
        let cases: [(String, TransportFailure)] = [
            ("reset", .reset), ("malformed", .malformed), ("empty", .malformed), ("truncate", .truncated),
        ]
        for (kind, expected) in cases {
            var p = FaultPlan(profile: try FaultProfile.parse("faults: [ { drop: \(kind) } ]", file: "t"))
            var rng = SquallRandom(seed: 3)
            let o = p.decide(FaultRequest(model: "m", now: .zero), rng: &rng).observed(clientTimeout: .seconds(5), stream: false)
            #expect(o.outcome == .transport(expected), "\(kind)")
        }
    }

    @Test func requestIDsAreReqAnd16LowerCaseHexDigits() {
        var source = SplitMix64(seed: 7)
        for v in [0, 1, 0xABC, UInt64.max, 0x0123_4567_89AB_CDEF] + (0..<100).map({ _ in source.next() }) {
            #expect(MockWire.requestID(v) == "req_" + MockWire.hex(v, width: 16), "\(v)")
        }
        #expect(MockWire.requestID(0xABC) == "req_0000000000000abc")
    }
}
