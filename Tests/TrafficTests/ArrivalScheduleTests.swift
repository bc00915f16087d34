import Foundation
import Reliability
import Testing

@testable import Traffic

@Suite("Arrival schedules")
struct ArrivalScheduleTests {
    func seconds(_ times: ArrivalTimes) -> [Double] { times.map(\.seconds) }

    @Test func constantEvenSpacingStartsAtZeroEveryOneOverRate() throws {
        let s = try ArrivalSchedule.constant(rate: 4)
        let t = seconds(s.times(seed: 1, limit: ArrivalLimit(duration: .seconds(2))))
        #expect(t == [0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75])
        #expect(s.expectedCount(in: .seconds(2)) == 8)
        #expect(s.name == "constant")
    }

    @Test func countLimitStopsFirst() throws {
        let s = try ArrivalSchedule.constant(rate: 100)
        #expect(Array(s.times(seed: 1, limit: ArrivalLimit(duration: .seconds(60), count: 7))).count == 7)
    }

    @Test func poissonIsDeterministicForASeedAndDiffersAcrossSeeds() throws {
        let s = try ArrivalSchedule(.constant(rate: 50), process: .poisson)
        let limit = ArrivalLimit(duration: .seconds(20))
        let a = Array(s.times(seed: 7, limit: limit))
        let b = Array(s.times(seed: 7, limit: limit))
        let c = Array(s.times(seed: 8, limit: limit))
        #expect(a == b)
        #expect(a != c)
        #expect(zip(a, a.dropFirst()).allSatisfy { $0.0 <= $0.1 })
        // Gaps are exponential: their coefficient of variation is ≈ 1 (an even schedule has 0).
        let gaps = zip(a.dropFirst(), a).map { ($0.0 - $0.1).seconds }
        let mean = gaps.reduce(0, +) / Double(gaps.count)
        let sd = (gaps.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(gaps.count)).squareRoot()
        #expect(abs(sd / mean - 1) < 0.15)
    }

    /// Poisson counts of a fixed seed: 100,000 expected at 100/s over 1,000 s. A Poisson count has
    /// sd √100000 ≈ 316, so the stated tolerance ±1,000 is a 3.2-sigma band; seed 11 gives a count
    /// well inside it, and the test fails if the process's mean is off by 1% or more.
    @Test func poissonMeanMatchesTheRateWithinThreeSigma() throws {
        let s = try ArrivalSchedule(.constant(rate: 100), process: .poisson)
        let n = Array(s.times(seed: 11, limit: ArrivalLimit(duration: .seconds(1000)))).count
        #expect(abs(n - 100_000) < 1000, "count \(n)")
        #expect(s.name == "poisson")
    }

    @Test func rampArrivalsFollowTheIntegratedRate() throws {
        // 0 → 10/s over 10 s: Λ(t) = t²/2, so task i starts at sqrt(2i); then 10/s.
        let s = try ArrivalSchedule(.ramp(from: 0, to: 10, over: .seconds(10)), process: .even)
        let t = seconds(s.times(seed: 1, limit: ArrivalLimit(duration: .seconds(12))))
        #expect(t.count == 50 + 20)
        for (i, v) in t.prefix(50).enumerated() { #expect(abs(v - (2 * Double(i)).squareRoot()) < 1e-9) }
        #expect(abs(t[50] - 10) < 1e-9)
        #expect(abs(t[51] - 10.1) < 1e-9)
        #expect(abs(s.expectedCount(in: .seconds(12)) - 70) < 1e-9)
        #expect(abs(s.meanRate(over: .seconds(10)) - 5) < 1e-9)
    }

    @Test func rampFromAStartRateCountsExactly() throws {
        // 2/s → 6/s over 100 s: 400 tasks in the ramp, then 6/s.
        let s = try ArrivalSchedule(.ramp(from: 2, to: 6, over: .seconds(100)), process: .even)
        #expect(Array(s.times(seed: 1, limit: ArrivalLimit(duration: .seconds(100)))).count == 400)
        #expect(Array(s.times(seed: 1, limit: ArrivalLimit(duration: .seconds(110)))).count == 460)
    }

    @Test(arguments: [1.5, 2.0, 3.0, 6.0])
    func diurnalDeliversTasksPerDayAndItsPeakFactor(peak: Double) throws {
        let s = try ArrivalSchedule(
            .diurnal(tasksPerDay: 10_000, peakFactor: peak, peakAt: .seconds(14 * 3600), startAt: .zero), process: .even)
        // Even spacing: exact up to the floating-point rounding of Λ at the end of the day (±1 task).
        let count = Array(s.times(seed: 1, limit: ArrivalLimit(duration: .seconds(86_400)))).count
        #expect(abs(count - 10_000) <= 1)
        #expect(abs(s.expectedCount(in: .seconds(86_400)) - 10_000) < 1e-6)
        let profile = try #require(s.profile)
        let mean = 10_000.0 / 86_400
        #expect(abs(profile.rate(at: 14 * 3600) / mean - peak) / peak < 0.03)
        // The trough is 12 h from the peak and below the mean.
        #expect(profile.rate(at: 2 * 3600) < mean)
        #expect(abs(s.meanRate(over: .seconds(86_400)) - mean) < 1e-9)
    }

    @Test func diurnalStartAtShiftsTheCurve() throws {
        let atMidnight = try ArrivalSchedule(
            .diurnal(tasksPerDay: 1000, peakFactor: 2, peakAt: .seconds(14 * 3600), startAt: .zero))
        let atNoon = try ArrivalSchedule(
            .diurnal(tasksPerDay: 1000, peakFactor: 2, peakAt: .seconds(14 * 3600), startAt: .seconds(12 * 3600)))
        let a = try #require(atMidnight.profile), b = try #require(atNoon.profile)
        #expect(abs(a.rate(at: 14 * 3600) - b.rate(at: 2 * 3600)) < 1e-9)
    }

    @Test func burstsOfPositiveLengthRunAtSizeOverLengthOnTopOfNothingElse() throws {
        // Every 10 s from t = 8 s: 40 tasks over 2 s (20/s instead of the base 1/s); 8 s at 1/s between.
        let s = try ArrivalSchedule(
            .bursts(Bursts(every: .seconds(10), size: 40, length: .seconds(2), start: .seconds(8), base: 1)), process: .even)
        let t = seconds(s.times(seed: 1, limit: ArrivalLimit(duration: .seconds(30))))
        #expect(t.count == 144)
        let inBursts = t.filter { $0.truncatingRemainder(dividingBy: 10) >= 8 }.count
        #expect(inBursts == 120)
        #expect(abs(s.expectedCount(in: .seconds(30)) - 144) < 1e-9)
    }

    @Test func instantBurstsPutExactlySizeTasksAtEachBurstUnderEvenSpacing() throws {
        let s = try ArrivalSchedule(.bursts(Bursts(every: .seconds(60), size: 3, start: .seconds(5))), process: .even)
        #expect(Array(s.times(seed: 1, limit: ArrivalLimit(duration: .seconds(130)))) == [
            .seconds(5), .seconds(5), .seconds(5), .seconds(65), .seconds(65), .seconds(65), .seconds(125), .seconds(125),
            .seconds(125),
        ])
        #expect(s.expectedCount(in: .seconds(130)) == 9)
        // A burst exactly at the end of the window is outside it.
        #expect(s.expectedCount(in: .seconds(125)) == 6)
        #expect(s.name == "bursts (even)")
    }

    @Test func instantBurstsOverABaseRateInterleaveWithIt() throws {
        // 1/s, plus 5 tasks at t = 2 s of every 4 s.
        let s = try ArrivalSchedule(.bursts(Bursts(every: .seconds(4), size: 5, start: .seconds(2), base: 1)), process: .even)
        let t = seconds(s.times(seed: 1, limit: ArrivalLimit(duration: .seconds(8))))
        #expect(t == [0, 1, 2, 2, 2, 2, 2, 2, 3, 4, 5, 6, 6, 6, 6, 6, 6, 7])
    }

    @Test func poissonBurstsAverageTheirSize() throws {
        let s = try ArrivalSchedule(.bursts(Bursts(every: .seconds(10), size: 50)), process: .poisson)
        let t = seconds(s.times(seed: 3, limit: ArrivalLimit(duration: .seconds(10_000))))
        // 1,000 bursts of Poisson(50): 50,000 expected, sd ≈ 224; ±1,000 is a 4.5-sigma band.
        #expect(abs(t.count - 50_000) < 1000)
        #expect(t.allSatisfy { $0.truncatingRemainder(dividingBy: 10) == 0 })
    }

    @Test func inverseUndoesCumulative() {
        let p = IntensityProfile(points: [(0, 1), (5, 9), (5, 2), (10, 2)], period: 10)
        for i in 0..<200 {
            let t = Double(i) * 0.173
            let back = p.inverse(p.cumulative(at: t))!
            #expect(abs(back - t) < 1e-6, "t=\(t)")
        }
    }

    @Test func aPointMassIsCountedAfterItsInstant() {
        let p = IntensityProfile(points: [(0, 0), (10, 0)], masses: [(4, 7)], period: 10)
        #expect(p.cumulative(at: 4) == 0)
        #expect(p.cumulative(at: 4.0001) == 7)
        #expect(p.inverse(0) == 4 && p.inverse(6.5) == 4)
        #expect(p.inverse(7) == 14)
    }

    @Test func invalidParametersAreRejectedWithTheirName() {
        #expect(throws: ArrivalError.self) { try ArrivalSchedule.constant(rate: 0) }
        #expect(throws: ArrivalError.self) {
            try ArrivalSchedule(.diurnal(tasksPerDay: 100, peakFactor: 0.5, peakAt: .zero, startAt: .zero))
        }
        #expect(throws: ArrivalError.self) {
            try ArrivalSchedule(.bursts(Bursts(every: .seconds(1), size: 5, length: .seconds(2))))
        }
        #expect(throws: ArrivalError.self) {
            try ArrivalSchedule(.bursts(Bursts(every: .seconds(10), size: 5, length: .seconds(2), start: .seconds(9))))
        }
        #expect(throws: ArrivalError.self) { try ArrivalSchedule(.ramp(from: 0, to: 0, over: .seconds(1))) }
    }

    @Test func replayParsesSecondsEpochAndISOWithHeaderRelativeToTheFirst() throws {
        let seconds = try ArrivalReplay.parse("ts,user\n1700000010.5,a\n1700000010,b\n\n1700000012,c\n")
        #expect(seconds == [.zero, .milliseconds(500), .seconds(2)])
        let iso = try ArrivalReplay.parse("2026-01-01T09:00:00Z\n2026-01-01T09:00:01.250Z\n")
        #expect(iso == [.zero, .milliseconds(1250)])
        let s = try ArrivalSchedule(.replay(seconds))
        #expect(Array(s.times(seed: 1, limit: ArrivalLimit())) == seconds)
        #expect(Array(s.times(seed: 1, limit: ArrivalLimit(duration: .seconds(1)))).count == 2)
    }

    @Test func replayErrorNamesTheLine() {
        do {
            _ = try ArrivalReplay.parse("1\n2\nbad\n", source: "trace.csv")
            Issue.record("expected an error")
        } catch {
            #expect(error.message.hasPrefix("trace.csv:3: 'bad' is not a timestamp"))
        }
    }
}
