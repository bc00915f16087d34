import Foundation
import MockLLM
import Reliability
import Testing
import Traffic
import YAMLConfig

@testable import Scenarios

@Suite struct LoaderTests {
    static let designExample = """
        name: breaker-opens-on-provider-outage
        description: The provider returns 503 for five minutes.
        seed: 42
        duration: 1h
        load:
          tasks_per_day: 10000
          arrival: poisson
          duplicates: { rate: 2%, delay: 0s..30s }
          prompts:
            - { text: "What is the capital of France?", weight: 0.6 }
            - { text: "Draft a migration plan for moving our billing jobs to a queue.", weight: 0.4 }
        stack:
          timeout: 30s
          retry: { attempts: 5, multiplier: 1, min: 1s, max: 60s, jitter: full }
          breaker: { failure_threshold: 5, window: 60s, recovery_timeout: 30s, half_open_probes: 1 }
          idempotency: { ttl: 24h }
          budget: { max_tokens: 6000, reserve_for_output: 800 }
        llm:
          latency: { lognormal: { median: 800ms, p99: 6s } }
          faults:
            - { during: 20m..25m, status: 503 }
            - { rate: 1%, status: 429, retry_after: 2s }
            - { rate: 0.2%, drop: reset }
          rate_limits: { llama-3.1-8b-instant: { rpm: 300, tpm: 60000 } }
        expect:
          success_rate: ">= 99.5%"
          breaker:
            opens_within: 15s of outage start
            closes_within: 45s of outage end
            calls_while_open: 0
          duplicate_executions: 0
          latency_p99: "< 40s"
          after_outage: { recovers_within: 60s }
        """

    @Test func loadsTheDesignExampleIntoTypedConfiguration() throws {
        let s = try scenario(Self.designExample)
        #expect(s.name == "breaker-opens-on-provider-outage")
        #expect(s.seed == 42)
        #expect(s.duration == .seconds(3600))
        #expect(abs(s.load.tasksPerDay - 10000) < 1e-6)
        #expect(s.load.arrival == (try ArrivalSchedule(.constant(rate: 10_000.0 / 86_400), process: .poisson)))
        #expect(s.load.duplicates?.rate == 0.02)
        #expect(s.load.duplicates?.delay == DurationRange(.zero, .seconds(30)))
        #expect(s.load.prompts.count == 2)
        #expect(s.stack.attemptTimeout == .seconds(30))
        #expect(s.stack.retry.maxAttempts == 5)
        #expect(s.stack.retry.backoff.min == .seconds(1))
        #expect(s.stack.retry.backoff.jitter == .full)
        #expect(s.stack.breaker?.trip == .failureCount(threshold: 5, window: .seconds(60)))
        #expect(s.stack.breaker?.halfOpenProbes == 1)
        #expect(s.stack.idempotencyTTL == .seconds(86_400))
        #expect(s.stack.tokenBudget?.maxTokens == 6000)
        #expect(s.llm.faults.count == 3)
        #expect(s.faultWindows.count == 1)
        #expect(s.faultWindows[0].start == 1200 && s.faultWindows[0].end == 1500)
        #expect(s.expectations.count == 7)
        #expect(s.expectations.contains(.breakerOpensWithin(name: "breaker.opens_within", window: 1, limit: .seconds(15))))
        #expect(s.expectations.contains(.recoversWithin(name: "after[1].recovers_within", window: 1, limit: .seconds(60), tolerance: 0.01)))
    }

    @Test func unknownKeyNamesLineColumnPathAndSuggestion() {
        let e = loadError("""
            name: t
            duration: 1h
            load:
              tasks_per_day: 1000
            stack:
              retry: { atempts: 3 }
            """)
        #expect(e?.file == "bad.yaml")
        #expect(e?.line == 6)
        #expect(e?.column == 12)
        #expect(e?.path == "stack.retry.atempts")
        #expect(e?.suggestion == "attempts")
        #expect(e?.description.hasPrefix("bad.yaml:6:12: stack.retry.atempts: unknown key 'atempts'") == true)
    }

    @Test func misspeltTopLevelSectionSuggestsTheSection() {
        let e = loadError("name: t\nduration: 1h\nload: { tasks_per_day: 10 }\nexpcet: { success_rate: 99% }\n")
        #expect(e?.line == 4)
        #expect(e?.column == 1)
        #expect(e?.suggestion == "expect")
    }

    @Test func wrongTypeNamesTheValueAndWhatIsValid() {
        let e = loadError("name: t\nduration: 1h\nload:\n  tasks_per_day: lots\n")
        #expect(e?.line == 4)
        #expect(e?.column == 18)
        #expect(e?.path == "load.tasks_per_day")
        #expect(e?.message.contains("expected a number") == true)
    }

    @Test func badDurationPercentAndRangeAreRejectedWithTheirPlace() {
        let d = loadError("name: t\nduration: 1 hour\nload: { tasks_per_day: 10 }\n")
        #expect(d?.line == 2 && d?.column == 11)
        #expect(d?.message.contains("250ms") == true)
        let p = loadError("name: t\nduration: 1h\nload:\n  tasks_per_day: 10\n  duplicates: { rate: 150% }\n")
        #expect(p?.path == "load.duplicates.rate")
        #expect(p?.line == 5 && p?.column == 23)
        let r = loadError("name: t\nduration: 1h\nload:\n  tasks_per_day: 10\n  duplicates: { rate: 1%, delay: 30s..10s }\n")
        #expect(r?.path == "load.duplicates.delay")
        #expect(r?.message.contains("start <= end") == true)
    }

    @Test func impossibleCombinationsAreRejected() {
        let both = loadError("name: t\nduration: 1h\nload:\n  tasks_per_day: 10\n  rate: 1/s\n")
        #expect(both?.message.contains("not both") == true)
        #expect(both?.line == 4)
        let modes = loadError("""
            name: t
            duration: 1h
            load: { tasks_per_day: 10 }
            stack:
              breaker: { failure_threshold: 5, failure_rate: 50% }
            """)
        #expect(modes?.path == "stack.breaker.failure_threshold")
        #expect(modes?.line == 5 && modes?.column == 33)
        let backoff = loadError("name: t\nduration: 1h\nload: { tasks_per_day: 10 }\nstack:\n  retry: { min: 10s, max: 1s }\n")
        #expect(backoff?.path == "stack.retry.min")
        let budget = loadError("name: t\nduration: 1h\nload: { tasks_per_day: 10 }\nstack:\n  budget: { max_tokens: 800, reserve_for_output: 800 }\n")
        #expect(budget?.path == "stack.budget.reserve_for_output")
        let late = loadError("name: t\nduration: 10m\nload: { tasks_per_day: 10 }\nllm:\n  faults:\n    - { during: 20m..25m, status: 503 }\n")
        #expect(late?.path == "llm.faults[0].during")
        #expect(late?.line == 6)
        #expect(late?.message.contains("never apply") == true)
        let noWindow = loadError("name: t\nduration: 1h\nload: { tasks_per_day: 10 }\nexpect:\n  breaker: { opens_within: 5s }\n")
        #expect(noWindow?.message.contains("no fault window") == true)
        // A stack without a breaker is not bad input: its breaker expectations fail when it runs (ExpectationTests).
        #expect(loadError("name: t\nduration: 1h\nload: { tasks_per_day: 10 }\nstack: { breaker: off }\nexpect:\n  breaker: { cycles: 0 }\n") == nil)
        let window = loadError("""
            name: t
            duration: 1h
            load: { tasks_per_day: 10 }
            llm:
              faults: [ { during: 1m..2m, status: 503 } ]
            expect:
              during: { window: 2, success_rate: 50% }
            """)
        #expect(window?.path == "expect.during.window")
        #expect(window?.message.contains("from 1 to 1") == true)
    }

    @Test func expectationValuesAreCheckedAgainstTheirUnit() {
        let e = loadError("name: t\nduration: 1h\nload: { tasks_per_day: 10 }\nexpect:\n  latency_p99: \"< fast\"\n")
        #expect(e?.path == "expect.latency_p99")
        #expect(e?.message.contains("'< 40s'") == true)
        let cause = loadError("name: t\nduration: 1h\nload: { tasks_per_day: 10 }\nexpect:\n  failures_by_cause: { permanant: 0 }\n")
        #expect(cause?.suggestion == "permanent")
        let route = loadError("name: t\nduration: 1h\nload: { tasks_per_day: 10 }\nexpect:\n  routes: { simpel: { task_share: 50% } }\n")
        #expect(route?.suggestion == "simple")
    }

    @Test func yamlSyntaxErrorsCarryTheirPosition() {
        let e = loadError("name: t\nduration: 1h\nload: { tasks_per_day: 10\n")
        #expect(e != nil)
        #expect((e?.line ?? 0) > 0)
        #expect(e?.message.contains("YAML syntax error") == true)
    }

    @Test func thresholdsParseComparisonsAndUnits() throws {
        let s = try scenario("""
            name: t
            duration: 1h
            load: { tasks_per_day: 10 }
            expect:
              success_rate: 99.5%
              failures_per_day: 10k
              latency_p50: "> 250ms"
              cost_per_day: "<= $3.50"
              offered_load: "< 2x"
            """)
        #expect(s.expectations[0] == .threshold(name: "success_rate", metric: .successRate, threshold: Threshold(.atLeast, 0.995, unit: .percent), scope: .run))
        #expect(s.expectations[1] == .threshold(name: "failures_per_day", metric: .failuresPerDay, threshold: Threshold(.atMost, 10_000, unit: .number), scope: .run))
        #expect(s.expectations[2] == .threshold(name: "latency_p50", metric: .latency(percentile: 50), threshold: Threshold(.greaterThan, 0.25, unit: .seconds), scope: .run))
        #expect(s.expectations[3] == .threshold(name: "cost_per_day", metric: .costPerDay, threshold: Threshold(.atMost, 3.5, unit: .dollars), scope: .run))
        #expect(s.expectations[4] == .threshold(name: "offered_load", metric: .offeredLoad, threshold: Threshold(.lessThan, 2, unit: .factor), scope: .run))
    }

    @Test func stackSectionsCanBeSwitchedOff() throws {
        let s = try scenario("""
            name: t
            duration: 1h
            load: { tasks_per_day: 10 }
            stack: { retry: off, breaker: off, idempotency: off, budget: off }
            """)
        #expect(s.stack.retry.maxAttempts == 1)
        #expect(s.stack.breaker == nil)
        #expect(s.stack.idempotencyTTL == nil)
        #expect(s.stack.tokenBudget == nil)
    }

    @Test func everyBundledScenarioLoads() throws {
        #expect(ScenarioCatalog.names.count >= 10)
        for name in ScenarioCatalog.names {
            let s = try ScenarioCatalog.load(name)
            #expect(s.name == name, "file name and scenario name agree")
            #expect(!s.expectations.isEmpty)
        }
    }
}
