import Foundation
import Testing

@testable import Scenarios

/// Timing fidelity of real live runs (part of `LiveDriverTests`, which `scripts/test` runs in its
/// real-time, non-parallel phase). Mechanism-relative: no figure is compared with a wall-clock bound.
extension LiveDriverTests {
    static let fidelityYAML = """
        name: live-fidelity
        duration: 30s
        load: { rate: 1/s, arrival: constant }
        stack:
          timeout: 10m
        expect:
          latency_p99: "< 100s"
          success_rate: ">= 90%"
        """

    @Test func aLiveRunAtAHighScaleRecordsItsTimingFidelity() async throws {
        let s = try scenario(Self.fidelityYAML)
        let r = try await ScenarioRunner(drivers: [LiveScenarioDriver(options: LiveOptions(timeScale: 500))]).run(s, mode: .live)
        let f = try #require(r.fidelity)
        #expect(f.timeScale == 500 && f.measuredFrom == "live runtime clock")
        #expect(f.lagSubmissions == r.totals.submitted && f.lag.n >= f.lagSubmissions && f.lagSubmissions > 0)
        // Every call answered over HTTP is timed (a timeout under extreme load would not be).
        #expect(f.overhead.n > 0 && f.overhead.n <= r.usage.llmCalls)
        #expect(abs(f.distortionSeconds - (f.lag.p99Ms + f.overhead.p99Ms) / 1000 * 500) < 1e-9)
        let json = String(decoding: try r.summaryJSON(), as: UTF8.self)
        #expect(json.contains("\"fidelity\"") && json.contains("\"p99_scenario_seconds\""))
        let back = try ScenarioResult.makeDecoder().decode(ScenarioResult.self, from: try r.summaryJSON())
        #expect(back.fidelity == r.fidelity)
    }

    @Test func aPlantedPerAttemptDelayMakesATimingPassUntrustworthy() async throws {
        // 50 ms real per attempt at ×1000 is ≥ 50 s of distortion, and every task's latency is ≥ 50 s:
        // against `< 100s` the margin is at most 50 s, so the verdict cannot be trusted — whatever the machine's load.
        let s = try scenario(Self.fidelityYAML)
        var driver = LiveScenarioDriver(options: LiveOptions(timeScale: 1000))
        driver.plantedAttemptDelay = .milliseconds(50)
        let r = try await ScenarioRunner(drivers: [driver]).run(s, mode: .live)
        let f = try #require(r.fidelity)
        #expect(f.overhead.p99Ms >= 50 && f.distortionSeconds >= 50)
        let v = r.expectations[0]
        #expect(v.untrustworthy && !v.passed, "\(v)")
        #expect(v.detail.contains("untrustworthy at ×1000"), "\(v.detail)")
        #expect(!r.expectations[1].untrustworthy)
        #expect(!r.passed && f.untrustworthy == 1)
    }

    @Test func theSameScenarioAtRealTimeIsTrustworthy() async throws {
        // At ×1 the distortion is milliseconds against a margin near 100 s.
        var s = try scenario(Self.fidelityYAML)
        s.duration = .seconds(2)
        s.load = LoadSpec(arrival: s.load.arrival, duration: s.duration, prompts: s.load.prompts)
        let r = try await ScenarioRunner(drivers: [LiveScenarioDriver(options: LiveOptions(timeScale: 1))]).run(s, mode: .live)
        #expect(r.fidelity?.untrustworthy == 0 && !r.expectations[0].untrustworthy && r.expectations[0].passed)
    }

    @Test func autoScaleCalibratesAndStaysWithinTheBounds() async throws {
        let s = try scenario(Self.fidelityYAML)
        let choice = try await TimeScaleCalibration.choose(s, maxScale: 10_000)
        #expect(choice.calibrationTasks == TimeScaleCalibration.tasks)
        #expect(choice.tightestExpectation == "latency_p99" && choice.tightestToleranceSeconds == 100)
        #expect(choice.scale >= 1 && choice.scale <= 10_000)
        // The choice is the rule applied to what the calibration measured.
        #expect(choice.scale == FidelityRule.autoScale(tightest: 100, realDistortionMs: choice.calibrationDistortionMs, maxScale: 10_000).scale)
    }
}
