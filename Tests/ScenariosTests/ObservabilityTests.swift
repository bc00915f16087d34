import Foundation
import Reliability
import Testing
import YAMLConfig

@testable import Scenarios

/// Each expectation declares the evidence it needs; a target that cannot provide it is told
/// before the run (contract 5).
@Suite struct ObservabilityTests {
    static let yaml = """
        name: observed
        duration: 1h
        load: { tasks_per_day: 1000, duplicates: { rate: 5%, delay: 1s..10s } }
        stack:
          breaker: { failure_threshold: 5, window: 60s, recovery_timeout: 30s }
          idempotency: { ttl: 1h }
        llm:
          faults:
            - { during: 10m..20m, status: 503 }
        expect:
          success_rate: ">= 90%"
          llm_calls: "<= 5000"
          breaker: { opens_after: 5 failures, closes_within: 1m of the first call after the outage }
          retry_after_early: 0
          duplicates: { reexecution_within: 24h, replays_identical: true }
          during_outage: { llm_calls: "<= 100" }
        """

    @Test func everyExpectationIsObservableInTheSimulator() throws {
        let s = try scenario(Self.yaml)
        #expect(ObservabilityCheck.unobservable(s.expectations, provided: EvidenceKind.all).isEmpty)
        try ObservabilityCheck.require(s, provided: EvidenceKind.all, target: "the simulator")
    }

    @Test func aTargetWithoutTheStacksEventsCannotJudgeTheBreaker() throws {
        let s = try scenario(Self.yaml)
        let missing = ObservabilityCheck.unobservable(s.expectations, provided: [.taskOutcomes, .llmCalls])
        #expect(missing.map(\.name) == ["breaker.opens_after", "breaker.closes_within", "duplicates.replays_identical"])
        #expect(missing[0].missing == [.stackEvents])
        #expect(missing[0].description == "breaker.opens_after needs the client stack's events")
    }

    @Test func callLogExpectationsNeedTheCallLogAndWindowScopesNeedTaskOutcomes() throws {
        let s = try scenario(Self.yaml)
        let missing = ObservabilityCheck.unobservable(s.expectations, provided: [.stackEvents, .serviceAPI])
        #expect(
            missing.map(\.name) == [
                "success_rate", "llm_calls", "retry_after_early", "duplicates.reexecution_within", "during[1].llm_calls",
            ])
        let scoped = try #require(s.expectations.first { $0.name == "during[1].llm_calls" })
        #expect(scoped.evidence == EvidenceNeed([.llmCalls, .taskOutcomes]))
    }

    @Test func anUnobservableExpectationIsBadInputNamingWhatIsMissing() throws {
        let s = try scenario(Self.yaml)
        #expect(throws: ConfigError.self) {
            try ObservabilityCheck.require(s, provided: [.taskOutcomes, .llmCalls], target: "a foreign service")
        }
        do {
            try ObservabilityCheck.require(s, provided: [.taskOutcomes, .llmCalls], target: "a foreign service")
        } catch {
            #expect(error.message.contains("a foreign service cannot observe breaker.opens_after needs the client stack's events"))
            #expect(error.path == "expect")
        }
    }

    @Test func everyVerdictSaysWhereItWasMeasured() throws {
        let r = simulate(try scenario(Self.yaml))
        #expect(verdict(r, "success_rate")?.measuredFrom == "simulator · task outcomes")
        #expect(verdict(r, "breaker.opens_after")?.measuredFrom == "simulator · stack events")
        #expect(verdict(r, "retry_after_early")?.measuredFrom == "simulator · LLM calls")
        #expect(verdict(r, "during[1].llm_calls")?.measuredFrom == "simulator · task outcomes + LLM calls")
        #expect(EvidenceNeed([.llmCalls]).source(mode: .live) == "mock call log")
        #expect(EvidenceNeed([.taskOutcomes, .llmCalls]).source(mode: .live) == "task outcomes + mock call log")
    }

    @Test func aVerdictWrittenBeforeMeasuredFromExistedDecodesWithout() throws {
        let old = #"{"name":"x","expected":"e","observed":"o","status":"pass","passed":true,"observations":3,"detail":""}"#
        let v = try JSONDecoder().decode(ExpectationVerdict.self, from: Data(old.utf8))
        #expect(v.measuredFrom == nil && v.passed)
        var now = v
        now.measuredFrom = "mock call log"
        let text = String(decoding: try JSONEncoder().encode(now), as: UTF8.self)
        #expect(text.contains(#""measured_from":"mock call log""#))
    }

    @Test func anAlternativeIsMetByAnyOneOfItsSets() {
        let need = EvidenceNeed(anyOf: [[.stackEvents], [.llmCalls, .taskOutcomes]])
        #expect(need.isMet(by: [.stackEvents]))
        #expect(need.isMet(by: [.llmCalls, .taskOutcomes]))
        #expect(!need.isMet(by: [.llmCalls]))
        #expect(need.description == "the client stack's events, or task outcomes and the LLM call log")
    }
}
