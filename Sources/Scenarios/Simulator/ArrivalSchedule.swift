import Foundation
import Reliability

/// The intended start times of a scenario's original submissions, generated lazily in order.
/// Deterministic for a generator; open-loop (arrivals never wait for earlier tasks).
public struct ArrivalSchedule: Sendable {
    /// The pattern.
    public let pattern: ArrivalPattern
    /// Base arrivals per second.
    public let rate: Double
    /// Arrivals stop at this instant (exclusive).
    public let duration: Duration
    private var rng: SquallRandom
    private var t: Double = 0
    private var k = 0
    private let durationSeconds: Double

    /// Creates a schedule.
    public init(pattern: ArrivalPattern, rate: Double, duration: Duration, rng: SquallRandom) {
        self.pattern = pattern
        self.rate = rate
        self.duration = duration
        self.rng = rng
        durationSeconds = duration.seconds
    }

    /// The next intended start, or nil after the duration.
    public mutating func next() -> Duration? {
        let s: Double
        switch pattern {
        case .constant:
            s = Double(k) / rate
            k += 1
        case .poisson:
            t += rng.exponential(mean: 1 / rate)
            s = t
        case .ramp(let from, let to):
            let base = rate
            let d = durationSeconds
            s = thinned(peak: base * max(from, to)) { x in base * (from + (to - from) * x / d) }
        case .diurnal(let ratio, let peakAt):
            let a = (ratio - 1) / (ratio + 1)
            let peakS = peakAt.seconds
            let base = rate
            s = thinned(peak: base * (1 + a)) { x in
                base * (1 + a * cos(2 * Double.pi * (x - peakS) / 86_400))
            }
        case .bursts(let every, let size, let spread, let start):
            let burst = k / size
            let j = k % size
            k += 1
            s = start.seconds + Double(burst) * every.seconds + spread.seconds * Double(j) / Double(size)
        }
        guard s < durationSeconds else { return nil }
        return .fromSeconds(s)
    }

    /// Lewis–Shedler thinning of a Poisson process with rate function `lambda` bounded by `peak`.
    private mutating func thinned(peak: Double, _ lambda: (Double) -> Double) -> Double {
        guard peak > 0 else { return .infinity }
        while true {
            t += rng.exponential(mean: 1 / peak)
            if t >= durationSeconds { return t }
            if rng.unit() * peak <= lambda(t) { return t }
        }
    }

    /// All intended starts (tests and small runs).
    public mutating func all() -> [Duration] {
        var out: [Duration] = []
        while let x = next() { out.append(x) }
        return out
    }
}
