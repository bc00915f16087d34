import AgentService
import Foundation
import Reliability
import Testing
import Reporting
import YAMLConfig

@testable import Scenarios

/// The `service:`, `mode:` and `time_scale:` keys and `expect.shutdown`: decoding, errors with
/// line and column, and the shutdown verdicts (no network).
struct ServiceLiveSchemaTests {
    static let base = """
        name: svc
        duration: 4m
        load: { rate: 2/s }
        """

    @Test func decodesTheServiceSectionModeAndTimeScale() throws {
        let s = try scenario(
            Self.base + """

                mode: live
                time_scale: 50
                service:
                  replicas: 2
                  redis: true
                  workers: 8
                  queue: 100
                  drain_timeout: 20s
                  idempotency_wait: 1s
                  sigterm: { replica: 1, at: 2m }
                expect:
                  shutdown: { lost: 0, drain_time: "< 30s" }
                """)
        #expect(s.mode == .live)
        #expect(s.timeScale == 50)
        let spec = try #require(s.service)
        #expect(spec.replicas == 2 && spec.redis && spec.workers == 8 && spec.queue == 100)
        #expect(spec.drainTimeout == .seconds(20) && spec.idempotencyWait == .seconds(1))
        #expect(spec.sigterm == ServiceSpec.Sigterm(replica: 1, at: .seconds(120)))
        #expect(s.expectations.map(\.name) == ["shutdown.lost", "shutdown.drain_time"])
    }

    @Test func defaultsAreSimModeNoScaleNoService() throws {
        let s = try scenario(Self.base)
        #expect(s.mode == .sim && s.timeScale == nil && s.service == nil)
        let one = try scenario(Self.base + "\nservice: {}")
        #expect(one.service == ServiceSpec())
    }

    @Test func unknownServiceKeyNamesLineColumnAndSuggests() throws {
        let e = try #require(loadError(Self.base + "\nservice:\n  replicas: 1\n  drain_timout: 5s"))
        #expect(e.line == 6 && e.column == 3)
        #expect(e.suggestion == "drain_timeout")
    }

    @Test func severalReplicasWithoutRedisAreRejected() throws {
        let e = try #require(loadError(Self.base + "\nservice: { replicas: 2 }"))
        #expect(e.line == 4)
        #expect(e.message.contains("redis: true"))
    }

    @Test func sigtermMustNameAReplicaThatExistsAndComeBeforeTheEnd() throws {
        let noReplica = try #require(loadError(Self.base + "\nservice:\n  sigterm: { replica: 1, at: 1m }"))
        #expect(noReplica.line == 5 && noReplica.message.contains("no replica 1"))
        let late = try #require(loadError(Self.base + "\nservice:\n  sigterm: { at: 4m }"))
        #expect(late.line == 5 && late.message.contains("at or after the scenario ends"))
        let missing = try #require(loadError(Self.base + "\nservice:\n  sigterm: { replica: 0 }"))
        #expect(missing.message.contains("at"))
    }

    @Test func badModeAndTimeScaleAreRejectedWithTheirPlace() throws {
        let mode = try #require(loadError(Self.base + "\nmode: lve"))
        #expect(mode.line == 4 && mode.column == 7 && mode.suggestion == "live")
        let scale = try #require(loadError(Self.base + "\ntime_scale: 0"))
        #expect(scale.line == 4 && scale.message.contains("above 0"))
    }

    @Test func shutdownExpectationsNeedAServiceAndDrainTimeASignal() throws {
        let noService = try #require(loadError(Self.base + "\nexpect:\n  shutdown: { lost: 0 }"))
        #expect(noService.line == 5 && noService.message.contains("no 'service:' section"))
        let noSignal = try #require(loadError(Self.base + "\nservice: {}\nexpect:\n  shutdown: { drain_time: 10s }"))
        #expect(noSignal.line == 6 && noSignal.message.contains("sigterm"))
        let unknown = try #require(loadError(Self.base + "\nservice: {}\nexpect:\n  shutdown: { lose: 0 }"))
        #expect(unknown.suggestion == "lost")
    }

    @Test func lostTasksFailTheShutdownExpectationAndAreNamed() throws {
        let s = try scenario(Self.base + "\nservice: { sigterm: { at: 1m } }\nexpect:\n  shutdown: { lost: 0, drain_time: \"< 30s\" }")
        var r = simulate(s)
        r.service = ServiceRunSummary(
            replicas: 1, redis: false, accepted: 10, lost: 2, lostIDs: ["t-a", "t-b"], sigtermReplica: 0, sigtermAtSeconds: 60,
            drainSeconds: 12)
        ExpectationEvaluator.evaluate(s, &r)
        let lost = try #require(verdict(r, "shutdown.lost"))
        #expect(!lost.passed && lost.observed == "2" && lost.detail.contains("t-a, t-b"))
        #expect(verdict(r, "shutdown.drain_time")?.passed == true)
        r.service?.drainSeconds = 31
        ExpectationEvaluator.evaluate(s, &r)
        #expect(verdict(r, "shutdown.drain_time")?.passed == false)
        #expect(!r.passed)
    }

    @Test func aServiceKilledAfterIgnoringSigtermFailsDrainTimeWhateverItsClockSays() throws {
        let s = try scenario(Self.base + "\nservice: { sigterm: { at: 1m } }\nexpect:\n  shutdown: { drain_time: \"< 30s\" }")
        var r = simulate(s)
        r.service = ServiceRunSummary(replicas: 1, redis: false, accepted: 10, sigtermReplica: 0, sigtermAtSeconds: 60, drainSeconds: 12)
        ExpectationEvaluator.evaluate(s, &r)
        #expect(verdict(r, "shutdown.drain_time")?.passed == true)
        r.service?.killed = true
        ExpectationEvaluator.evaluate(s, &r)
        let drain = try #require(verdict(r, "shutdown.drain_time"))
        #expect(!drain.passed && drain.observed == "did not exit" && drain.detail.contains("killed"))
    }

    @Test func withoutAServiceRunShutdownExpectationsFail() throws {
        let s = try scenario(Self.base + "\nservice: {}\nexpect:\n  shutdown: { lost: 0 }")
        let r = simulate(s)  // the simulator has no task service
        #expect(verdict(r, "shutdown.lost")?.passed == false)
    }

    @Test func theAuditCountsMissingAndUnfinishedTasksAsLost() async throws {
        let store: any TaskStore = InMemoryTaskStore()
        func record(_ id: String, _ status: String, cause: String? = nil) -> String {
            "{\"task_id\":\"\(id)\",\"task\":\"x\",\"user_id\":\"u\",\"status\":\"\(status)\",\"attempts\":1,\"created_at\":0"
                + (cause.map { ",\"cause\":\"\($0)\"" } ?? "") + "}"
        }
        for id in ["done", "shut", "pending"] { #expect(try await store.submit(try decoded(record(id, "pending")), queueLimit: 10)) }
        try await store.finish(try decoded(record("done", "complete")))
        try await store.finish(try decoded(record("shut", "failed", cause: "shutdown")))
        var summary = ServiceRunSummary(replicas: 1, redis: false)
        await ServiceLiveRun.audit(accepted: ["done", "shut", "pending", "vanished"], store: store, into: &summary)
        #expect(summary.accepted == 4)
        #expect(summary.lost == 2 && summary.lostIDs == ["pending", "vanished"])
        #expect(summary.endedByShutdown == 1)
    }

    @Test func resultsWithoutAServiceSectionStillDecode() throws {
        var r = simulate(try scenario(Self.base))
        r.service = nil
        let data = try r.summaryJSON()
        let text = String(decoding: data, as: UTF8.self)
        #expect(!text.contains("\"service\""))
        let back = try ScenarioResult.makeDecoder().decode(ScenarioResult.self, from: data)
        #expect(back.service == nil)
        r.service = ServiceRunSummary(replicas: 2, redis: true, accepted: 5, drainSeconds: 3)
        let again = try ScenarioResult.makeDecoder().decode(ScenarioResult.self, from: try r.summaryJSON())
        #expect(again.service == r.service)
    }
}

/// A `Decodable` from JSON text, its type inferred from where it goes (the service's task record
/// shares its name with the scenarios' own).
func decoded<T: Decodable>(_ json: String) throws -> T {
    try JSONDecoder().decode(T.self, from: Data(json.utf8))
}

/// The report's task-service section.
struct ServiceReportTests {
    @Test func theReportShowsTheServiceSectionOnlyForServiceRuns() throws {
        var r = simulate(try scenario(ServiceLiveSchemaTests.base))
        #expect(!ReportMarkdown.render(r).contains("## Task service"))
        r.service = ServiceRunSummary(
            replicas: 2, redis: true, accepted: 480, lost: 0, endedByShutdown: 3, failovers: 12, sigtermReplica: 0,
            sigtermAtSeconds: 120, drainSeconds: 3.5)
        let md = ReportMarkdown.render(r)
        #expect(md.contains("## Task service"))
        #expect(md.contains("2 replicas sharing Redis"))
        #expect(md.contains("| tasks accepted with 202 | 480 |"))
        #expect(md.contains("| SIGTERM to replica 0 at | 2m0s |") || md.contains("| SIGTERM to replica 0 at | 2m |"))
        #expect(md.contains("drain time (scenario time)"))
    }
}
