import Reliability
import Testing

@testable import Traffic

@Suite("Submission schedule")
struct SubmissionScheduleTests {
    func schedule(duplicates: DuplicateSpec? = nil, seed: UInt64 = 5, weights: [Double] = [0.6, 0.4]) throws -> [Submission] {
        let arrivals = try ArrivalSchedule(.constant(rate: 1), process: .poisson)
        return Array(
            SubmissionSchedule(
                arrivals: arrivals, duration: .seconds(3600), promptWeights: weights, duplicates: duplicates, seed: seed))
    }

    @Test func originalsFollowTheArrivalScheduleOfTheSameSeed() throws {
        let arrivals = try ArrivalSchedule(.constant(rate: 1), process: .poisson)
        let times = Array(arrivals.times(seed: 5, limit: ArrivalLimit(duration: .seconds(3600))))
        let subs = try schedule()
        #expect(subs.map(\.at) == times)
        #expect(subs.map(\.keyID) == Array(0..<times.count))
        #expect(subs.map(\.id) == Array(0..<times.count))
    }

    @Test func sameSeedSameSequenceAndPromptsFollowTheirWeights() throws {
        let a = try schedule(seed: 9), b = try schedule(seed: 9)
        #expect(a == b)
        let share = Double(a.filter { $0.prompt == 0 }.count) / Double(a.count)
        // ~3,600 draws at 60%: sd ≈ 0.8%, so ±4% is a 5-sigma band.
        #expect(abs(share - 0.6) < 0.04)
    }

    @Test func duplicatesReuseTheKeyAndPromptLaterAndAreAnnounced() throws {
        let subs = try schedule(duplicates: DuplicateSpec(rate: 0.3, delay: DurationRange(.seconds(60), .seconds(120))))
        let originals = subs.filter { !$0.duplicate }
        let dups = subs.filter(\.duplicate)
        #expect(dups.count == originals.reduce(0) { $0 + $1.duplicatesAhead })
        #expect(dups.count > 900 && dups.count < 1300)
        for d in dups {
            let o = originals[d.keyID]
            #expect(o.prompt == d.prompt)
            let delay = (d.at - o.at).seconds
            #expect(delay >= 60 && delay <= 120)
        }
        // In intended-start order, numbered as submitted.
        #expect(zip(subs, subs.dropFirst()).allSatisfy { $0.0.at <= $0.1.at })
        #expect(subs.map(\.id) == Array(0..<subs.count))
    }

    @Test func addingDuplicatesDoesNotMoveTheOriginals() throws {
        let plain = try schedule()
        let dup = try schedule(duplicates: DuplicateSpec(rate: 0.5, delay: DurationRange(.zero, .seconds(30)), concurrent: 0.5))
        let originals = dup.filter { !$0.duplicate }
        #expect(originals.map(\.at) == plain.map(\.at))
        #expect(originals.map(\.prompt) == plain.map(\.prompt))
        #expect(dup.filter { $0.concurrent }.allSatisfy { d in d.at == originals[d.keyID].at })
    }
}
