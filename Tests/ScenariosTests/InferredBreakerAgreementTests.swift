import Foundation
import Testing

@testable import Scenarios

/// The breaker inferred at the LLM against the simulator's real breaker (issue #9 item 4): the
/// evidence that the inference is trustworthy. `Benchmarks/llmbreaker/agreement.sh` runs the same
/// with `SQUALL_AGREEMENT_SEEDS=200`.
@Suite struct InferredBreakerAgreementTests {
    /// A provider outage under steady traffic (2 tasks/s), the catalog breaker's stack.
    static let dense = """
        name: inferred-breaker-dense
        seed: 1
        duration: 12m
        load: { rate: 2/s, arrival: poisson }
        stack:
          timeout: 30s
          retry: { attempts: 5, multiplier: 1, min: 1s, max: 60s, jitter: full }
          breaker: { failure_threshold: 5, window: 60s, recovery_timeout: 30s, half_open_probes: 1 }
        llm:
          latency: { lognormal: { median: 800ms, p99: 6s } }
          faults:
            - { during: 3m..8m, status: 503 }
            - { rate: 1%, status: 429, retry_after: 2s }
        """

    static var seeds: Int { Int(ProcessInfo.processInfo.environment["SQUALL_AGREEMENT_SEEDS"] ?? "") ?? 20 }

    /// The stated bound: inferred instants within this many seconds of the real ones.
    static let bound = 2.0

    static func measure(_ s: Scenario, rule: InferredBreakerRule = InferredBreakerRule()) throws -> InferredBreakerAgreement {
        let noBreaker = try #require(Mutant.noBreaker.apply(to: s).scenario)
        var a = InferredBreakerAgreement()
        for seed in 1...UInt64(seeds) {
            let options = SimulationOptions(seed: seed, inferBreaker: rule)
            a.add(ScenarioRunner.simulate(s, options: options), window: 1, bound: bound)
            a.addNoBreaker(ScenarioRunner.simulate(noBreaker, options: options))
        }
        return a
    }

    @Test func inferredTransitionsMatchTheSimulatorsBreakerUnderSteadyTraffic() throws {
        let a = try Self.measure(scenario(Self.dense))
        print("inferred breaker agreement (dense, \(Self.seeds) seeds): \(a.summary); disagreeing seeds \(a.disagreeing)")
        #expect(a.realOpens == a.seeds)
        #expect(a.opensAgreed == a.realOpens)
        #expect(a.closesAgreed == a.realCloses)
        #expect(a.falseOpens == 0)
        #expect(a.noBreakerSeeds == a.seeds)
        #expect(a.noBreakerOpens == 0)
    }

    @Test func aStatedInferenceRuleIsTheOneTheRunUses() throws {
        // `target.breaker_inference` replaces the default rule for a foreign target's breaker.* verdicts.
        let yaml = Self.dense + "\nexpect: { breaker: { closes_within: 1m } }"
        let s = try scenario(yaml + "\ntarget: { breaker_inference: { min_silence: 2s, evidence_arrivals: 6, probe_allowance: 3 } }")
        let rule = InferredBreakerRule(minSilence: .seconds(2), evidenceArrivals: 6, probeAllowance: 3)
        #expect(s.breakerInference == rule)
        #expect(ResultNeeds(scenario: s, foreignTarget: true).mechanisms.inferredBreaker == rule)
        #expect(ResultNeeds(scenario: try scenario(yaml), foreignTarget: true).mechanisms.inferredBreaker == InferredBreakerRule())
        // The simulator infers with it too, so agreement.sh can measure a stated rule.
        let r = ScenarioRunner.simulate(s, options: SimulationOptions(seed: 1, inferBreaker: rule))
        #expect(r.aggregates.mechanisms.inferredBreaker != nil)
    }

    @Test func badInferenceRulesNameTheFieldAndWhatIsValid() {
        func message(_ rule: String) -> String {
            do {
                _ = try scenario(Self.dense + "\ntarget: { breaker_inference: \(rule) }")
                return ""
            } catch { return "\(error)" }
        }
        #expect(message("{ probe_allowance: 2 }").contains("probe_allowance must be 0…1"))
        #expect(message("{ evidence_arrivals: 1 }").contains("evidence_arrivals must be 2…1000"))
        #expect(message("{ min_silence: 0s }").contains("min_silence must be above 0s"))
        #expect(message("{ silence: 1s }").contains("silence"))
        // Without `command`, breaker_inference stands on its own (no "needs 'command'").
        #expect(message("{ evidence_arrivals: 5, probe_allowance: 3 }") == "")
    }

    @Test func catalogOutageScenarioAgreementIsMeasured() throws {
        let a = try Self.measure(ScenarioCatalog.load("provider-outage-breaker"))
        print("inferred breaker agreement (provider-outage-breaker, \(Self.seeds) seeds): \(a.summary); disagreeing seeds \(a.disagreeing)")
        #expect(a.noBreakerOpens == 0)
        #expect(a.falseOpens == 0)
    }
}
