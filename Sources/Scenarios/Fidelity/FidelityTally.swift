/// The bounded accumulator behind `TimingFidelity`: two HDR histograms of real microseconds (lag,
/// overhead) and a count; integer state only, so two tallies merge exactly.
public struct FidelityTally: Sendable, Equatable, Codable {
    /// Scheduler lag of submissions and timers, real time.
    public private(set) var lag = LatencyRecorder()
    /// Per-attempt real overhead.
    public private(set) var overhead = LatencyRecorder()
    /// Lag values that were submissions.
    public private(set) var lagSubmissions = 0

    /// An empty tally.
    public init() {}

    /// Records how late (real time) a submission (`timer == false`) or a timer woke.
    public mutating func recordLag(_ real: Duration, timer: Bool) {
        lag.record(real)
        if !timer { lagSubmissions += 1 }
    }

    /// Records one attempt's real overhead (negative values count as 0).
    public mutating func recordOverhead(_ real: Duration) {
        overhead.record(real)
    }

    /// Adds another tally's values.
    public mutating func merge(_ other: FidelityTally) {
        lag.merge(other.lag)
        overhead.merge(other.overhead)
        lagSubmissions += other.lagSubmissions
    }

    /// The summary at time scale `scale`.
    public func summary(timeScale scale: Double) -> TimingFidelity {
        TimingFidelity(
            timeScale: scale, lag: Self.figure(lag, scale: scale), lagSubmissions: lagSubmissions,
            overhead: Self.figure(overhead, scale: scale))
    }

    static func figure(_ r: LatencyRecorder, scale: Double) -> RealTimeFigure {
        guard r.count > 0 else { return .empty }
        let p99 = r.percentile(99) * 1000
        return RealTimeFigure(
            n: r.count, p50Ms: r.percentile(50) * 1000, p99Ms: p99, maxMs: r.max * 1000, p99ScenarioSeconds: p99 / 1000 * scale)
    }
}
