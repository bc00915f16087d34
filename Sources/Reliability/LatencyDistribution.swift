import Foundation

/// A distribution of durations (LLM latency, think time, stream gaps). Sampling is a pure function
/// of the generator, so the mock server and the simulator draw identical latencies for a seed.
public enum LatencyDistribution: Sendable, Hashable {
    /// Always the same value.
    case fixed(Duration)
    /// Uniform in [min, max).
    case uniform(min: Duration, max: Duration)
    /// Normal with mean and standard deviation, clamped at zero.
    case normal(mean: Duration, stddev: Duration)
    /// Lognormal given by its median and 99th percentile (p99 ≥ median).
    case lognormal(median: Duration, p99: Duration)
    /// Exponential with the given mean.
    case exponential(mean: Duration)
    /// Pareto (type I) with scale `min` (the smallest value) and tail index `alpha` (> 0; smaller is heavier).
    case pareto(min: Duration, alpha: Double)

    /// z for the 99th percentile of the standard normal.
    static let z99 = 2.326_347_874_040_841

    /// Draws one duration.
    public func sample(_ rng: inout SquallRandom) -> Duration { sampler.sample(&rng) }

    /// The distribution with its parameters converted to seconds once (a sampler drawn from many
    /// times, like the mock's base latency, skips converting them on every draw).
    public var sampler: Sampler {
        switch self {
        case .fixed(let d): return Sampler(kind: .fixed(d))
        case .uniform(let a, let b): return Sampler(kind: .uniform(a.seconds, b.seconds))
        case .normal(let mean, let sd): return Sampler(kind: .normal(mean.seconds, sd.seconds))
        case .lognormal(let median, let p99):
            let mu = log(max(median.seconds, 1e-9))
            let sigma = max(0, (log(max(p99.seconds, 1e-9)) - mu) / Self.z99)
            return Sampler(kind: .lognormal(mu: mu, sigma: sigma))
        case .exponential(let mean): return Sampler(kind: .exponential(mean.seconds))
        case .pareto(let xm, let alpha): return Sampler(kind: .pareto(xm.seconds, alpha))
        }
    }

    /// A `LatencyDistribution` ready to draw from: `sample` draws exactly what the distribution's
    /// own `sample(_:)` draws for the same generator.
    public struct Sampler: Sendable, Hashable {
        enum Kind: Sendable, Hashable {
            case fixed(Duration)
            case uniform(Double, Double)
            case normal(Double, Double)
            case lognormal(mu: Double, sigma: Double)
            case exponential(Double)
            case pareto(Double, Double)
        }
        let kind: Kind

        /// Draws one duration.
        public func sample(_ rng: inout SquallRandom) -> Duration {
            switch kind {
            case .fixed(let d):
                return d
            case .uniform(let a, let b):
                return .fromSeconds(rng.uniform(a, b))
            case .normal(let mean, let sd):
                return .fromSeconds(max(0, mean + sd * rng.standardNormal()))
            case .lognormal(let mu, let sigma):
                return .fromSeconds(exp(mu + sigma * rng.standardNormal()))
            case .exponential(let mean):
                return .fromSeconds(rng.exponential(mean: mean))
            case .pareto(let xm, let alpha):
                let u = 1 - rng.unit()  // (0, 1]
                return .fromSeconds(xm / pow(u, 1 / alpha))
            }
        }
    }

    /// The distribution's mean in seconds (infinite for a Pareto tail with alpha ≤ 1).
    public var meanSeconds: Double {
        switch self {
        case .fixed(let d): return d.seconds
        case .uniform(let a, let b): return (a.seconds + b.seconds) / 2
        case .normal(let m, _): return m.seconds
        case .lognormal(let median, let p99):
            let mu = log(max(median.seconds, 1e-9))
            let sigma = max(0, (log(max(p99.seconds, 1e-9)) - mu) / Self.z99)
            return exp(mu + sigma * sigma / 2)
        case .exponential(let m): return m.seconds
        case .pareto(let xm, let alpha): return alpha > 1 ? alpha * xm.seconds / (alpha - 1) : .infinity
        }
    }

    /// P(X > t): the probability that one draw exceeds `t` (used by the failure arithmetic for timeouts).
    public func exceedanceProbability(_ t: Duration) -> Double {
        let x = t.seconds
        switch self {
        case .fixed(let d): return d.seconds > x ? 1 : 0
        case .uniform(let a, let b):
            if x <= a.seconds { return 1 }
            if x >= b.seconds { return 0 }
            return (b.seconds - x) / (b.seconds - a.seconds)
        case .normal(let m, let sd):
            guard sd.seconds > 0 else { return m.seconds > x ? 1 : 0 }
            return 0.5 * erfc((x - m.seconds) / (sd.seconds * 2.0.squareRoot()))
        case .lognormal(let median, let p99):
            guard x > 0 else { return 1 }
            let mu = log(max(median.seconds, 1e-9))
            let sigma = max(0, (log(max(p99.seconds, 1e-9)) - mu) / Self.z99)
            guard sigma > 0 else { return median.seconds > x ? 1 : 0 }
            return 0.5 * erfc((log(x) - mu) / (sigma * 2.0.squareRoot()))
        case .exponential(let m):
            guard m.seconds > 0 else { return 0 }
            return x <= 0 ? 1 : exp(-x / m.seconds)
        case .pareto(let xm, let alpha):
            return x <= xm.seconds ? 1 : pow(xm.seconds / x, alpha)
        }
    }
}
