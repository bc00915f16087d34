import Foundation

/// How randomness is applied to an exponential backoff (Brooker, "Exponential Backoff and Jitter").
public enum Jitter: String, Sendable, Hashable, CaseIterable, Codable {
    /// The exact exponential value (calls stay clustered).
    case none
    /// Uniform in [min, v] (tenacity's `wait_random_exponential`; Brooker's Full Jitter when min is 0).
    case full
    /// v/2 + U(0, v/2), floored at min (Brooker's Equal Jitter).
    case equal
    /// min(max, U(base, 3 × previous delay)) (Brooker's Decorrelated Jitter), with base = max(min, multiplier).
    case decorrelated
}

/// Exponential backoff with tenacity's formula: the wait after failed attempt n (n ≥ 1) is
/// `max(min, min(multiplier × base^(n−1), max))`, then jitter. Multiplier 1, min 1 s, max 60 s gives
/// 1, 2, 4, 8 s for attempts 1…4.
public struct Backoff: Sendable, Hashable {
    /// Seconds scale of the first wait. Default 1.
    public var multiplier: Double
    /// Exponent base (tenacity's `exp_base`). Default 2.
    public var base: Double
    /// Floor of every wait. Default 0 s.
    public var min: Duration
    /// Cap of every computed wait (a server's Retry-After is capped separately). Default 60 s.
    public var max: Duration
    /// Randomisation. Default none.
    public var jitter: Jitter

    /// Creates a backoff; defaults follow tenacity's `wait_exponential()` with max 60 s.
    public init(
        multiplier: Double = 1, base: Double = 2, min: Duration = .zero, max: Duration = .seconds(60),
        jitter: Jitter = .none
    ) {
        self.multiplier = multiplier
        self.base = base
        self.min = min
        self.max = max
        self.jitter = jitter
    }

    /// The un-jittered wait after failed attempt `n` (1-based), clamped to [min, max].
    public func exponential(afterAttempt n: Int) -> Duration {
        let raw = multiplier * pow(base, Double(Swift.max(0, n - 1)))
        let capped = raw.isFinite ? Swift.min(raw, max.seconds) : max.seconds
        return .fromSeconds(Swift.max(min.seconds, capped))
    }

    /// The wait after failed attempt `n` (1-based) with jitter applied. `previous` is the last wait
    /// (used by decorrelated jitter; nil before the first retry).
    public func delay(afterAttempt n: Int, previous: Duration?, rng: inout SquallRandom) -> Duration {
        let v = exponential(afterAttempt: n).seconds
        let lo = min.seconds
        switch jitter {
        case .none:
            return .fromSeconds(v)
        case .full:
            return .fromSeconds(rng.uniform(Swift.min(lo, v), v))
        case .equal:
            return .fromSeconds(Swift.max(lo, v / 2 + rng.uniform(0, v / 2)))
        case .decorrelated:
            let floor = Swift.max(lo, multiplier)
            let prev = previous?.seconds ?? floor
            let upper = Swift.max(floor, 3 * prev)
            return .fromSeconds(Swift.min(max.seconds, rng.uniform(floor, upper)))
        }
    }
}
