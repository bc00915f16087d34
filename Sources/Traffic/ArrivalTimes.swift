import Reliability

/// The lazy sequence of intended starts (scenario time) of a schedule.
public struct ArrivalTimes: Sequence, Sendable {
    let schedule: ArrivalSchedule
    let rng: SquallRandom
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
                guard let s = profile.inverse(level), s.isFinite, s < 9.2e9 else { return nil }
                // Whole nanoseconds, like `Duration.fromSeconds`, without its two-step conversion.
                t = Duration(attoseconds: Int128(Int64((s * 1e9).rounded())) * 1_000_000_000)
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
        return Iterator(profile: schedule.profile, replay: replay, process: schedule.process, limit: limit, rng: rng)
    }
}
