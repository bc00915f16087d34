import Foundation
import Reliability
import Testing
import YAMLConfig

@testable import Scenarios

/// Count thresholds with a statistical tolerance (`"<= 120 at 99%"`) and per-task ratios.
@Suite struct CountThresholdTests {
    /// P(X ≥ k) by summing the Poisson probabilities directly (in logs).
    func directAtLeast(_ k: Int, _ mean: Double) -> Double {
        var below = 0.0
        for i in 0..<k { below += exp(-mean + Double(i) * log(mean) - lgamma(Double(i + 1))) }
        return 1 - below
    }

    @Test func poissonTailsMatchTheDirectSum() {
        #expect(abs(PoissonTail.atLeast(1, mean: 1) - (1 - exp(-1))) < 1e-12)
        #expect(abs(PoissonTail.atMost(0, mean: 2) - exp(-2)) < 1e-12)
        for (k, mean) in [(130, 120.0), (147, 120.0), (3, 0.5), (10_540, 10_300.0), (90, 120.0)] {
            #expect(abs(PoissonTail.atLeast(k, mean: mean) - directAtLeast(k, mean)) < 1e-9, "k=\(k) mean=\(mean)")
            #expect(abs(PoissonTail.atMost(k, mean: mean) - (1 - directAtLeast(k + 1, mean))) < 1e-9, "k=\(k) mean=\(mean)")
        }
        #expect(PoissonTail.atLeast(0, mean: 5) == 1)
        #expect(PoissonTail.atLeast(1, mean: 0) == 0)
        #expect(PoissonTail.atMost(0, mean: 0) == 1)
    }

    @Test func theWorkedExampleOfTheDocs() {
        // failures_per_day: "<= 120 at 99%" over one day: 146 failures pass, 147 fail.
        let t = Threshold(.atMost, 120, unit: .number, confidence: 0.99)
        let pass = CountTest.verdict(name: "f", threshold: t, value: 146, count: 146, days: 1, observations: 10_000, detail: "")
        let fail = CountTest.verdict(name: "f", threshold: t, value: 147, count: 147, days: 1, observations: 10_000, detail: "")
        #expect(pass.passed)
        #expect(!fail.passed)
        #expect(fail.detail.contains("P(X ≥ 147) = 0.0093"))
        #expect(t.description == "<= 120 at 99%")
        // Over two days the limit of 120/day is a mean of 240: 260 is within noise, 300 is not.
        #expect(CountTest.verdict(name: "f", threshold: t, value: 130, count: 260, days: 2, observations: 1, detail: "").passed)
        #expect(!CountTest.verdict(name: "f", threshold: t, value: 150, count: 300, days: 2, observations: 1, detail: "").passed)
        // A lower bound: ">= 100 at 99%" fails only when the count is clearly below.
        let lower = Threshold(.atLeast, 100, unit: .number, confidence: 0.99)
        #expect(CountTest.verdict(name: "f", threshold: lower, value: 90, count: 90, days: 1, observations: 1, detail: "").passed)
        #expect(!CountTest.verdict(name: "f", threshold: lower, value: 70, count: 70, days: 1, observations: 1, detail: "").passed)
    }

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

    func run(_ expect: String) throws -> ScenarioResult {
        simulate(try scenario(Self.lossy + "expect:\n" + expect))
    }

    @Test func aCountJustAboveTheLimitPassesWithAConfidenceAndAFarOneFails() throws {
        let first = try run("  failures: \">= 0\"\n")
        let failures = first.totals.failed
        let calls = first.usage.llmCalls
        #expect(failures > 400)
        let near = failures - 10
        let far = failures * 4 / 5
        let r = try run("""
              failures_per_day: "<= \(near) at 99%"
              failures: "<= \(near)"
              failures_by_cause: { permanent: "<= \(far) at 99%" }
              llm_calls: ">= \(calls * 13 / 10) at 99%"
            """)
        let tolerant = try #require(verdict(r, "failures_per_day"))
        #expect(tolerant.passed, "\(tolerant.detail)")
        #expect(tolerant.expected == "<= \(near) at 99%")
        #expect(tolerant.detail.contains("P(X ≥ \(failures))"))
        #expect(verdict(r, "failures")?.passed == false)
        #expect(verdict(r, "failures_by_cause.permanent")?.passed == false)
        #expect(verdict(r, "llm_calls")?.passed == false)
        let lenient = try run("  llm_calls: \">= \(calls + 50) at 99%\"\n")
        #expect(lenient.passed, "\(lenient.expectations.first?.detail ?? "")")
    }

    @Test func aConfidenceIsOnlyForCounts() {
        let base = "name: t\nduration: 1h\nload: { tasks_per_day: 10 }\nexpect:\n"
        let latency = loadError(base + "  latency_p99: \"< 2s at 99%\"\n")
        #expect(latency?.message.contains("a confidence ('at 99%') applies to counts only") == true)
        #expect(latency?.path == "expect.latency_p99")
        #expect(loadError(base + "  failures: \"== 3 at 99%\"\n")?.message.contains("needs a bound") == true)
        #expect(loadError(base + "  failures: \"<= 3 at 120%\"\n")?.message.contains("between 50% and 100%") == true)
        #expect(loadError(base + "  llm_calls_per_day: \"<= 3k at 95%\"\n") == nil)
        #expect(loadError(base + "  during: { failures: \"<= 3 at 95%\" }\n")?.message.contains("no fault window") == true)
    }

    @Test func llmCallsPerTaskCountsCallsActuallySent() throws {
        // 3 attempts against 50% 503s: 1 + 0.5 + 0.25 = 1.75 calls per task.
        let base = """
            name: retries
            seed: 4
            duration: 1d
            load: { tasks_per_day: 2000, prompts: [ "What is the capital of France?" ] }
            stack: { retry: { attempts: 3, min: 1s, max: 1s }, breaker: off }
            llm:
              latency: 500ms
              faults: [ { during: 12h..13h, rate: 1%, status: 503 }, { rate: 50%, status: 503 } ]
            expect:

            """
        let ok = simulate(try scenario(base + "  llm_calls_per_task: \"<= 1.9\"\n  before: { llm_calls_per_task: \">= 1.6\" }\n"))
        for v in ok.expectations { #expect(v.passed, "\(v.name): \(v.observed)") }
        let value = try #require(verdict(ok, "llm_calls_per_task")?.value)
        #expect(abs(value - 1.75) < 0.05)
        #expect(abs(value - Double(ok.usage.llmCalls) / Double(ok.totals.succeeded + ok.totals.failed)) < 1e-9)
        let bad = simulate(try scenario(base + "  llm_calls_per_task: \"<= 1.6\"\n  before: { llm_calls_per_task: \"<= 1.5\" }\n"))
        for v in bad.expectations { #expect(!v.passed, "\(v.name) should fail: \(v.observed)") }
    }
}
