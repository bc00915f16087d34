import MockLLM
import Reliability
import Testing

@Suite struct FaultPlanTests {
    func plan(_ yaml: String) throws -> FaultPlan { FaultPlan(profile: try FaultProfile.parse(yaml, file: "t")) }

    func status(_ d: FaultDecision) -> Int? { if case .status(let s) = d.action { return s.status } else { return nil } }

    @Test func outageWindowFiresOnlyInsideIt() throws {
        var p = try plan("faults: [ { during: 20m..25m, status: 503 } ]")
        var rng = SquallRandom(seed: 1)
        #expect(status(p.decide(FaultRequest(model: "m", now: .seconds(1199)), rng: &rng)) == nil)
        #expect(status(p.decide(FaultRequest(model: "m", now: .seconds(1200)), rng: &rng)) == 503)
        #expect(status(p.decide(FaultRequest(model: "m", now: .seconds(1499)), rng: &rng)) == 503)
        #expect(status(p.decide(FaultRequest(model: "m", now: .seconds(1500)), rng: &rng)) == nil)
    }

    @Test func attemptMatcherFailsOnlyTheFirstTryOfThatModel() throws {
        var p = try plan("faults: [ { model: big, attempt: 1, status: 500 } ]")
        var rng = SquallRandom(seed: 1)
        #expect(status(p.decide(FaultRequest(model: "big", attempt: 1, now: .zero), rng: &rng)) == 500)
        #expect(status(p.decide(FaultRequest(model: "big", attempt: 2, now: .zero), rng: &rng)) == nil)
        #expect(status(p.decide(FaultRequest(model: "small", attempt: 1, now: .zero), rng: &rng)) == nil)
    }

    @Test func everyNthFiresOnMultiples() throws {
        var p = try plan("faults: [ { every_nth: 3, status: 502 } ]")
        var rng = SquallRandom(seed: 1)
        let fired = (1...9).map { _ in status(p.decide(FaultRequest(model: "m", now: .zero), rng: &rng)) == 502 }
        #expect(fired == [false, false, true, false, false, true, false, false, true])
    }

    @Test func firstKPerKeyCountsEachIdempotencyKeySeparately() throws {
        var p = try plan("faults: [ { first_k_per_key: 2, status: 429, retry_after_ms: 100 } ]")
        var rng = SquallRandom(seed: 1)
        func s(_ key: String) -> Int? { status(p.decide(FaultRequest(model: "m", idempotencyKey: key, now: .zero), rng: &rng)) }
        #expect([s("a"), s("a"), s("b"), s("a"), s("b"), s("b")] == [429, 429, 429, nil, 429, nil])
    }

    @Test func latencyRulesAddAndTheFirstOutcomeEnds() throws {
        var p = try plan(
            """
            faults:
              - { latency: { fixed: 1s } }
              - { latency: { fixed: 2s }, status: 503 }
              - { status: 500 }
            """)
        var rng = SquallRandom(seed: 1)
        let d = p.decide(FaultRequest(model: "m", now: .zero), rng: &rng)
        #expect(d.delay == .seconds(3))
        #expect(status(d) == 503)
        #expect(d.rule == 1)
        #expect(d.firedRules == [0, 1])
        #expect(d.label == "status_503")
    }

    @Test func probabilisticRulesAreDeterministicForASeed() throws {
        let yaml = "faults: [ { rate: 30%, drop: reset } ]"
        func run(seed: UInt64) throws -> [Bool] {
            var p = try plan(yaml)
            var rng = SquallRandom(seed: seed)
            return (0..<1000).map { _ in p.decide(FaultRequest(model: "m", now: .zero), rng: &rng).label == "reset" }
        }
        let a = try run(seed: 42)
        #expect(a == (try run(seed: 42)))
        #expect(a != (try run(seed: 43)))
        let count = a.filter { $0 }.count
        #expect(count > 240 && count < 360)
    }

    @Test func replyIsCappedByMaxTokensWithFinishReasonLength() throws {
        var p = try plan("reply: { tokens: 50 }")
        var rng = SquallRandom(seed: 1)
        let capped = p.decide(FaultRequest(model: "m", promptTokens: 7, maxTokens: 20, now: .zero), rng: &rng)
        guard case .healthy(let r) = capped.action else { Issue.record("not healthy"); return }
        #expect(r.completionTokens == 20)
        #expect(r.finishReason == "length")
        #expect(r.promptTokens == 7)
        let free = p.decide(FaultRequest(model: "m", maxTokens: 100, now: .zero), rng: &rng)
        guard case .healthy(let r2) = free.action else { Issue.record("not healthy"); return }
        #expect(r2.completionTokens == 50)
        #expect(r2.finishReason == "stop")
    }

    @Test func streamsDrawFirstTokenLatencyAndGaps() throws {
        var p = try plan("latency: 5s\nstream: { first_token: 200ms, inter_token: 10ms }\nreply: { tokens: 4 }")
        var rng = SquallRandom(seed: 1)
        let d = p.decide(FaultRequest(model: "m", stream: true, now: .zero), rng: &rng)
        #expect(d.delay == .milliseconds(200))
        guard case .healthy(let r) = d.action else { Issue.record("not healthy"); return }
        #expect(r.gaps == Array(repeating: .milliseconds(10), count: 3))
        let n = p.decide(FaultRequest(model: "m", stream: false, now: .zero), rng: &rng)
        #expect(n.delay == .seconds(5))
    }

    @Test func rateLimiterAnswers429WithRetryAfterWhenOverRPM() throws {
        var p = try plan("rate_limits: { m: { rpm: 2 } }")
        var rng = SquallRandom(seed: 1)
        #expect(status(p.decide(FaultRequest(model: "m", now: .zero), rng: &rng)) == nil)
        #expect(status(p.decide(FaultRequest(model: "m", now: .zero), rng: &rng)) == nil)
        let limited = p.decide(FaultRequest(model: "m", now: .zero), rng: &rng)
        guard case .status(let s) = limited.action else { Issue.record("not limited"); return }
        #expect(s.status == 429)
        #expect(s.body == .requests)
        #expect(s.retryAfter == .seconds(30))
        #expect(s.retryAfterMs == .milliseconds(30000))
        #expect(limited.label == "rate_limited")
        #expect(status(p.decide(FaultRequest(model: "m", now: .seconds(30)), rng: &rng)) == nil)
    }

    @Test func faultRulesMatchOnlyTheirStreamKind() throws {
        var p = try plan("faults: [ { drop: stream_error, after_chunks: 1 } ]")
        var rng = SquallRandom(seed: 1)
        #expect(p.decide(FaultRequest(model: "m", stream: false, now: .zero), rng: &rng).label == "ok")
        #expect(p.decide(FaultRequest(model: "m", stream: true, now: .zero), rng: &rng).label == "stream_error")
    }

    @Test func resetClearsCounters() throws {
        var p = try plan("faults: [ { first_k_per_key: 1, status: 500 } ]")
        var rng = SquallRandom(seed: 1)
        #expect(status(p.decide(FaultRequest(model: "m", now: .zero), rng: &rng)) == 500)
        #expect(status(p.decide(FaultRequest(model: "m", now: .zero), rng: &rng)) == nil)
        p.reset()
        #expect(status(p.decide(FaultRequest(model: "m", now: .zero), rng: &rng)) == 500)
    }
}
