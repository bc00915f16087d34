import MockLLM
import Reliability
import Testing

@Suite struct RateLimiterTests {
    @Test func headersShowLiveRemainingAndGoStyleReset() {
        var l = RateLimiter(limits: ["m": RateLimits(rpm: 60, tpm: 6000)], style: .openai)
        guard case .allowed(let h)? = l.check(model: "m", apiKey: nil, tokens: 100, now: .zero) else {
            Issue.record("expected allowed"); return
        }
        #expect(h.limitRequests == 60)
        #expect(h.remainingRequests == 59)
        #expect(h.resetRequests == .seconds(1))
        #expect(h.limitTokens == 6000)
        #expect(h.remainingTokens == 5900)
        #expect(h.resetTokens == .seconds(1))
        let names = h.pairs.map(\.name)
        #expect(names == [
            "x-ratelimit-limit-requests", "x-ratelimit-remaining-requests", "x-ratelimit-reset-requests",
            "x-ratelimit-limit-tokens", "x-ratelimit-remaining-tokens", "x-ratelimit-reset-tokens",
        ])
        #expect(h.pairs[2].value == "1s")
    }

    @Test func tokenBucketRefillsContinuously() {
        var l = RateLimiter(limits: ["m": RateLimits(tpm: 1000)])
        guard case .allowed? = l.check(model: "m", apiKey: nil, tokens: 600, now: .zero) else { Issue.record("1"); return }
        guard case .limited(let wait, let dim, _)? = l.check(model: "m", apiKey: nil, tokens: 600, now: .zero) else {
            Issue.record("2"); return
        }
        #expect(dim == .tokens)
        #expect(wait == .seconds(12))  // 200 tokens missing at 1000/60 per second
        guard case .limited? = l.check(model: "m", apiKey: nil, tokens: 600, now: .seconds(11)) else { Issue.record("3"); return }
        guard case .allowed(let h)? = l.check(model: "m", apiKey: nil, tokens: 600, now: .seconds(12)) else {
            Issue.record("4"); return
        }
        #expect(h.remainingTokens == 0)
        #expect(h.resetTokens == .seconds(60))
    }

    @Test func requestLargerThanTPMIsTooLarge() {
        var l = RateLimiter(limits: ["m": RateLimits(tpm: 1000)])
        guard case .tooLarge(let limit, let requested, _)? = l.check(model: "m", apiKey: nil, tokens: 1001, now: .zero) else {
            Issue.record("expected 413"); return
        }
        #expect(limit == 1000 && requested == 1001)
        // Not charged: a request that fits still passes in full.
        guard case .allowed(let h)? = l.check(model: "m", apiKey: nil, tokens: 1000, now: .zero) else { Issue.record("x"); return }
        #expect(h.remainingTokens == 0)
    }

    @Test func groqStyleReportsRequestsPerDay() {
        var l = RateLimiter(limits: ["m": RateLimits(rpm: 30, rpd: 14400)], style: .auto)
        guard case .allowed(let g)? = l.check(model: "m", apiKey: nil, tokens: 1, now: .zero, groqPath: true) else {
            Issue.record("g"); return
        }
        #expect(g.limitRequests == 14400)
        #expect(g.remainingRequests == 14399)
        #expect(g.resetRequests == .seconds(6))
        guard case .allowed(let o)? = l.check(model: "m", apiKey: nil, tokens: 1, now: .zero, groqPath: false) else {
            Issue.record("o"); return
        }
        #expect(o.limitRequests == 30)
        #expect(o.remainingRequests == 28)
    }

    @Test func perKeyLimitsKeepSeparateBuckets() {
        var l = RateLimiter(limits: ["*": RateLimits(rpm: 1, perKey: true)])
        guard case .allowed? = l.check(model: "x", apiKey: "a", tokens: 1, now: .zero) else { Issue.record("a"); return }
        guard case .allowed? = l.check(model: "x", apiKey: "b", tokens: 1, now: .zero) else { Issue.record("b"); return }
        guard case .limited? = l.check(model: "x", apiKey: "a", tokens: 1, now: .zero) else { Issue.record("a2"); return }
    }

    @Test func unlimitedModelsAreNotChecked() {
        var l = RateLimiter(limits: ["m": RateLimits(rpm: 1)])
        #expect(l.check(model: "other", apiKey: nil, tokens: 1, now: .zero) == nil)
    }
}
