import Foundation
import Reliability
import Testing

@testable import Scenarios

/// Planted defects: each changes the stack configuration it names, does not apply where the
/// mechanism is absent, and changes what a run does.
@Suite struct MutantTests {
    static let full = """
        name: full
        seed: 2
        duration: 1h
        load:
          tasks_per_day: 20000
          duplicates: { rate: 10%, delay: 10s..5m }
        stack:
          timeout: 5s
          retry: { attempts: 8, min: 1s, max: 30s, jitter: full, throttled: { min: 2s, max: 20s, jitter: equal } }
          breaker: { failure_threshold: 5, window: 60s, recovery_timeout: 30s }
          retry_budget: { token_bucket: aws }
          idempotency: { ttl: 24h }
          budget: { max_tokens: 6000, reserve_for_output: 800 }
        llm:
          latency: 300ms
          faults:
            - { during: 20m..25m, status: 503 }
            - { rate: 10%, status: 429, retry_after: 3s }
            - { rate: 3%, status: 400 }
            - { rate: 2%, drop: hang }
        expect: { failures: 0 }
        """

    static let bare = """
        name: bare
        duration: 1h
        load: { tasks_per_day: 1000 }
        stack: { retry: off, breaker: off, idempotency: off, budget: off }
        expect: { failures: 0 }
        """

    func mutated(_ m: Mutant, _ yaml: String = Self.full) throws -> Scenario {
        try #require(m.apply(to: try scenario(yaml)).scenario, "\(m.rawValue) should apply")
    }

    @Test func eachMutantChangesTheConfigurationItNames() throws {
        let base = try scenario(Self.full)
        #expect(try mutated(.noJitter).stack.retry.backoff.jitter == .none)
        #expect(try mutated(.noJitter).stack.retry.throttledBackoff?.jitter == Jitter.none)
        #expect(try mutated(.halfOpenFlood).stack.breaker?.halfOpenProbes == 1_000_000)
        #expect(try mutated(.breakerNeverTrips).stack.breaker?.trip == .failureCount(threshold: Int.max, window: .seconds(60)))
        #expect(try mutated(.noBreaker).stack.breaker == nil)
        #expect(try mutated(.longRecoveryTimeout).stack.breaker?.recoveryTimeout == .seconds(300))
        #expect(try mutated(.idempotencyOff).stack.idempotencyTTL == nil)
        #expect(try mutated(.shortTTL).stack.idempotencyTTL == .seconds(1))
        #expect(try mutated(.retryAfterIgnored).stack.retry.honorRetryAfter == false)
        #expect(try mutated(.fewerAttempts).stack.retry.maxAttempts == 6)
        #expect(try mutated(.noTimeout).stack.attemptTimeout == .seconds(86_400))
        #expect(try mutated(.retryPermanent).stack.retry.retryOn == [.transient, .throttled, .permanent])
        #expect(try mutated(.noRetry429).stack.retry.retryOn == [.transient])
        #expect(try mutated(.retryBudgetOff).stack.retryBudget == nil)
        #expect(try mutated(.tokenBudgetOff).stack.tokenBudget == nil)
        // Nothing else moves: the mutant of one mechanism leaves the others as they were.
        let m = try mutated(.noTimeout)
        #expect(m.stack.retry == base.stack.retry && m.stack.breaker == base.stack.breaker)
        #expect(m.stack.idempotencyTTL == base.stack.idempotencyTTL && m.name == base.name)
        #expect(m.expectations == base.expectations)
    }

    @Test func fewerAttemptsTakesAQuarterAndAtLeastOne() throws {
        for (n, fewer) in [(8, 6), (5, 4), (4, 3), (2, 1), (10, 8)] {
            let yaml = Self.full.replacingOccurrences(of: "attempts: 8", with: "attempts: \(n)")
            #expect(try mutated(.fewerAttempts, yaml).stack.retry.maxAttempts == fewer)
        }
    }

    @Test func aTTLTooShortIsATenthOfShortDuplicateDelays() throws {
        let yaml = Self.full.replacingOccurrences(of: "delay: 10s..5m", with: "delay: 0s..5s")
        #expect(try mutated(.shortTTL, yaml).stack.idempotencyTTL == .milliseconds(500))
    }

    @Test func mutantsOfAbsentMechanismsDoNotApply() throws {
        let bare = try scenario(Self.bare)
        for m in Mutant.allCases where m != .noTimeout {
            guard case .notApplicable(let why) = m.apply(to: bare) else {
                Issue.record("\(m.rawValue) should not apply to a bare stack")
                continue
            }
            #expect(!why.isEmpty)
        }
        #expect(Mutant.noTimeout.apply(to: bare).scenario != nil)
        let noJitter = try scenario(Self.full.replacingOccurrences(of: "jitter: full", with: "jitter: none")
            .replacingOccurrences(of: "jitter: equal", with: "jitter: none"))
        #expect(Mutant.noJitter.apply(to: noJitter).scenario == nil)
    }

    @Test func everyMutantHasADistinctNameAndASummary() {
        #expect(Set(Mutant.names).count == 14)
        #expect(Mutant.names.first == "no_jitter")
        for m in Mutant.allCases { #expect(m.summary.count > 20) }
    }

    func run(_ s: Scenario) -> ScenarioResult { ScenarioRunner.simulate(s) }

    @Test func eachMutantChangesWhatTheRunDoes() throws {
        let base = run(try scenario(Self.full))
        func mutant(_ m: Mutant) throws -> ScenarioResult { run(try mutated(m)) }
        func count(_ list: [NamedCount], _ name: String) -> Int { list.first { $0.name == name }?.count ?? 0 }

        #expect(base.breaker.maxCallsPerHalfOpen == 1)
        #expect(try mutant(.halfOpenFlood).breaker.maxCallsPerHalfOpen > 1)
        #expect(base.breaker.opens > 0)
        #expect(try mutant(.breakerNeverTrips).breaker.opens == 0)
        #expect(try mutant(.longRecoveryTimeout).breaker.secondsOpen > base.breaker.secondsOpen)
        #expect(try mutant(.noBreaker).breaker.configured == false)

        #expect(count(base.retriesByReason, "retry_after") > 0)
        #expect(try count(mutant(.retryAfterIgnored).retriesByReason, "retry_after") == 0)
        #expect(try count(mutant(.noRetry429).failuresByCause, "permanent") > count(base.failuresByCause, "permanent"))
        #expect(try mutant(.retryPermanent).attempts.meanAttempts > base.attempts.meanAttempts)
        #expect(try mutant(.noTimeout).latency.max > 3600)
        #expect(base.latency.max < 3600)

        #expect(base.duplicates.reexecutedAfterTTL == 0)
        #expect(try mutant(.shortTTL).duplicates.reexecutedAfterTTL > 0)
        #expect(try mutant(.idempotencyOff).duplicates.reexecutedWithinTTL > 0)
    }

    @Test func tokenBudgetOffSendsOversizedPromptsWhole() throws {
        let yaml = """
            name: big
            duration: 1h
            load:
              tasks_per_day: 2000
              prompts: [ { text: "ERROR queue=invoices timeout after 30s", repeat: 4000 } ]
            stack: { budget: { max_tokens: 6000, reserve_for_output: 800 } }
            llm: { latency: 1s, rate_limits: { llama-3.3-70b-versatile: { tpm: 16000 } } }
            expect: { failures: 0 }
            """
        #expect(run(try scenario(yaml)).totals.failed == 0)
        let off = run(try mutated(.tokenBudgetOff, yaml))
        #expect(off.totals.failed > 0)
        #expect(off.attemptOutcomes.contains { $0.name == "413" })
    }

    @Test func fewerAttemptsShowsInTheAttemptsMade() throws {
        let base = run(try scenario(Self.full))
        #expect(base.attempts.maxAttempts == 8)
        #expect(try run(mutated(.fewerAttempts)).attempts.maxAttempts == 6)
    }
}
