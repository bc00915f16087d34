import Testing

@testable import Reliability

@Suite struct BackoffAndRetryTests {
    @Test func tenacityScheduleIsOneTwoFourEight() {
        let policy = RetryPolicy(maxAttempts: 5, backoff: Backoff(multiplier: 1, min: .seconds(1), max: .seconds(60)))
        #expect(policy.schedule() == [.seconds(1), .seconds(2), .seconds(4), .seconds(8)])
    }

    @Test func exponentialIsClampedToMinAndMax() {
        let b = Backoff(multiplier: 0.5, base: 2, min: .seconds(1), max: .seconds(5))
        #expect(b.exponential(afterAttempt: 1) == .seconds(1))  // 0.5 raised to the floor
        #expect(b.exponential(afterAttempt: 3) == .seconds(2))
        #expect(b.exponential(afterAttempt: 10) == .seconds(5))  // 256 capped
        #expect(Backoff(multiplier: 1, max: .seconds(60)).exponential(afterAttempt: 2000) == .seconds(60))
    }

    @Test func fullJitterMatchesSeededDrawsExactly() {
        // U(min, v) with min 0: v × unit() from the same seed (values cross-checked in Python).
        let policy = RetryPolicy(maxAttempts: 5, backoff: Backoff(jitter: .full))
        let waits = policy.schedule(seed: 7).map(\.seconds)
        let expected = [0.7005764821796896 * 1, 0.2787512294737843 * 2, 0.8396274618764198 * 4, 0.9810977250149351 * 8]
        #expect(waits.count == 4)
        for (w, e) in zip(waits, expected) { #expect(abs(w - e) < 1e-8) }
    }

    @Test(arguments: Jitter.allCases)
    func jitterStaysWithinItsBounds(jitter: Jitter) {
        let b = Backoff(multiplier: 1, min: .milliseconds(100), max: .seconds(10), jitter: jitter)
        var rng = SquallRandom(seed: 11)
        var previous: Duration?
        for n in 1...8 {
            for _ in 0..<200 {
                let d = b.delay(afterAttempt: n, previous: previous, rng: &rng).seconds
                let v = b.exponential(afterAttempt: n).seconds
                switch jitter {
                case .none: #expect(d == v)
                case .full: #expect(d >= 0.1 - 1e-9 && d <= v + 1e-9)
                case .equal: #expect(d >= v / 2 - 1e-9 && d <= v + 1e-9)
                case .decorrelated:
                    let upper = min(10, max(1, 3 * (previous?.seconds ?? 1)))
                    #expect(d >= 1 - 1e-9 && d <= upper + 1e-9)
                }
                previous = .fromSeconds(d)
            }
        }
    }

    @Test func retryAfterOverridesBackoff() {
        let policy = RetryPolicy(maxAttempts: 5, backoff: Backoff(min: .seconds(1)))
        var rng = SquallRandom(seed: 1)
        let d = policy.decide(attempt: 1, failure: .throttled, hint: .seconds(7), previousDelay: nil, elapsed: .zero, rng: &rng)
        #expect(d == .retry(after: .seconds(7), reason: .retryAfter))
    }

    @Test func retryAfterAboveCapClampsFallsBackOrGivesUp() {
        var rng = SquallRandom(seed: 1)
        let clamp = RetryPolicy(retryAfterCap: .seconds(20), overCap: .clamp)
        #expect(
            clamp.decide(attempt: 1, failure: .throttled, hint: .seconds(90), previousDelay: nil, elapsed: .zero, rng: &rng)
                == .retry(after: .seconds(20), reason: .retryAfter))
        let fallback = RetryPolicy(backoff: Backoff(min: .seconds(1)), retryAfterCap: .seconds(20), overCap: .backoff)
        #expect(
            fallback.decide(attempt: 2, failure: .throttled, hint: .seconds(90), previousDelay: nil, elapsed: .zero, rng: &rng)
                == .retry(after: .seconds(2), reason: .throttledBackoff))
        let giveUp = RetryPolicy(retryAfterCap: .seconds(20), overCap: .giveUp)
        #expect(
            giveUp.decide(attempt: 1, failure: .throttled, hint: .seconds(90), previousDelay: nil, elapsed: .zero, rng: &rng)
                == .stop(.retryAfterTooLong))
    }

    @Test func permanentFailuresAndExhaustionStop() {
        var rng = SquallRandom(seed: 1)
        let policy = RetryPolicy(maxAttempts: 3)
        #expect(
            policy.decide(attempt: 1, failure: .permanent, hint: nil, previousDelay: nil, elapsed: .zero, rng: &rng)
                == .stop(.permanent))
        #expect(
            policy.decide(attempt: 3, failure: .transient, hint: nil, previousDelay: nil, elapsed: .zero, rng: &rng)
                == .stop(.attemptsExhausted))
    }

    @Test func deadlineStopsWhenTheNextAttemptWouldStartTooLate() {
        var rng = SquallRandom(seed: 1)
        let policy = RetryPolicy(maxAttempts: 10, backoff: Backoff(min: .seconds(1)), deadline: .seconds(10))
        #expect(
            policy.decide(attempt: 3, failure: .transient, hint: nil, previousDelay: nil, elapsed: .seconds(5), rng: &rng)
                == .retry(after: .seconds(4), reason: .backoff))
        #expect(
            policy.decide(attempt: 3, failure: .transient, hint: nil, previousDelay: nil, elapsed: .seconds(6), rng: &rng)
                == .stop(.deadlineExceeded))
    }

    @Test func throttledFailuresCanUseTheirOwnBase() {
        var rng = SquallRandom(seed: 1)
        let policy = RetryPolicy(backoff: Backoff(multiplier: 1), throttledBackoff: Backoff(multiplier: 5))
        #expect(
            policy.decide(attempt: 2, failure: .throttled, hint: nil, previousDelay: nil, elapsed: .zero, rng: &rng)
                == .retry(after: .seconds(10), reason: .throttledBackoff))
        #expect(
            policy.decide(attempt: 2, failure: .transient, hint: nil, previousDelay: nil, elapsed: .zero, rng: &rng)
                == .retry(after: .seconds(2), reason: .backoff))
    }
}

@Suite struct RetryBudgetTests {
    @Test func awsTokenBucketAllowsHundredRetriesThenRefuses() {
        var budget = RetryBudget(.awsStandard)
        for i in 0..<100 { #expect(budget.withdraw(afterTimeout: false, now: s(Double(i))) == 5) }
        #expect(budget.withdraw(afterTimeout: false, now: s(100)) == nil)
        #expect(budget.availableTokens == 0)
    }

    @Test func timeoutRetriesCostTenAndSuccessRefunds() {
        var budget = RetryBudget(.tokenBucket(capacity: 20, retryCost: 5, timeoutCost: 10, noRetryIncrement: 1))
        #expect(budget.withdraw(afterTimeout: true, now: .zero) == 10)
        #expect(budget.withdraw(afterTimeout: true, now: .zero) == 10)
        #expect(budget.withdraw(afterTimeout: false, now: .zero) == nil)
        budget.recordSuccess(paid: 10, retried: true)
        #expect(budget.availableTokens == 10)
        budget.recordSuccess(paid: 0, retried: false)
        #expect(budget.availableTokens == 11)
        for _ in 0..<50 { budget.recordSuccess(paid: 0, retried: false) }
        #expect(budget.availableTokens == 20)  // capped at capacity
    }

    @Test func ratioBudgetLimitsRetriesToAFractionOfTraffic() {
        var budget = RetryBudget(.ratio(ratio: 0.1, window: .seconds(10), minPerSecond: 0))
        for i in 0..<100 { budget.recordFirstAttempt(now: s(Double(i) * 0.05)) }
        var granted = 0
        for _ in 0..<50 where budget.withdraw(afterTimeout: false, now: s(5)) != nil { granted += 1 }
        #expect(granted == 10)
        // Ten seconds later the window has slid past every first attempt and retry.
        #expect(budget.withdraw(afterTimeout: false, now: s(16)) == nil)
        budget.recordFirstAttempt(now: s(16))
        for _ in 0..<9 { budget.recordFirstAttempt(now: s(16)) }
        #expect(budget.withdraw(afterTimeout: false, now: s(16)) == 0)
    }
}

@Suite struct ClassificationTests {
    let table = ClassificationTable()

    @Test(arguments: [
        (200, FailureClass.success), (429, .throttled), (498, .throttled), (408, .transient), (500, .transient),
        (502, .transient), (503, .transient), (504, .transient), (400, .permanent), (401, .permanent),
        (403, .permanent), (404, .permanent), (413, .permanent), (422, .permanent), (418, .permanent),
    ])
    func statusesFollowTheDefaultTable(status: Int, expected: FailureClass) {
        #expect(table.classify(.status(status)) == expected)
    }

    @Test func transportFailuresAreTransient() {
        for f in TransportFailure.allCases { #expect(table.classify(.transport(f)) == .transient) }
    }

    @Test func shouldRetryHeaderOverridesTheTable() {
        #expect(table.classify(.status(503, ResponseHints(shouldRetry: false))) == .permanent)
        #expect(table.classify(.status(400, ResponseHints(shouldRetry: true))) == .transient)
        #expect(table.classify(.status(429, ResponseHints(shouldRetry: true))) == .throttled)
        var ignoring = table
        ignoring.honorShouldRetry = false
        #expect(ignoring.classify(.status(503, ResponseHints(shouldRetry: false))) == .transient)
    }

    @Test func contextLengthAndQuotaErrorsArePermanent() {
        #expect(table.classify(.status(400, ResponseHints(errorCode: "context_length_exceeded"))) == .permanent)
        #expect(table.classify(.status(429, ResponseHints(errorCode: "insufficient_quota"))) == .permanent)
    }
}
