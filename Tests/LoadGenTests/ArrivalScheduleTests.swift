import Foundation
import Reliability
import Testing

@testable import LoadGen

@Suite("Arrival schedules")
struct ArrivalScheduleTests {
    func seconds(_ times: ArrivalTimes) -> [Double] { times.map(\.seconds) }

    @Test func constantEvenSpacingStartsAtZeroEveryOneOverRate() throws {
        let s = try ArrivalSchedule.constant(rate: 4)
        let t = seconds(s.times(seed: 1, limit: ArrivalLimit(duration: .seconds(2))))
        #expect(t == [0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75])
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
        // 1000 expected; a Poisson count has sd ≈ 32, so ±160 is a 5-sigma band.
        #expect(abs(a.count - 1000) < 160)
        // Gaps are exponential: their coefficient of variation is ≈ 1 (an even schedule has 0).
        let gaps = zip(a.dropFirst(), a).map { ($0.0 - $0.1).seconds }
        let mean = gaps.reduce(0, +) / Double(gaps.count)
        let sd = (gaps.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(gaps.count)).squareRoot()
        #expect(abs(sd / mean - 1) < 0.15)
    }

    @Test func rampArrivalsFollowTheIntegratedRate() throws {
        // 0 → 10/s over 10 s: Λ(t) = t²/2, so task i starts at sqrt(2i); then 10/s.
        let s = try ArrivalSchedule(.ramp(from: 0, to: 10, over: .seconds(10)), process: .even)
        let t = seconds(s.times(seed: 1, limit: ArrivalLimit(duration: .seconds(12))))
        #expect(t.count == 50 + 20)
        for (i, v) in t.prefix(50).enumerated() { #expect(abs(v - (2 * Double(i)).squareRoot()) < 1e-9) }
        #expect(abs(t[50] - 10) < 1e-9)
        #expect(abs(t[51] - 10.1) < 1e-9)
    }

    @Test(arguments: [1.5, 2.0, 3.0, 6.0])
    func diurnalDeliversTasksPerDayAndItsPeakFactor(peak: Double) throws {
        let s = try ArrivalSchedule(
            .diurnal(tasksPerDay: 10_000, peakFactor: peak, peakAt: .seconds(14 * 3600), startAt: .zero), process: .even)
        let count = Array(s.times(seed: 1, limit: ArrivalLimit(duration: .seconds(86_400)))).count
        #expect(abs(count - 10_000) <= 1)
        let profile = try #require(s.profile)
        let mean = 10_000.0 / 86_400
        #expect(abs(profile.rate(at: 14 * 3600) / mean - peak) / peak < 0.03)
        // The trough is 12 h from the peak and below the mean.
        #expect(profile.rate(at: 2 * 3600) < mean)
    }

    @Test func diurnalStartAtShiftsTheCurve() throws {
        let atMidnight = try ArrivalSchedule(
            .diurnal(tasksPerDay: 1000, peakFactor: 2, peakAt: .seconds(14 * 3600), startAt: .zero))
        let atNoon = try ArrivalSchedule(
            .diurnal(tasksPerDay: 1000, peakFactor: 2, peakAt: .seconds(14 * 3600), startAt: .seconds(12 * 3600)))
        let a = try #require(atMidnight.profile), b = try #require(atNoon.profile)
        #expect(abs(a.rate(at: 14 * 3600) - b.rate(at: 2 * 3600)) < 1e-9)
    }

    @Test func burstsRunAtTheBurstRateInTheLastPartOfEachPeriod() throws {
        let s = try ArrivalSchedule(
            .bursts(base: 1, burst: 20, every: .seconds(10), length: .seconds(2)), process: .even)
        let t = seconds(s.times(seed: 1, limit: ArrivalLimit(duration: .seconds(30))))
        // Per 10 s period: 8 s at 1/s + 2 s at 20/s = 48 tasks.
        #expect(t.count == 144)
        let inBursts = t.filter { $0.truncatingRemainder(dividingBy: 10) >= 8 }.count
        #expect(inBursts == 120)
    }

    @Test func inverseUndoesCumulative() {
        let p = IntensityProfile(points: [(0, 1), (5, 9), (5, 2), (10, 2)], period: 10)
        for i in 0..<200 {
            let t = Double(i) * 0.173
            let back = p.inverse(p.cumulative(at: t))!
            #expect(abs(back - t) < 1e-6, "t=\(t)")
        }
    }

    @Test func invalidParametersAreRejectedWithTheirName() {
        #expect(throws: ArrivalError.self) { try ArrivalSchedule.constant(rate: 0) }
        #expect(throws: ArrivalError.self) {
            try ArrivalSchedule(.diurnal(tasksPerDay: 100, peakFactor: 0.5, peakAt: .zero, startAt: .zero))
        }
        #expect(throws: ArrivalError.self) {
            try ArrivalSchedule(.bursts(base: 1, burst: 5, every: .seconds(1), length: .seconds(2)))
        }
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
