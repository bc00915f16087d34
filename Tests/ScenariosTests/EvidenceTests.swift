import Foundation
import Reliability
import Testing
import YAMLConfig

@testable import Scenarios

/// Verdicts rest on observations: each carries how many, and an empty population fails as "no evidence".
@Suite struct EvidenceTests {
    @Test func aRunWithNoTasksHasNoEvidenceForAnything() throws {
        // One task a day over one millisecond: no task arrives.
        let r = simulate(try scenario("""
            name: empty
            duration: 1ms
            load: { tasks_per_day: 1, arrival: poisson }
            expect:
              success_rate: ">= 99%"
              failures: 0
              latency_p99: "< 1s"
              llm_calls_per_day: "<= 10"
              attempts_per_task: "<= 2"
              failure_arithmetic: 99%
            """))
        #expect(r.totals.submitted == 0)
        #expect(r.expectations.count == 6)
        for v in r.expectations {
            #expect(v.status == .noEvidence, "\(v.name): \(v.status)")
            #expect(v.observations == 0)
            #expect(!v.passed)
        }
        #expect(!r.passed)
    }

    static let hourly = """
        name: hourly
        duration: 3h
        load: { rate: 1/h, arrival: constant }
        stack: { breaker: off }
        llm:
          latency: 1s
          faults: [ { during: 10m..20m, status: 503 } ]

        """

    @Test func aWindowNobodyArrivesInIsNoEvidence() throws {
        let (r, tasks) = try simulateWithTasks(try scenario(Self.hourly + """
            expect:
              during: { success_rate: ">= 0%", latency_p50: "< 1h" }
              before: { success_rate: ">= 0%" }
            """))
        let during = try #require(verdict(r, "during[1].success_rate"))
        #expect(during.status == .noEvidence)
        #expect(during.observed == "no tasks")
        #expect(verdict(r, "during[1].latency_p50")?.status == .noEvidence)
        let before = try #require(verdict(r, "before[1].success_rate"))
        #expect(before.status == .pass)
        #expect(before.observations == tasks.filter { $0.intendedStart < 600 }.count)
        #expect(before.observations >= 1)
    }

    @Test func observationsCountThePopulation() throws {
        let r = simulate(try scenario("""
            name: t
            seed: 3
            duration: 1d
            load: { tasks_per_day: 2000 }
            stack: { retry: { attempts: 1 }, breaker: off }
            llm: { latency: 1s, faults: [ { rate: 10%, status: 400 } ] }
            expect:
              success_rate: ">= 80%"
              latency_p50: "< 2s"
              llm_calls: "<= 3000"
            """))
        let done = r.totals.succeeded + r.totals.failed
        #expect(done > 1500)
        #expect(verdict(r, "success_rate")?.observations == done)
        #expect(verdict(r, "success_rate")?.value == r.totals.successRate)
        #expect(verdict(r, "latency_p50")?.observations == r.latency.count)
        #expect(verdict(r, "llm_calls")?.observations == r.totals.submitted)
        #expect(r.passed)
    }

    @Test func breakerExpectationsWithoutAnOpeningHaveNoEvidence() throws {
        // A breaker that needs 10,000 failures never opens: opening fails on evidence (calls were
        // sent in the window); everything that needs an opening has none.
        let r = simulate(try scenario("""
            name: t
            seed: 5
            duration: 1h
            load: { tasks_per_day: 20000 }
            stack: { retry: { attempts: 2, min: 1s, max: 1s }, breaker: { failure_threshold: 10000 } }
            llm: { latency: 200ms, faults: [ { during: 10m..20m, status: 503 } ] }
            expect:
              breaker:
                opens_within: 30s
                closes_within: 30s
                calls_while_open: 0
                half_open_probes: "<= 1"
                cycles: 0
            """))
        let opens = try #require(verdict(r, "breaker.opens_within"))
        #expect(opens.status == .fail)
        #expect(opens.observations == r.faultWindows[0].llmCalls)
        #expect(opens.observations > 50)
        #expect(verdict(r, "breaker.closes_within")?.status == .noEvidence)
        #expect(verdict(r, "breaker.calls_while_open")?.status == .noEvidence)
        #expect(verdict(r, "breaker.half_open_probes")?.status == .noEvidence)
        let cycles = try #require(verdict(r, "breaker.cycles"))
        #expect(cycles.status == .pass)
        #expect(cycles.observations == r.usage.llmCalls)
    }

    @Test func breakerExpectationsRestOnWhatTheBreakerDid() throws {
        let r = simulate(try scenario("""
            name: t
            seed: 5
            duration: 1h
            load: { tasks_per_day: 20000 }
            stack: { retry: { attempts: 2, min: 1s, max: 1s }, breaker: { failure_threshold: 5, recovery_timeout: 30s } }
            llm: { latency: 200ms, faults: [ { during: 10m..20m, status: 503 } ] }
            expect:
              breaker: { opens_within: 30s, closes_within: 60s, calls_while_open: 0, half_open_probes: "<= 1" }
            """))
        for v in r.expectations { #expect(v.status == .pass, "\(v.name): \(v.observed) \(v.detail)") }
        #expect(verdict(r, "breaker.calls_while_open")?.observations == r.breaker.opens)
        #expect(verdict(r, "breaker.half_open_probes")?.observations == r.breaker.transitions.filter { $0.to == "half_open" }.count)
    }

    @Test func replaysWithoutDuplicatesAndRecoveryWithoutLaterTasksHaveNoEvidence() throws {
        let r = simulate(try scenario("""
            name: t
            duration: 1h
            load: { tasks_per_day: 5000 }
            llm: { latency: 1s, faults: [ { during: 50m..1h, status: 503 } ] }
            expect:
              duplicates: { replays_identical: true }
              after: { recovers_within: 1m }
            """))
        #expect(verdict(r, "duplicates.replays_identical")?.status == .noEvidence)
        #expect(verdict(r, "after[1].recovers_within")?.status == .noEvidence)
    }

    @Test func aScenarioWithoutExpectationsIsBadInputNamingTheFile() throws {
        let s = try scenario("name: quiet\nduration: 1h\nload: { tasks_per_day: 10 }\n", file: "quiet.yaml")
        #expect { try ExpectationPresence.require(s) } throws: { error in
            let e = error as? ConfigError
            return e?.file == "quiet.yaml" && e?.description.hasPrefix("quiet.yaml: expect: the scenario 'quiet' states no expectations") == true
        }
        let empty = try scenario("name: quiet\nduration: 1h\nload: { tasks_per_day: 10 }\nexpect: {}\n", file: "quiet.yaml")
        #expect(throws: ConfigError.self) { try ExpectationPresence.require(empty) }
        let some = try scenario("name: ok\nduration: 1h\nload: { tasks_per_day: 10 }\nexpect: { failures: 0 }\n")
        try ExpectationPresence.require(some)
    }
}
