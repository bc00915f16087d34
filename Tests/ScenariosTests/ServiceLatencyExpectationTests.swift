import Foundation
import LoadGen
import Reporting
import Testing
import YAMLConfig

@testable import Scenarios

/// `expect.service` (the task service's accept, poll and /health latency): decoding, the check that
/// a run without a task service cannot observe it, the verdicts and the report section (no network).
struct ServiceLatencyExpectationTests {
    static let yaml = """
        name: svc-latency
        mode: live
        duration: 1m
        load: { rate: 2/s }
        expect:
          service: { accept_p99: "< 200ms", health_max: "< 1s", poll_p50: 50ms }
        """

    /// A result whose service latency is `accept` (p99) and `health` (max), n of each.
    static func result(_ s: Scenario, accept: Double, health: Double, n: Int = 10) -> ScenarioResult {
        var r = simulate(s)
        r.mode = .live
        let figure = { (v: Double) in ServiceLatencyFigure(count: n, timeouts: 0, failures: 0, p50: v / 2, p90: v, p99: v, max: v) }
        r.serviceLatency = ServiceLatencySummary(accept: figure(accept), poll: figure(0.01), health: figure(health), healthIntervalSeconds: 0.25)
        ExpectationEvaluator.evaluate(s, &r)
        return r
    }

    @Test func decodesKindAndStatisticKeysAsRealTimeThresholds() throws {
        let s = try scenario(Self.yaml)
        #expect(s.expectations.map(\.name) == ["service.accept_p99", "service.health_max", "service.poll_p50"])
        guard case .serviceLatency(_, let kind, let stat, let t) = s.expectations[0] else {
            Issue.record("not a service latency expectation")
            return
        }
        #expect(kind == .accept && stat == .p99 && t.holds(0.199) && !t.holds(0.2))
        // What it needs: the task service's API, which a foreign target provides.
        #expect(s.expectations[0].evidence == EvidenceNeed([.serviceAPI]))
        #expect(ObservabilityCheck.unobservable(s.expectations, provided: LiveScenarioDriver.foreignTargetEvidence).isEmpty)
    }

    @Test func anUnknownKeyNamesTheLineAndTheValidKeys() throws {
        let e = try #require(loadError(Self.yaml.replacingOccurrences(of: "accept_p99", with: "accept_p98")))
        #expect(e.line == 6)
        #expect(e.description.contains("accept_p98") && e.description.contains("health_max"))
        let bad = try #require(loadError(Self.yaml.replacingOccurrences(of: "\"< 200ms\"", with: "fast")))
        #expect(bad.line == 6)
    }

    @Test func aRunWithoutATaskServiceCannotObserveIt() throws {
        let s = try scenario(Self.yaml)
        do {
            try ServiceLatencyExpectation.requireService(s, measuresService: false, target: "the simulator")
            Issue.record("no error")
        } catch {
            #expect(error.message.contains("the simulator cannot observe service.accept_p99, service.health_max, service.poll_p50"))
            #expect(error.message.contains("--target-url"))
        }
        try ServiceLatencyExpectation.requireService(s, measuresService: true, target: "x")
        // A scenario without expect.service needs no service.
        try ServiceLatencyExpectation.requireService(try scenario("name: a\nduration: 1m\nload: { rate: 1/s }"), measuresService: false, target: "x")
    }

    @Test func aStalledServiceFailsNamingTheFigureAndAFastOnePasses() throws {
        let s = try scenario(Self.yaml)
        let slow = Self.result(s, accept: 2.5, health: 4)
        let accept = try #require(verdict(slow, "service.accept_p99"))
        #expect(accept.status == .fail && accept.observed == "2.5s" && accept.observations == 10)
        #expect(accept.measuredFrom == "service API")
        #expect(verdict(slow, "service.health_max")?.status == .fail)
        let fast = Self.result(s, accept: 0.02, health: 0.05)
        #expect(verdict(fast, "service.accept_p99")?.status == .pass && verdict(fast, "service.health_max")?.status == .pass)
    }

    @Test func anEmptyPopulationIsNoEvidenceAndNoServiceIsAFailure() throws {
        let s = try scenario(Self.yaml)
        let empty = Self.result(s, accept: 0, health: 0, n: 0)
        #expect(verdict(empty, "service.accept_p99")?.status == .noEvidence)
        var none = simulate(s)
        ExpectationEvaluator.evaluate(s, &none)
        #expect(verdict(none, "service.accept_p99")?.status == .fail)
    }

    @Test func healthSamplesThatAllFailTheProbeAreNoEvidenceNotAFastPass() throws {
        // A service with no endpoint at the sampled path answers 404 fast on every sample: that
        // latency says nothing about its health, so `health_max` has no evidence instead of passing.
        let s = try scenario(Self.yaml)
        var r = Self.result(s, accept: 0.02, health: 0.001)
        r.serviceLatency!.health.unhealthy = 10
        r.expectations = []
        ExpectationEvaluator.evaluate(s, &r)
        let health = try #require(verdict(r, "service.health_max"))
        #expect(health.status == .noEvidence)
        #expect(health.detail.contains("set `target.health`"))
        // Some failed probes among healthy answers: judged, and said.
        r.serviceLatency!.health.unhealthy = 3
        r.expectations = []
        ExpectationEvaluator.evaluate(s, &r)
        let mixed = try #require(verdict(r, "service.health_max"))
        #expect(mixed.status == .pass && mixed.detail.contains("3 answered outside 200–399"))
        #expect(ReportMarkdown.render(r).contains("| health | 10 | 0 | 0 | 3 |"))
    }

    @Test func theHealthPathIsPartOfTheContract() throws {
        let s = try scenario(Self.yaml + "\ntarget: { health: /healthz }")
        #expect(s.target?.healthPath == "/healthz")
        #expect(TaskContract.reference.healthPath == "/health")
        #expect(throws: ConfigError.self) { try scenario(Self.yaml + "\ntarget: { health: healthz }") }
        // Results written before `unhealthy` existed still read (as 0).
        let old = #"{"count":1,"timeouts":0,"failures":0,"p50":0.1,"p90":0.1,"p99":0.1,"max":0.1}"#
        let f = try JSONDecoder().decode(ServiceLatencyFigure.self, from: Data(old.utf8))
        #expect(f.unhealthy == 0 && f.count == 1)
    }

    @Test func theReportHasAServiceLatencySectionSayingWhereItWasMeasured() throws {
        let s = try scenario(Self.yaml)
        let r = Self.result(s, accept: 2.5, health: 4)
        let md = ReportMarkdown.render(r)
        #expect(md.contains("## Service latency") && md.contains("Measured from: service API"))
        #expect(md.contains("| accept (submit → answer) | 10 |"))
        // summary.json carries it (additive) and reads back.
        let data = try ScenarioResult.makeEncoder().encode(r)
        let json = String(decoding: data, as: UTF8.self)
        #expect(json.contains("\"service_latency\"") && json.contains("\"health_interval_seconds\""))
        let back = try ScenarioResult.makeDecoder().decode(ScenarioResult.self, from: data)
        #expect(back.serviceLatency == r.serviceLatency)
        #expect(!ReportMarkdown.render(simulate(s)).contains("## Service latency"))
    }
}
