import Foundation
import MockLLM
import Traffic

/// `--time-scale auto`: reads the tightest timing tolerance from a scenario's expectations, runs a
/// short calibration at ×1 (`tasks` tasks at `rate`/s through the scenario's own client stack
/// against the in-process mock with no faults, bounded by `drainLimit`), and picks the largest
/// scale whose distortion stays within 10% of that tolerance (`FidelityRule.autoScale`).
public enum TimeScaleCalibration {
    /// Tasks the calibration submits.
    public static let tasks = 40
    /// Their rate, per second (real time: the calibration runs at ×1).
    public static let rate = 20.0
    /// How long calibration tasks may run after the last arrival.
    public static let drainLimit = Duration.seconds(10)

    /// The calibration run of `scenario`: its stack and prompts, a healthy in-process mock (no
    /// faults, no latency), `tasks` evenly spaced arrivals, no duplicates and no expectations.
    public static func calibrationScenario(for scenario: Scenario) throws -> Scenario {
        let duration = Duration.seconds(Double(tasks) / rate)
        var load = LoadSpec(arrival: try ArrivalSchedule.constant(rate: rate), duration: duration, prompts: scenario.load.prompts)
        load.stream = false
        var s = Scenario(
            name: scenario.name + "-calibration", source: scenario.source, seed: scenario.seed, duration: duration, load: load,
            stack: scenario.stack, llm: FaultProfile())
        s.mode = .live
        return s
    }

    /// Calibrates and chooses the scale for `scenario`, at most `maxScale` (the caller's bound:
    /// `FlagLimits.maxTimeScale` and what the load generator can honour at the scenario's rate).
    /// `runID` fixes the calibration run's id (tests); nil draws one.
    /// - Throws: `ScenarioRunError` when the calibration cannot run (exit 3).
    public static func choose(_ scenario: Scenario, maxScale: Double, runID: String? = nil) async throws -> AutoScaleChoice {
        let calibration = try calibrationScenario(for: scenario)
        let driver = LiveScenarioDriver(options: LiveOptions(timeScale: 1, runID: runID), drainLimit: drainLimit)
        let result = try await driver.run(calibration, seed: nil, tasksCSV: nil)
        let measured = result.fidelity ?? TimingFidelity(timeScale: 1, lag: .empty, lagSubmissions: 0, overhead: .empty)
        let tightest = FidelityRule.tightest(scenario.expectations)
        let (k, reason) = FidelityRule.autoScale(
            tightest: tightest?.seconds, realDistortionMs: measured.realDistortionMs, maxScale: maxScale)
        let because = tightest.map { "\(reason) (set by \($0.name))" } ?? reason
        return AutoScaleChoice(
            scale: k, tightestToleranceSeconds: tightest?.seconds, tightestExpectation: tightest?.name,
            calibrationDistortionMs: measured.realDistortionMs, calibrationTasks: result.totals.tasks, reason: because)
    }
}
