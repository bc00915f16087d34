import Foundation
import Reliability
import Testing

@testable import Scenarios

/// Each kind of expectation, passing and failing on purpose-built runs.
@Suite struct ExpectationTests {
    /// A healthy provider with 10% permanent 400s, no retries: 90% success, fixed 2 s latency.
    static let lossy = """
        name: lossy
        seed: 3
        duration: 1d
        load: { tasks_per_day: 5000 }
        stack: { retry: { attempts: 1 }, breaker: off, timeout: 10s }
        llm:
          latency: 2s
          faults: [ { rate: 10%, status: 400 } ]

        """

    func run(_ yaml: String) throws -> ScenarioResult { simulate(try scenario(yaml)) }

    /// Runs `base` with `expect` appended and returns the verdict `name`.
    func check(_ base: String, _ expect: String, _ name: String) throws -> ExpectationVerdict {
        let r = try run(base + "expect:\n" + expect)
        return try #require(verdict(r, name), "no verdict \(name)")
    }

    @Test func successRate() throws {
        #expect(try check(Self.lossy, "  success_rate: \">= 85%\"\n", "success_rate").passed)
        let bad = try check(Self.lossy, "  success_rate: \">= 99%\"\n", "success_rate")
        #expect(!bad.passed)
        #expect(bad.observed.hasPrefix("89.") || bad.observed.hasPrefix("90."))
    }

    @Test func failuresPerDay() throws {
        #expect(try check(Self.lossy, "  failures_per_day: \"<= 600\"\n", "failures_per_day").passed)
        #expect(try !check(Self.lossy, "  failures_per_day: \"<= 400\"\n", "failures_per_day").passed)
    }

    @Test func latencyPercentileFromTheIntendedStart() throws {
        #expect(try check(Self.lossy, "  latency_p99: \"< 2.1s\"\n", "latency_p99").passed)
        let bad = try check(Self.lossy, "  latency_p50: \"< 1s\"\n", "latency_p50")
        #expect(!bad.passed)
        #expect(bad.observed == "2s")
    }

    static let retries = """
        name: retries
        seed: 4
        duration: 1d
        load: { tasks_per_day: 2000, prompts: [ "What is the capital of France?" ] }
        stack: { retry: { attempts: 3, min: 1s, max: 1s }, breaker: off }
        llm:
          latency: 500ms
          reply: { tokens: 100 }
          faults: [ { rate: 50%, status: 503 } ]

        """

    @Test func attemptsCallsTokensAndCost() throws {
        // attempts 1 + 0.5 + 0.25 = 1.75 per task (3,500 calls/day); 1,750 completions/day of
        // 8 + 100 tokens ≈ 189k tokens/day; at $0.05/$0.08 per million ≈ $0.0159/day.
        let loose = try run(Self.retries + """
            expect:
              attempts_per_task: "<= 2"
              llm_calls_per_day: "<= 3800"
              tokens_per_day: "<= 250k"
              cost_per_day: "<= $0.02"
            """)
        for v in loose.expectations { #expect(v.passed, "\(v.name): observed \(v.observed)") }
        let tight = try run(Self.retries + """
            expect:
              attempts_per_task: "<= 1.5"
              llm_calls_per_day: "<= 3000"
              tokens_per_day: "<= 150k"
              cost_per_day: "<= $0.01"
            """)
        for v in tight.expectations { #expect(!v.passed, "\(v.name) should fail: observed \(v.observed)") }
    }

    static let duplicates = """
        name: dups
        seed: 6
        duration: 2h
        load:
          tasks_per_day: 5000
          duplicates: { rate: 30%, delay: 0s..30m, concurrent: 20% }
        stack: { idempotency: { ttl: 10m } }
        llm: { latency: 2s }
        expect:
          duplicate_executions: 0
          duplicates:
            executions_per_key: "<= 1"
            replays_identical: true
            reexecution_after_ttl: allowed
        """

    @Test func duplicateSuppressionPassesWithIdempotency() throws {
        let r = try run(Self.duplicates)
        for v in r.expectations { #expect(v.passed, "\(v.name): \(v.observed)") }
        #expect(r.duplicates.reexecutedAfterTTL > 0 && r.duplicates.replayed > 0 && r.duplicates.conflicts > 0)
    }

    @Test func duplicateSuppressionFailsWithoutIdempotency() throws {
        let r = try run(
            Self.duplicates.replacingOccurrences(of: "stack: { idempotency: { ttl: 10m } }", with: "stack: { idempotency: off }")
                .replacingOccurrences(of: "\n    reexecution_after_ttl: allowed", with: ""))
        #expect(verdict(r, "duplicate_executions")?.passed == false)
        #expect(verdict(r, "duplicates.executions_per_key")?.passed == false)
        #expect(verdict(r, "duplicates.replays_identical")?.passed == false)  // nothing was replayed
    }

    @Test func reexecutionAfterTTLFailsWhenNoDuplicateOutlivesTheTTL() throws {
        let r = try run(Self.duplicates.replacingOccurrences(of: "ttl: 10m", with: "ttl: 24h"))
        #expect(verdict(r, "duplicates.reexecution_after_ttl")?.passed == false)
        #expect(verdict(r, "duplicates.executions_per_key")?.passed == true)
    }

    @Test func replayMismatchesAndCallsWhileOpenFailOnAPurposeBuiltResult() throws {
        let s = try scenario("""
            name: t
            duration: 1h
            load: { tasks_per_day: 100 }
            llm: { faults: [ { during: 10m..20m, status: 503 } ] }
            expect:
              breaker: { calls_while_open: 0 }
              duplicates: { replays_identical: true }
            """)
        var r = Simulator(scenario: s).run()
        r.duplicates.replayed = 5
        r.duplicates.replayMismatches = 0
        r.breaker.callsWhileOpen = 0
        r.breaker.opens = 1
        ExpectationEvaluator.evaluate(s, &r)
        #expect(r.passed)
        r.duplicates.replayMismatches = 2
        r.breaker.callsWhileOpen = 3
        ExpectationEvaluator.evaluate(s, &r)
        #expect(verdict(r, "breaker.calls_while_open")?.passed == false)
        #expect(verdict(r, "breaker.calls_while_open")?.observed == "3")
        #expect(verdict(r, "duplicates.replays_identical")?.observed == "3/5 identical")
        #expect(verdict(r, "duplicates.replays_identical")?.passed == false)
    }

    static let outage = """
        name: outage
        seed: 8
        duration: 1h
        load: { tasks_per_day: 50000 }
        stack:
          retry: { attempts: 4, min: 1s, max: 8s, jitter: full }
          breaker: { failure_threshold: 5, window: 30s, recovery_timeout: 15s, half_open_probes: 1 }
        llm:
          latency: 300ms
          faults: [ { during: 20m..30m, status: 503 } ]
        expect:

        """

    @Test func breakerTimingPasses() throws {
        let r = try run(Self.outage + """
              breaker:
                opens_within: 10s
                closes_within: 20s
                calls_while_open: 0
                half_open_probes: "<= 1"
                cycles: "<= 1"
              before: { success_rate: 100% }
              during: { offered_load: "<= 1x" }
              after: { recovers_within: 30s, success_rate: ">= 99.9%" }
            """)
        for v in r.expectations { #expect(v.passed, "\(v.name): expected \(v.expected), observed \(v.observed)") }
    }

    @Test func breakerTimingFails() throws {
        let r = try run(Self.outage + """
              breaker:
                opens_within: 1ms
                closes_within: 1ms
                half_open_probes: "<= 0"
                cycles: 0
              during: { success_rate: ">= 50%", latency_p99: "< 1s" }
            """)
        for v in r.expectations { #expect(!v.passed, "\(v.name) should fail: observed \(v.observed)") }
    }

    @Test func aStackWithoutABreakerRunsAndFailsEveryBreakerExpectation() throws {
        let expect = """
              breaker:
                opens_within: 10s
                closes_within: 20s
                calls_while_open: 0
                half_open_probes: "<= 1"
                cycles: "<= 1"
            """
        let without = try run(Self.outage.replacingOccurrences(
            of: "  breaker: { failure_threshold: 5, window: 30s, recovery_timeout: 15s, half_open_probes: 1 }",
            with: "  breaker: off") + expect)
        #expect(without.expectations.count == 5)
        for v in without.expectations {
            #expect(v.status == .fail, "\(v.name): \(v.status)")
            #expect(v.observed == "no breaker configured")
        }
        let with = try run(Self.outage + expect)
        for v in with.expectations { #expect(v.passed, "\(v.name): \(v.observed)") }
    }

    @Test func reexecutionAfterTTLFailsWithoutIdempotency() throws {
        let r = try run(Self.duplicates.replacingOccurrences(of: "stack: { idempotency: { ttl: 10m } }", with: "stack: { idempotency: off }"))
        let v = try #require(verdict(r, "duplicates.reexecution_after_ttl"))
        #expect(v.status == .fail)
        #expect(v.observed == "idempotency off")
        #expect(try verdict(run(Self.duplicates), "duplicates.reexecution_after_ttl")?.passed == true)
    }

    @Test func offeredLoadDuringTheWindowShowsRetryAmplificationWithoutABreaker() throws {
        let r = try run(Self.outage.replacingOccurrences(
            of: "  breaker: { failure_threshold: 5, window: 30s, recovery_timeout: 15s, half_open_probes: 1 }",
            with: "  breaker: off") + "  during: { offered_load: \"<= 2x\" }\n  during_outage: { offered_load: \"<= 5x\" }\n")
        #expect(verdict(r, "during[1].offered_load")?.passed == false)
        #expect(r.expectations.last?.passed == true)
        #expect(r.faultWindows[0].offeredLoad > 3)
    }

    @Test func recoveryFailsWhenTheBreakerKeepsSheddingAfterTheWindow() throws {
        // The window lasts 2 minutes but the breaker stays open for 10: tasks keep failing after it.
        let r = try run(Self.outage.replacingOccurrences(
            of: "recovery_timeout: 15s, half_open_probes: 1 }",
            with: "recovery_timeout: 10m, half_open_probes: 1, on_open: fail }")
            .replacingOccurrences(of: "during: 20m..30m", with: "during: 20m..22m")
            + "  after: { recovers_within: 60s }\n")
        let v = try #require(verdict(r, "after[1].recovers_within"))
        #expect(!v.passed, "observed \(v.observed)")
    }

    @Test func failureArithmeticFailsWhenFaultsAreNotIndependent() throws {
        // every_nth makes every 2nd call fail: the closed form (which leaves it out) expects 0 failures.
        let r = try run("""
            name: t
            duration: 1d
            load: { tasks_per_day: 1000 }
            stack: { retry: { attempts: 1 }, breaker: off }
            llm: { latency: 1s, faults: [ { every_nth: 2, status: 500 } ] }
            expect: { failure_arithmetic: 99% }
            """)
        #expect(verdict(r, "failure_arithmetic")?.passed == false)
        #expect(r.arithmetic?.closedForm == false)
    }

    @Test func routeSharesAndCausesAreChecked() throws {
        let base = """
            name: t
            duration: 1d
            load:
              tasks_per_day: 2000
              prompts: [ { text: "What is 2+2?", weight: 3 }, { text: "Write a long essay about queues.", weight: 1 } ]
            stack: { retry: { attempts: 1 }, breaker: off }
            llm: { latency: 1s, faults: [ { rate: 5%, status: 401 } ] }

            """
        let ok = try run(base + """
            expect:
              routes: { simple: { task_share: ">= 70%", cost_share: "<= 50%" } }
              failures_by_cause: { permanent: ">= 50", attempts_exhausted: 0 }
            """)
        for v in ok.expectations { #expect(v.passed, "\(v.name): \(v.observed)") }
        let bad = try run(base + """
            expect:
              routes: { default: { task_share: ">= 50%" } }
              failures_by_cause: { permanent: 0 }
            """)
        for v in bad.expectations { #expect(!v.passed, "\(v.name) should fail: \(v.observed)") }
    }
}
