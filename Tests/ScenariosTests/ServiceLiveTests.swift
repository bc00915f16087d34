import Foundation
import Reliability
import Testing

@testable import Scenarios

/// The catalog's live scenarios through the reference task service over real loopback sockets
/// (in-process MockLLM and service replicas, libcurl), time-compressed: each run is a few hundred
/// tasks and a few seconds of wall-clock time. The Redis ones use `SQUALL_TEST_REDIS_URL`
/// (scripts/test starts redis-server and sets it).
@Suite(.serialized) struct ServiceLiveTests {
    static let redisURL = ProcessInfo.processInfo.environment["SQUALL_TEST_REDIS_URL"]
    static let redisReason: Comment =
        "SQUALL_TEST_REDIS_URL is not set: run scripts/test (it starts redis-server), or start one and export SQUALL_TEST_REDIS_URL=redis://127.0.0.1:PORT"

    /// Runs a bundled scenario in its declared mode and time scale, as `squall run --catalog` does.
    /// `maxScale` caps the time scale (a lower scale only makes real-time stalls matter less).
    static func runDeclared(_ name: String, maxScale: Double? = nil) async throws -> (Scenario, ScenarioResult) {
        let (s, r, _) = try await runDeclaredWithTasks(name, maxScale: maxScale)
        return (s, r)
    }

    /// `runDeclared`, also reading back the run's streamed `tasks.csv`.
    static func runDeclaredWithTasks(_ name: String, maxScale: Double? = nil) async throws -> (Scenario, ScenarioResult, [TaskRow]) {
        let s = try ScenarioCatalog.load(name)
        #expect(s.mode == .live)
        let declared = try #require(s.timeScale)
        let scale = maxScale.map { min($0, declared) } ?? declared
        let runner = ScenarioRunner(drivers: [SimulationDriver(), LiveScenarioDriver(options: LiveOptions(timeScale: scale))])
        let (r, tasks) = try await runWithTasks(runner, s, mode: s.mode)
        return (s, r, tasks)
    }

    static func failing(_ r: ScenarioResult) -> String {
        r.expectations.filter { !$0.passed }.map { "\($0.name): expected \($0.expected), observed \($0.observed) (\($0.detail))" }
            .joined(separator: "\n")
    }

    @Test func endToEndThroughTheServiceKeepsTheArithmeticAndBreakerTimingOfTheSimulation() async throws {
        // At most 25× here (the catalog declares 50×): `opens_within: 15s` is 300 ms of real time at
        // 50×, which a CI machine running other suites can stall through; 600 ms at 25× it cannot.
        let (s, live) = try await Self.runDeclared("live-service-end-to-end", maxScale: 25)
        #expect(live.mode == .live && !live.incomplete)
        #expect(Self.failing(live) == "")
        let service = try #require(live.service)
        #expect(service.replicas == 1 && service.lost == 0 && service.accepted == live.totals.submitted)
        // The same scenario simulated: the same submissions, and the same checks hold.
        let sim = simulate(s)
        #expect(Self.failing(sim) == "")
        #expect(sim.totals.submitted == live.totals.submitted)
        let liveArithmetic = try #require(live.arithmetic)
        let simArithmetic = try #require(sim.arithmetic)
        #expect(liveArithmetic.consistent && simArithmetic.consistent)
        #expect(liveArithmetic.expectedFailureProbability == simArithmetic.expectedFailureProbability)
        // The breaker opened during the outage and closed after it, in both modes.
        #expect(live.breaker.opens >= 1 && sim.breaker.opens >= 1)
        #expect(live.breaker.transitions.contains { $0.to == "closed" && $0.at >= 180 })
    }

    @Test(.enabled(if: redisURL != nil, redisReason))
    func twoReplicasOnRedisExecuteEachDuplicatedKeyOnceAtTheLLM() async throws {
        let (_, live) = try await Self.runDeclared("live-service-two-replicas")
        #expect(!live.incomplete)
        #expect(Self.failing(live) == "")
        #expect(live.duplicates.submitted > 50)
        #expect(live.duplicates.concurrent > 20)
        #expect(live.duplicates.duplicateExecutions == 0 && live.duplicates.maxExecutionsPerKey == 1)
        let service = try #require(live.service)
        #expect(service.replicas == 2 && service.redis && service.lost == 0)
    }

    @Test(.enabled(if: redisURL != nil, redisReason))
    func sigtermMidLoadLosesNoAcceptedTaskAndReportsTheDrainTime() async throws {
        let (_, live, tasks) = try await Self.runDeclaredWithTasks("live-service-sigterm")
        #expect(!live.incomplete)
        #expect(Self.failing(live) == "")
        let service = try #require(live.service)
        #expect(service.lost == 0 && service.accepted > 300)
        let drain = try #require(service.drainSeconds)
        #expect(drain > 0 && drain < 30)
        #expect(service.sigtermReplica == 0 && service.sigtermAtSeconds == 120)
        // Every finished task ended complete, or failed with cause shutdown.
        #expect(tasks.count == live.totals.submitted)
        #expect(tasks.allSatisfy { $0.result != "failed" || $0.cause == "shutdown" })
    }

    @Test func aSingleReplicaWithoutRedisNeedsNoRedis() async throws {
        // Redis is not asked for: SQUALL_REDIS_URL and redis-server play no part.
        let s = try scenario(
            """
            name: live-service-small
            mode: live
            seed: 4
            duration: 1m
            load: { rate: 2/s, arrival: constant }
            stack:
              timeout: 5s
              retry: { attempts: 2, multiplier: 1, min: 1s, max: 2s }
              idempotency: { ttl: 24h }
            llm:
              latency: { fixed: 200ms }
            service: { replicas: 1, sigterm: { at: 30s } }
            expect:
              shutdown: { lost: 0, drain_time: "< 10s" }
            """)
        // 20×: the drain (a 200 ms call finishing) is real time multiplied by the scale, and must stay
        // under the 10 s limit even when the machine is busy.
        let runner = ScenarioRunner(drivers: [LiveScenarioDriver(options: LiveOptions(timeScale: 20))])
        let r = try await runner.run(s, mode: .live)
        let service = try #require(r.service)
        #expect(!service.redis && service.drainSeconds != nil)
        // After its only replica shut down, later submissions were refused: they failed, none was lost.
        #expect(service.lost == 0)
        #expect(r.totals.failed > 0)
        #expect(Self.failing(r) == "")
        // Those submissions failed as the service's refusal (submit_refused / submit_error 503), never `permanent`.
        let causes = Set(r.failuresByCause.map(\.name))
        #expect(!causes.isEmpty && causes.isSubset(of: ["submit_refused", "submit_error", "shutdown"]))
        // The service's latency was measured through its API: every accepted submission was timed,
        // its polls and /health were sampled; the shut-down replica's refused requests are not latencies.
        let latency = try #require(r.serviceLatency)
        #expect(latency.accept.count >= service.accepted && latency.poll.count > 0 && latency.health.count > 0)
        #expect(latency.accept.failures + latency.health.failures > 0)
    }
}
