import Reliability
import YAMLConfig

extension LatencyDistribution {
    /// The keys a latency distribution mapping may use (exactly one of them).
    public static let configForms = ["fixed", "uniform", "normal", "lognormal", "exponential", "pareto"]

    /// Decodes a latency distribution: a bare duration (`1s`, read as `fixed`), or a mapping with exactly one
    /// of `fixed: 1s`, `uniform: {min, max}`, `normal: {mean, stddev}`, `lognormal: {median, p99}`,
    /// `exponential: {mean}`, `pareto: {min, alpha}`.
    public static func decode(_ node: ConfigNode) throws(ConfigError) -> LatencyDistribution {
        if node.isScalar { return .fixed(try node.duration()) }
        let m = try node.mapping(allowed: configForms)
        guard m.keys.count == 1, let form = m.keys.first else {
            throw node.error("expected exactly one of \(configForms.joined(separator: ", ")), got \(m.keys.count) keys")
        }
        let v = m[form]
        switch form {
        case "fixed":
            return .fixed(try v.duration())
        case "uniform":
            let p = try v.mapping(allowed: ["min", "max"])
            let lo = try p.required("min").duration()
            let hi = try p.required("max").duration()
            guard hi >= lo else { throw p["max"].error("must be at least min (\(DurationFormat.short(lo)))") }
            return .uniform(min: lo, max: hi)
        case "normal":
            let p = try v.mapping(allowed: ["mean", "stddev"])
            return .normal(mean: try p.required("mean").duration(), stddev: try p.required("stddev").duration())
        case "lognormal":
            let p = try v.mapping(allowed: ["median", "p99"])
            let median = try p.required("median").duration()
            let p99 = try p.required("p99").duration()
            guard p99 >= median else { throw p["p99"].error("must be at least the median (\(DurationFormat.short(median)))") }
            return .lognormal(median: median, p99: p99)
        case "exponential":
            let p = try v.mapping(allowed: ["mean"])
            return .exponential(mean: try p.required("mean").duration())
        default:  // pareto
            let p = try v.mapping(allowed: ["min", "alpha"])
            let xm = try p.required("min").duration()
            let alpha = try p.required("alpha").double(in: 0.01...1000)
            return .pareto(min: xm, alpha: alpha)
        }
    }
}

/// A distribution of whole token counts (the length of generated replies). Samples are at least 1.
public enum TokenCountDistribution: Sendable, Hashable, CustomStringConvertible {
    /// Always `n` tokens.
    case fixed(Int)
    /// Uniform over `min...max` (inclusive).
    case uniform(min: Int, max: Int)
    /// Normal with mean and standard deviation, rounded, at least 1.
    case normal(mean: Double, stddev: Double)
    /// Lognormal given by its median and 99th percentile, rounded, at least 1.
    case lognormal(median: Double, p99: Double)

    /// The keys a token-count distribution mapping may use.
    public static let configForms = ["fixed", "uniform", "normal", "lognormal"]

    /// Draws one count (≥ 1). `fixed` consumes no randomness.
    public func sample(_ rng: inout SquallRandom) -> Int {
        switch self {
        case .fixed(let n):
            return max(1, n)
        case .uniform(let lo, let hi):
            guard hi > lo else { return max(1, lo) }
            let span = UInt64(hi - lo + 1)
            return max(1, lo + Int(rng.next() % span))
        case .normal(let mean, let sd):
            return max(1, Int((mean + sd * rng.standardNormal()).rounded()))
        case .lognormal(let median, let p99):
            let mu = log(max(median, 1e-9))
            let sigma = max(0, (log(max(p99, 1e-9)) - mu) / 2.326_347_874_040_841)
            let v = exp(mu + sigma * rng.standardNormal())
            return max(1, Int(min(v, 1e9).rounded()))
        }
    }

    /// A short form for messages and reports (`50`, `uniform(20..300)`).
    public var description: String {
        switch self {
        case .fixed(let n): return "\(n)"
        case .uniform(let a, let b): return "uniform(\(a)..\(b))"
        case .normal(let m, let s): return "normal(mean \(m), sd \(s))"
        case .lognormal(let m, let p): return "lognormal(median \(m), p99 \(p))"
        }
    }

    /// Decodes `50`, `{fixed: 50}`, `{uniform: {min: 20, max: 300}}`, `{normal: {mean, stddev}}` or
    /// `{lognormal: {median, p99}}`.
    public static func decode(_ node: ConfigNode) throws(ConfigError) -> TokenCountDistribution {
        if node.isScalar { return .fixed(try node.int(in: 1...1_000_000)) }
        let m = try node.mapping(allowed: configForms)
        guard m.keys.count == 1, let form = m.keys.first else {
            throw node.error("expected exactly one of \(configForms.joined(separator: ", ")), got \(m.keys.count) keys")
        }
        let v = m[form]
        switch form {
        case "fixed":
            return .fixed(try v.int(in: 1...1_000_000))
        case "uniform":
            let p = try v.mapping(allowed: ["min", "max"])
            let lo = try p.required("min").int(in: 1...1_000_000)
            let hi = try p.required("max").int(in: 1...1_000_000)
            guard hi >= lo else { throw p["max"].error("must be at least min (\(lo))") }
            return .uniform(min: lo, max: hi)
        case "normal":
            let p = try v.mapping(allowed: ["mean", "stddev"])
            return .normal(
                mean: try p.required("mean").double(in: 1...1_000_000),
                stddev: try p.required("stddev").double(in: 0...1_000_000))
        default:
            let p = try v.mapping(allowed: ["median", "p99"])
            let median = try p.required("median").double(in: 1...1_000_000)
            let p99 = try p.required("p99").double(in: 1...1_000_000)
            guard p99 >= median else { throw p["p99"].error("must be at least the median (\(median))") }
            return .lognormal(median: median, p99: p99)
        }
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif
