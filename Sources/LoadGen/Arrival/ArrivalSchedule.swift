import Foundation
import Reliability

/// How arrivals are spaced under an intensity: evenly (the i-th task when Λ reaches i) or as a
/// (non-homogeneous) Poisson process.
public enum ArrivalProcess: String, Sendable, Hashable, CaseIterable, Codable {
    /// Deterministic spacing: task i starts when the expected count reaches i.
    case even
    /// Exponential gaps in Λ-time: a Poisson process with the profile's intensity.
    case poisson
}

/// The shape of the offered load over scenario time.
public enum ArrivalShape: Sendable, Hashable {
    /// A constant rate (tasks per second).
    case constant(rate: Double)
    /// A linear ramp from `from` to `to` tasks/s over `over`, then `to` for ever.
    case ramp(from: Double, to: Double, over: Duration)
    /// A 24-hour curve averaging `tasksPerDay`, whose peak rate is `peakFactor` × the mean, peaking at
    /// time of day `peakAt`; scenario time 0 is time of day `startAt`.
    case diurnal(tasksPerDay: Double, peakFactor: Double, peakAt: Duration, startAt: Duration)
    /// `base` tasks/s, except the last `length` of every `every`, which runs at `burst` tasks/s.
    case bursts(base: Double, burst: Double, every: Duration, length: Duration)
    /// Explicit start offsets (a replayed trace), sorted.
    case replay([Duration])
}

/// Errors building a schedule: each names the parameter and what is valid.
public struct ArrivalError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong and what would be valid.
    public var message: String
    /// Creates an error.
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// When the schedule stops producing tasks: after a scenario duration, a count, or both (whichever first).
public struct ArrivalLimit: Sendable, Hashable {
    /// Scenario duration; arrivals at or after it are not produced. Nil for no limit.
    public var duration: Duration?
    /// Maximum number of arrivals. Nil for no limit.
    public var count: Int?
    /// Creates a limit.
    public init(duration: Duration? = nil, count: Int? = nil) {
        self.duration = duration
        self.count = count
    }
}

/// An arrival schedule: a shape and a process. It yields every task's intended start (scenario time),
/// lazily and deterministically for a seed, so it is pure and testable and a long run stays in flat memory.
public struct ArrivalSchedule: Sendable, Hashable {
    /// The load shape.
    public var shape: ArrivalShape
    /// The spacing process (ignored for replay). Default poisson.
    public var process: ArrivalProcess

    /// Creates a schedule, validating the shape's parameters.
    public init(_ shape: ArrivalShape, process: ArrivalProcess = .poisson) throws(ArrivalError) {
        switch shape {
        case .constant(let r):
            guard r > 0, r.isFinite else { throw ArrivalError("rate must be a positive number of tasks per second, got \(r)") }
        case .ramp(let a, let b, let over):
            guard a >= 0, b >= 0, a.isFinite, b.isFinite, a + b > 0 else {
                throw ArrivalError("ramp rates must be non-negative and not both zero, got \(a)..\(b)")
            }
            guard over > .zero else { throw ArrivalError("ramp duration must be positive") }
        case .diurnal(let n, let p, _, _):
            guard n > 0, n.isFinite else { throw ArrivalError("tasks per day must be positive, got \(n)") }
            guard p >= 1, p <= 24, p.isFinite else { throw ArrivalError("peak factor must be in 1...24, got \(p)") }
        case .bursts(let base, let burst, let every, let length):
            guard base >= 0, burst >= 0, base.isFinite, burst.isFinite, base + burst > 0 else {
                throw ArrivalError("burst rates must be non-negative and not both zero")
            }
            guard every > .zero, length > .zero, length <= every else {
                throw ArrivalError("burst length must be positive and at most the burst period")
            }
        case .replay(let times):
            guard zip(times, times.dropFirst()).allSatisfy({ $0.0 <= $0.1 }) else {
                throw ArrivalError("replayed timestamps must be sorted")
            }
        }
        self.shape = shape
        self.process = process
    }

    /// A constant rate, evenly spaced or Poisson.
    public static func constant(rate: Double, process: ArrivalProcess = .even) throws(ArrivalError) -> ArrivalSchedule {
        try ArrivalSchedule(.constant(rate: rate), process: process)
    }

    /// The intensity profile of a non-replay shape.
    public var profile: IntensityProfile? {
        switch shape {
        case .constant(let r):
            return .constant(r)
        case .ramp(let a, let b, let over):
            return IntensityProfile(points: [(0, a), (over.seconds, b)])
        case .diurnal(let n, let p, let peakAt, let startAt):
            return Self.diurnalProfile(tasksPerDay: n, peakFactor: p, peakAt: peakAt.seconds, startAt: startAt.seconds)
        case .bursts(let base, let burst, let every, let length):
            let e = every.seconds, l = length.seconds
            if l >= e { return .constant(burst) }
            return IntensityProfile(points: [(0, base), (e - l, base), (e - l, burst), (e, burst)], period: e)
        case .replay:
            return nil
        }
    }

    /// Expected number of arrivals in `[0, duration)` (exact for replay).
    public func expectedCount(in duration: Duration) -> Double {
        if case .replay(let times) = shape { return Double(times.lazy.filter { $0 < duration }.count) }
        return profile?.cumulative(at: duration.seconds) ?? 0
    }

    /// The intended starts under `limit`, deterministic for `seed`.
    public func times(seed: UInt64, limit: ArrivalLimit) -> ArrivalTimes {
        ArrivalTimes(schedule: self, seed: seed, limit: limit)
    }

    static func diurnalProfile(tasksPerDay n: Double, peakFactor p: Double, peakAt: Double, startAt: Double)
        -> IntensityProfile
    {
        let day = 86_400.0
        let samples = 96
        // Shape g(t) with max/mean = p: a cosine for p <= 2, else a raised cosine to the power k.
        var k = 1.0
        if p > 2 {
            func meanOfPower(_ k: Double) -> Double { exp(lgamma(k + 0.5) - lgamma(k + 1)) / Double.pi.squareRoot() }
            var lo = 0.0, hi = 2000.0
            for _ in 0..<100 {
                let mid = (lo + hi) / 2
                if 1 / meanOfPower(mid) < p { lo = mid } else { hi = mid }
            }
            k = (lo + hi) / 2
        }
        func g(_ t: Double) -> Double {
            let c = cos(2 * Double.pi * (t - peakAt) / day)
            return p <= 2 ? 1 + (p - 1) * c : pow((1 + c) / 2, k)
        }
        var points: [(at: Double, rate: Double)] = []
        for j in 0...samples {
            let t = day * Double(j) / Double(samples)
            points.append((t, g(t + startAt)))
        }
        let unscaled = IntensityProfile(points: points, period: day)
        let scale = n / unscaled.cycleArea
        return IntensityProfile(points: points.map { ($0.at, $0.rate * scale) }, period: day)
    }
}

/// The lazy sequence of intended starts (scenario time) of a schedule.
public struct ArrivalTimes: Sequence, Sendable {
    let schedule: ArrivalSchedule
    let seed: UInt64
    let limit: ArrivalLimit

    /// Iterates intended starts in order.
    public struct Iterator: IteratorProtocol, Sendable {
        let profile: IntensityProfile?
        let replay: [Duration]
        let process: ArrivalProcess
        let limit: ArrivalLimit
        var rng: SquallRandom
        var index = 0
        var level = 0.0

        /// The next intended start, or nil at the end.
        public mutating func next() -> Duration? {
            if let count = limit.count, index >= count { return nil }
            let t: Duration
            if let profile {
                switch process {
                case .even: level = Double(index)
                case .poisson: level += rng.exponential(mean: 1)
                }
                guard let s = profile.inverse(level), s.isFinite else { return nil }
                t = .fromSeconds(s)
            } else {
                guard index < replay.count else { return nil }
                t = replay[index]
            }
            if let end = limit.duration, t >= end { return nil }
            index += 1
            return t
        }
    }

    /// Starts the iteration.
    public func makeIterator() -> Iterator {
        var replay: [Duration] = []
        if case .replay(let times) = schedule.shape { replay = times }
        return Iterator(
            profile: schedule.profile, replay: replay, process: schedule.process, limit: limit,
            rng: SquallRandom.stream(seed: seed, 0xA11_0001))
    }
}
