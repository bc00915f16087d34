import Reliability

/// The one arrival schedule of Squall: a shape and a process. It yields every task's intended start
/// (scenario time), lazily and deterministically for a seed, by exact inversion of the cumulative
/// intensity, so it is pure and testable and a long run stays in flat memory. `squall load` and the
/// scenario simulator (through `SubmissionSchedule`) both use it.
public struct ArrivalSchedule: Sendable, Hashable {
    /// The load shape.
    public let shape: ArrivalShape
    /// The spacing process (ignored for replay). Default poisson.
    public let process: ArrivalProcess
    /// The intensity profile of a non-replay shape.
    public let profile: IntensityProfile?

    /// Creates a schedule, validating the shape's parameters.
    public init(_ shape: ArrivalShape, process: ArrivalProcess = .poisson) throws(ArrivalError) {
        try Self.validate(shape)
        self.shape = shape
        self.process = process
        self.profile = Self.makeProfile(shape)
    }

    /// A constant rate, evenly spaced (default) or Poisson.
    public static func constant(rate: Double, process: ArrivalProcess = .even) throws(ArrivalError) -> ArrivalSchedule {
        try ArrivalSchedule(.constant(rate: rate), process: process)
    }

    /// The name used in reports: `constant` (even) or `poisson` for a constant rate, otherwise the
    /// shape and the process, e.g. `bursts (even)`, `diurnal (poisson)`, `replay`.
    public var name: String {
        switch shape {
        case .constant: return process == .even ? "constant" : "poisson"
        case .replay: return "replay"
        default: return "\(shape.name) (\(process.rawValue))"
        }
    }

    /// Expected number of arrivals in `[0, duration)` (exact for replay and for even spacing up to rounding).
    public func expectedCount(in duration: Duration) -> Double {
        if case .replay(let times) = shape { return Double(times.lazy.filter { $0 < duration }.count) }
        return profile?.cumulative(at: duration.seconds) ?? 0
    }

    /// Mean arrivals per second over `[0, duration)`.
    public func meanRate(over duration: Duration) -> Double {
        duration > .zero ? expectedCount(in: duration) / duration.seconds : 0
    }

    /// The highest rate the schedule asks for, tasks per second (a burst at one instant counts as
    /// its size per second; a replay as its densest second).
    public var peakRate: Double {
        if case .replay(let times) = shape {
            var best = 0, lo = 0
            for hi in times.indices {
                while times[hi] - times[lo] >= .seconds(1) { lo += 1 }
                best = max(best, hi - lo + 1)
            }
            return Double(best)
        }
        guard let profile else { return 0 }
        return profile.pieces.reduce(0) { max($0, $1.fromRate, $1.toRate, $1.mass) }
    }

    /// The intended starts under `limit`, deterministic for `seed` (the arrivals stream of
    /// `TrafficStreams`, the same one a scenario with that seed uses).
    public func times(seed: UInt64, limit: ArrivalLimit) -> ArrivalTimes {
        times(rng: TrafficStreams.stream(seed, .arrivals, 0), limit: limit)
    }

    /// The intended starts under `limit`, drawing Poisson gaps from `rng`.
    public func times(rng: SquallRandom, limit: ArrivalLimit) -> ArrivalTimes {
        ArrivalTimes(schedule: self, rng: rng, limit: limit)
    }

    static func validate(_ shape: ArrivalShape) throws(ArrivalError) {
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
        case .bursts(let b):
            guard b.size >= 0, b.base >= 0, b.size.isFinite, b.base.isFinite, b.size + b.base > 0 else {
                throw ArrivalError("burst size and base rate must be non-negative and not both zero")
            }
            guard b.every > .zero else { throw ArrivalError("the burst period must be positive") }
            guard b.length >= .zero, b.start >= .zero, b.start + b.length <= b.every else {
                throw ArrivalError(
                    "a burst must fit in its period: start (\(DurationFormat.short(b.start))) + length (\(DurationFormat.short(b.length))) must be at most the period (\(DurationFormat.short(b.every)))")
            }
        case .replay(let times):
            guard zip(times, times.dropFirst()).allSatisfy({ $0.0 <= $0.1 }) else {
                throw ArrivalError("replayed timestamps must be sorted")
            }
        }
    }

    static func makeProfile(_ shape: ArrivalShape) -> IntensityProfile? {
        switch shape {
        case .constant(let r):
            return .constant(r)
        case .ramp(let a, let b, let over):
            return IntensityProfile(points: [(0, a), (over.seconds, b)])
        case .diurnal(let n, let p, let peakAt, let startAt):
            return .diurnal(tasksPerDay: n, peakFactor: p, peakAt: peakAt.seconds, startAt: startAt.seconds)
        case .bursts(let b):
            let e = b.every.seconds, s = b.start.seconds, l = b.length.seconds
            if l == 0 {
                return IntensityProfile(points: [(0, b.base), (e, b.base)], masses: [(s, b.size)], period: e)
            }
            let r = b.size / l
            return IntensityProfile(
                points: [(0, b.base), (s, b.base), (s, r), (s + l, r), (s + l, b.base), (e, b.base)], period: e)
        case .replay:
            return nil
        }
    }
}
