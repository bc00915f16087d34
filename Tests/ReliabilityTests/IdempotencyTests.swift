import Testing

@testable import Reliability

@Suite struct IdempotencyTests {
    let ttl = Duration.seconds(86_400)

    @Test func claimConflictReplayAndMismatch() {
        var t = IdempotencyTable()
        #expect(t.claim(key: "k", fingerprint: "a", now: .zero, ttl: ttl) == .claimed)
        #expect(t.claim(key: "k", fingerprint: "a", now: .seconds(1), ttl: ttl) == .inFlight)
        #expect(t.claim(key: "k", fingerprint: "b", now: .seconds(1), ttl: ttl) == .mismatch)
        let result = StoredResult(succeeded: false, body: "{\"error\":\"503\"}")
        t.complete(key: "k", fingerprint: "a", result: result, now: .seconds(2), ttl: ttl)
        #expect(t.claim(key: "k", fingerprint: "a", now: .seconds(3), ttl: ttl) == .completed(result))
        #expect(t.claim(key: "k", fingerprint: "b", now: .seconds(3), ttl: ttl) == .mismatch)
    }

    @Test func recordsExpireAfterTheTTL() {
        var t = IdempotencyTable()
        #expect(t.claim(key: "k", fingerprint: "a", now: .zero, ttl: .seconds(10)) == .claimed)
        t.complete(key: "k", fingerprint: "a", result: StoredResult(succeeded: true, body: "ok"), now: .seconds(1), ttl: .seconds(10))
        #expect(t.claim(key: "k", fingerprint: "a", now: .seconds(10.999), ttl: .seconds(10)) != .claimed)
        #expect(t.claim(key: "k", fingerprint: "a", now: .seconds(11), ttl: .seconds(10)) == .claimed)
    }

    @Test func expiryIsExactEvenWhenTTLsDiffer() {
        var t = IdempotencyTable()
        _ = t.claim(key: "long", fingerprint: "a", now: .zero, ttl: .seconds(100))
        _ = t.claim(key: "short", fingerprint: "a", now: .zero, ttl: .seconds(5))
        #expect(t.claim(key: "short", fingerprint: "a", now: .seconds(5), ttl: .seconds(5)) == .claimed)
        #expect(t.claim(key: "long", fingerprint: "a", now: .seconds(5), ttl: .seconds(100)) == .inFlight)
    }

    @Test func releaseFreesAnUnfinishedClaim() {
        var t = IdempotencyTable()
        _ = t.claim(key: "k", fingerprint: "a", now: .zero, ttl: ttl)
        t.release(key: "k")
        #expect(t.claim(key: "k", fingerprint: "a", now: .zero, ttl: ttl) == .claimed)
    }

    @Test func manyConcurrentClaimersYieldExactlyOneClaim() async throws {
        let store = InMemoryIdempotencyStore()
        let results = try await withThrowingTaskGroup(of: ClaimResult.self) { group in
            for _ in 0..<500 {
                group.addTask { try store.claim(key: "same", fingerprint: "fp", now: .zero, ttl: .seconds(60)) }
            }
            var all: [ClaimResult] = []
            for try await r in group { all.append(r) }
            return all
        }
        #expect(results.filter { $0 == .claimed }.count == 1)
        #expect(results.filter { $0 == .inFlight }.count == 499)
    }

    @Test func invalidKeysAreRejected() {
        let store = InMemoryIdempotencyStore()
        #expect(throws: IdempotencyStoreError.self) { try store.claim(key: "", fingerprint: "f", now: .zero, ttl: ttl) }
        #expect(throws: IdempotencyStoreError.self) {
            try store.claim(key: String(repeating: "x", count: 256), fingerprint: "f", now: .zero, ttl: ttl)
        }
        #expect(throws: IdempotencyStoreError.self) { try store.claim(key: "a b", fingerprint: "f", now: .zero, ttl: ttl) }
    }
}

@Suite struct TokenBudgetTests {
    // 4 characters per token; budget 100 − 20 = 80 input tokens.
    let budget = TokenBudget(maxTokens: 100, reserveForOutput: 20)
    func text(tokens: Int) -> String { String(repeating: "abcd", count: tokens) }

    @Test func keepsSystemNewestHistoryAndUser() throws {
        let history = (0..<5).map { ChatMessage(role: $0 % 2 == 0 ? "user" : "assistant", content: "h\($0)" + text(tokens: 15)) }
        let p = try budget.build(system: text(tokens: 10), history: history, user: text(tokens: 20))
        // 10 + 20 = 30 used; each history message costs 16 → three fit (48), the fourth would make 94.
        #expect(p.messages.count == 1 + 3 + 1)
        #expect(p.messages[1].content.hasPrefix("h2") && p.messages[3].content.hasPrefix("h4"))
        #expect(p.droppedHistory == 2 && !p.userTruncated)
        #expect(p.estimatedTokens == 78)
    }

    @Test func truncatesAUserMessageThatAloneDoesNotFit() throws {
        let p = try budget.build(system: text(tokens: 30), history: [ChatMessage(role: "user", content: "old")], user: text(tokens: 200))
        #expect(p.userTruncated)
        #expect(p.messages.last!.content.count == 50 * 4)
        #expect(p.estimatedTokens == 80)
        #expect(p.droppedHistory == 1)
    }

    @Test func systemPromptOverTheBudgetIsATypedError() {
        #expect(throws: TokenBudgetError.systemPromptTooLarge(tokens: 81, budget: 80)) {
            try budget.build(system: text(tokens: 81), history: [], user: "hi")
        }
        #expect(throws: TokenBudgetError.noRoomForUserMessage(budget: 80)) {
            try budget.build(system: text(tokens: 80), history: [], user: "hi")
        }
    }

    @Test func theEstimatorIsPluggable() throws {
        struct Words: TokenEstimator { func tokens(_ t: String) -> Int { t.split(separator: " ").count } }
        let b = TokenBudget(maxTokens: 10, reserveForOutput: 5, estimator: Words())
        let p = try b.build(system: nil, history: [], user: "one two three four five six seven")
        #expect(p.userTruncated && p.estimatedTokens == 5)
    }
}

@Suite struct RoutingAndPricingTests {
    let router = ModelRouter()

    @Test func simpleQuestionsGoToTheSmallModel() {
        let r = router.route("What is the capital of France?")
        #expect(r == Route(rule: "simple", model: "llama-3.1-8b-instant", maxTokens: 400))
        #expect(router.route("Classify this ticket: refund please").model == "llama-3.1-8b-instant")
    }

    @Test func longOrComplexTasksGoToTheLargeModel() {
        #expect(router.route("Draft a migration plan for moving our billing jobs to a queue.").model == "llama-3.3-70b-versatile")
        let long = "What is " + Array(repeating: "word", count: 18).joined(separator: " ")  // 20 words
        #expect(router.route(long) == Route(rule: "default", model: "llama-3.3-70b-versatile", maxTokens: 800))
    }

    @Test func costUsesPerMillionPrices() {
        let usage = TokenUsage(promptTokens: 1_000_000, completionTokens: 500_000)
        #expect(abs(PriceTable.defaults.cost(model: "llama-3.3-70b-versatile", usage: usage)! - (0.59 + 0.395)) < 1e-12)
        #expect(abs(PriceTable.defaults.cost(model: "llama-3.1-8b-instant", usage: TokenUsage(promptTokens: 200, completionTokens: 100))! - 0.000018) < 1e-15)
        #expect(PriceTable.defaults.cost(model: "unknown", usage: usage) == nil)
    }
}
