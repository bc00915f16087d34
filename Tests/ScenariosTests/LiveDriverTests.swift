import Foundation
import Reliability
import Testing

@testable import Scenarios
import Traffic

/// The live driver over real loopback sockets (in-process MockLLM, libcurl), time-compressed.
/// Every run is bounded: a few hundred tasks and at most a few seconds of wall-clock time.
@Suite(.serialized) struct LiveDriverTests {
    static let duplicatesYAML = """
        name: live-duplicates
        seed: 7
        duration: 2m
        load:
          rate: 2/s
          arrival: constant
          duplicates: { rate: 40%, delay: 1s..20s, concurrent: 50% }
          prompts:
            - { text: "What is the capital of France?", weight: 0.5 }
            - { text: "Draft a migration plan for moving our billing jobs to a queue.", weight: 0.5 }
        stack:
          timeout: 10s
          retry: { attempts: 3, multiplier: 1, min: 1s, max: 10s }
          idempotency: { ttl: 24h }
        llm:
          latency: { fixed: 2s }
        expect:
          duplicate_executions: 0
          success_rate: ">= 99%"
        """

    @Test func theSubmissionScheduleIsExactlyWhatTheSimulatorSends() throws {
        let s = try scenario(Self.duplicatesYAML)
        let simulated = try simulateWithTasks(s).1.sorted { $0.id < $1.id }
        let planned = Array(SubmissionSchedule(scenario: s, seed: s.seed))
        #expect(planned.count == simulated.count)
        #expect(planned.filter(\.duplicate).count > 20)
        #expect(planned.filter(\.concurrent).count > 5)
        for (p, r) in zip(planned, simulated) {
            #expect(p.id == r.id && p.key == r.key && p.duplicate == r.duplicate)
            #expect(abs(p.at.seconds - r.intendedStart) < 1e-6)
            #expect(s.stack.router.route(s.load.prompts[p.prompt].text).rule == r.route)
        }
    }

    @Test func liveDuplicatesReachTheLLMOnceAndAgreeWithTheSimulation() async throws {
        let s = try scenario(Self.duplicatesYAML)
        let runner = ScenarioRunner(drivers: [SimulationDriver(), LiveScenarioDriver(options: LiveOptions(timeScale: 40))])
        let live = try await runner.run(s, mode: .live)
        let sim = try await runner.run(s, mode: .sim)
        #expect(live.mode == .live && !live.incomplete)
        // The same submissions were offered in both modes.
        #expect(live.totals.submitted == sim.totals.submitted)
        #expect(live.duplicates.submitted == sim.duplicates.submitted)
        // Executions per key were counted at the mock: no key ran twice.
        #expect(live.duplicates.duplicateExecutions == 0 && live.duplicates.maxExecutionsPerKey == 1)
        #expect(live.duplicates.replayed + live.duplicates.conflicts == live.duplicates.submitted)
        #expect(live.passed, "\(live.expectations.filter { !$0.passed })")
    }

    static let outageYAML = """
        name: live-outage
        seed: 3
        duration: 3m
        load:
          rate: 4/s
          arrival: constant
          prompts: [{ text: "What is 2+2?" }]
        stack:
          timeout: 5s
          retry: { attempts: 2, multiplier: 1, min: 1s, max: 5s }
          breaker: { failure_threshold: 5, window: 10s, recovery_timeout: 10s, half_open_probes: 1, on_open: fail }
          idempotency: { ttl: 24h }
        llm:
          latency: { fixed: 200ms }
          faults:
            - { during: 60s..90s, status: 503 }
        expect:
          breaker:
            opens_within: 10s of outage start
            closes_within: 20s of outage end
            half_open_probes: "<= 1"
        """

    @Test func aLiveOutageOpensTheBreakerAndItClosesAfterwards() async throws {
        let s = try scenario(Self.outageYAML)
        let runner = ScenarioRunner(drivers: [LiveScenarioDriver(options: LiveOptions(timeScale: 60))])
        let (r, tasks) = try await runWithTasks(runner, s, mode: .live)
        let opens = r.breaker.transitions.filter { $0.to == "open" }
        let closes = r.breaker.transitions.filter { $0.to == "closed" }
        #expect(!opens.isEmpty && !closes.isEmpty)
        #expect(opens.first!.at >= 60 && opens.first!.at < 75)
        #expect(closes.last!.at >= 90)
        #expect(r.passed, "\(r.expectations.filter { !$0.passed })")
        // Tasks that arrived before the outage all succeeded.
        #expect(tasks.filter { $0.intendedStart < 55 }.allSatisfy { $0.result == "succeeded" })
        #expect(tasks.count == r.totals.submitted)
    }

    @Test func aForeignTargetIsNeverJudgedOnStackEventsItCannotShow() async throws {
        // Checked before any I/O: nothing listens on port 9, and the run must not get that far.
        // (opens_within, closes_within and half_open_probes are inferred at the LLM for a foreign
        // target; calls_while_open — the breaker's admissions — cannot be.)
        let s = try scenario(
            Self.outageYAML.replacingOccurrences(of: "half_open_probes: \"<= 1\"", with: "half_open_probes: \"<= 1\"\n    calls_while_open: 0"))
        #expect(s.expectations.contains { $0.name == "breaker.calls_while_open" })
        let driver = LiveScenarioDriver(
            options: LiveOptions(timeScale: 60, llmURL: "http://127.0.0.1:9", targetURL: "http://127.0.0.1:9"))
        do {
            _ = try await driver.run(s, seed: nil)
            Issue.record("a breaker expectation was judged against a foreign service")
        } catch let error as ScenarioRunError {
            #expect(error.message.contains("cannot observe breaker.calls_while_open"), "\(error.message)")
            #expect(!error.message.contains("breaker.opens_within"), "\(error.message)")
        }
    }

    @Test func anUnreachableLLMIsARunFailure() async throws {
        let s = try scenario(Self.outageYAML)
        let driver = LiveScenarioDriver(options: LiveOptions(timeScale: 60, llmURL: "http://127.0.0.1:9"))
        await #expect(throws: ScenarioRunError.self) { try await driver.run(s, seed: nil) }
    }
}
