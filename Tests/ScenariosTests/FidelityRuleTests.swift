import Foundation
import Testing

@testable import Scenarios

/// The timing-fidelity rule as pure functions of explicit numbers (no clock, no sockets).
@Suite struct FidelityRuleTests {
    static let yaml = """
        name: fidelity-rule
        duration: 10m
        load: { rate: 1/s, arrival: constant }
        llm:
          latency: { fixed: 500ms }
        expect:
          latency_p99: "< 10s"
          success_rate: ">= 99%"
          latency_p50: "< 100ms"
        """

    /// A simulated result whose fidelity is set to lag p99 `lag` ms and overhead p99 `overhead` ms at ×`k`.
    func result(lag: Double, overhead: Double, k: Double) throws -> (Scenario, ScenarioResult) {
        let s = try scenario(Self.yaml)
        var r = ScenarioRunner.simulate(s)
        r.fidelity = TimingFidelity(
            timeScale: k, lag: RealTimeFigure(n: 600, p50Ms: lag / 2, p99Ms: lag, maxMs: lag * 2, p99ScenarioSeconds: lag / 1000 * k),
            lagSubmissions: 600,
            overhead: RealTimeFigure(n: 600, p50Ms: overhead / 2, p99Ms: overhead, maxMs: overhead * 2, p99ScenarioSeconds: overhead / 1000 * k))
        return (s, r)
    }

    @Test func distortionIsLagPlusOverheadP99TimesTheScale() {
        #expect(abs(FidelityRule.distortion(lagP99Ms: 3, overheadP99Ms: 5, scale: 1440) - 11.52) < 1e-9)
        #expect(FidelityRule.distortion(lagP99Ms: 0, overheadP99Ms: 0, scale: 10_000) == 0)
    }

    @Test func aLimitsMarginIsTheDistanceOfTheObservedValueFromIt() {
        #expect(TimingBound.limit(10).margin(observed: 9.65) == abs(9.65 - 10))
        #expect(TimingBound.limit(10).margin(observed: 12) == 2)
        #expect(TimingBound.limit(10).margin(observed: nil) == nil)
        #expect(TimingBound.tolerance(0.1).margin(observed: 0.9) == 0.1)
    }

    @Test func onlyExpectationsOnScenarioTimeHaveATimingBound() throws {
        let s = try scenario(Self.yaml)
        #expect(FidelityRule.timingBound(s.expectations[0]) == .limit(10))
        #expect(FidelityRule.timingBound(s.expectations[1]) == nil)
        #expect(FidelityRule.tightest(s.expectations)?.seconds == 0.1)
        #expect(FidelityRule.tightest(s.expectations)?.name == "latency_p50")
    }

    @Test func aPassWhoseMarginTheDistortionReachesFailsAsUntrustworthyWithTheSafeScale() throws {
        // latency_p99 observed 0.5s against < 10s: margin 9.5s; distortion (5 + 3) ms × 1440 = 11.52s.
        var (s, r) = try result(lag: 5, overhead: 3, k: 1440)
        #expect(r.expectations[0].passed)
        FidelityRule.apply(s, &r)
        let v = r.expectations[0]
        #expect(v.untrustworthy && v.status == .fail)
        // K′ = 9.5 s ÷ 8 ms = 1187.5, rounded down to two significant digits.
        #expect(v.detail.contains("untrustworthy at ×1440: distortion 11.52s exceeds margin 9.5s; rerun at --time-scale ≤ 1100"), "\(v.detail)")
        // success_rate is not a timing verdict; latency_p50 already failed (0.5s > 100ms) and keeps failing, with the note.
        #expect(!r.expectations[1].untrustworthy && r.expectations[1].passed)
        #expect(r.expectations[2].untrustworthy && r.expectations[2].status == .fail)
        #expect(r.fidelity?.untrustworthy == 2)
    }

    @Test func aDistortionBelowTheMarginLeavesTheVerdictAlone() throws {
        // (5 + 3) ms × 60 = 0.48s < 9.5s (p99) and < 0.4s? no: p50's margin is 0.4s, 0.48 ≥ 0.4 → marked.
        var (s, r) = try result(lag: 5, overhead: 3, k: 60)
        FidelityRule.apply(s, &r)
        #expect(!r.expectations[0].untrustworthy && r.expectations[0].passed)
        #expect(r.expectations[2].untrustworthy)
        var (s2, r2) = try result(lag: 1, overhead: 1, k: 60)  // 0.12s < 0.4s
        FidelityRule.apply(s2, &r2)
        #expect(!r2.expectations[2].untrustworthy && r2.fidelity?.untrustworthy == 0)
    }

    @Test func simulatorResultsAreNeverMarked() throws {
        let s = try scenario(Self.yaml)
        var r = ScenarioRunner.simulate(s)
        let before = r.expectations
        FidelityRule.apply(s, &r)
        #expect(r.expectations == before && r.fidelity == nil)
    }

    @Test func theSafeScaleAndTheAutoScaleFollowTheRoundingRule() {
        #expect(FidelityRule.floorTwoDigits(1187.5) == 1100)
        #expect(abs(FidelityRule.floorTwoDigits(0.347) - 0.34) < 1e-12)
        #expect(FidelityRule.floorTwoDigits(60) == 60)
        #expect(FidelityRule.safeScale(realDistortionMs: 8, margin: 9.5) == 1100)
        #expect(FidelityRule.safeScale(realDistortionMs: 0, margin: 9.5) == nil)
        // 10% of 10s = 1s; 1s ÷ 0.8 ms = 1250 → 1200.
        #expect(FidelityRule.autoScale(tightest: 10, realDistortionMs: 0.8, maxScale: 10_000).scale == 1200)
        let capped = FidelityRule.autoScale(tightest: 10, realDistortionMs: 0.8, maxScale: 1000)
        #expect(capped.scale == 1000 && capped.reason.contains("capped"))
        let none = FidelityRule.autoScale(tightest: nil, realDistortionMs: 0.8, maxScale: 10_000)
        #expect(none.scale == FidelityRule.defaultAutoScale && none.reason.contains("no timing expectation"))
        let tight = FidelityRule.autoScale(tightest: 0.005, realDistortionMs: 0.8, maxScale: 10_000)
        #expect(tight.scale == 1 && tight.reason.contains("even in real time"))
    }

    @Test func theTallyMergesExactlyAndSummarisesInRealMilliseconds() {
        var a = FidelityTally()
        var b = FidelityTally()
        for _ in 0..<99 { a.recordLag(.milliseconds(1), timer: false) }
        b.recordLag(.milliseconds(10), timer: true)
        b.recordOverhead(.microseconds(500))
        var both = a
        both.merge(b)
        var direct = FidelityTally()
        for _ in 0..<99 { direct.recordLag(.milliseconds(1), timer: false) }
        direct.recordLag(.milliseconds(10), timer: true)
        direct.recordOverhead(.microseconds(500))
        #expect(both == direct)
        let f = both.summary(timeScale: 1000)
        #expect(f.lag.n == 100 && f.lagSubmissions == 99 && f.overhead.n == 1)
        #expect(abs(f.lag.maxMs - 10) < 0.02 && abs(f.overhead.p99Ms - 0.5) < 0.001)
        #expect(abs(f.distortionSeconds - (f.lag.p99Ms + f.overhead.p99Ms)) < 1e-9)  // ms × 1000 / 1000
        #expect(f.measuredFrom == "live runtime clock")
    }

    @Test func untrustworthyIsAdditiveInSummaryJSON() throws {
        let old = #"{"name":"a","expected":"< 1s","observed":"2s","passed":false,"detail":""}"#
        let v = try JSONDecoder().decode(ExpectationVerdict.self, from: Data(old.utf8))
        #expect(!v.untrustworthy)
        #expect(!String(decoding: try JSONEncoder().encode(v), as: UTF8.self).contains("untrustworthy"))
        var marked = v
        marked.untrustworthy = true
        let back = try JSONDecoder().decode(ExpectationVerdict.self, from: try JSONEncoder().encode(marked))
        #expect(back.untrustworthy)
    }

    @Test func timeScaleAutoIsAScenarioKey() throws {
        let s = try scenario(Self.yaml + "\ntime_scale: auto\nmode: live\n")
        #expect(s.autoTimeScale && s.timeScale == nil)
        let fixed = try scenario(Self.yaml + "\ntime_scale: 60\n")
        #expect(!fixed.autoTimeScale && fixed.timeScale == 60)
        #expect(throws: (any Error).self) { try scenario(Self.yaml + "\ntime_scale: fast\n") }
    }

    @Test func theAutoScaleCapIsWhatTheSenderCanHonourAtThePeakWithDuplicates() throws {
        let s = try scenario("""
            name: cap
            duration: 1m
            load: { rate: 100/s, arrival: constant, duplicates: { rate: 50%, delay: 1s } }
            expect: { success_rate: ">= 50%" }
            """)
        #expect(FidelityRule.peakSubmissionRate(s) == 150)
        #expect(FidelityRule.scaleCap(s, maxScale: 10_000, maxRealRate: 100_000) == 100_000.0 / 150)
        #expect(FidelityRule.scaleCap(s, maxScale: 500, maxRealRate: 100_000) == 500)
    }
}
