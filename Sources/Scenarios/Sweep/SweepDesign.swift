import Reliability

/// How a sweep picks configurations from its parameters' values.
public enum SweepSampling: String, Sendable, Hashable, Codable, CaseIterable {
    /// Every combination of the parameters' values (lists and ranges only).
    case grid
    /// `samples` configurations, each parameter drawn independently and uniformly (a list or range
    /// as a choice among its values, a distribution through its inverse CDF).
    case random
    /// Latin-hypercube sampling: `samples` configurations; each parameter's range is cut into
    /// `samples` equally likely strata and every stratum is used exactly once, in a random pairing
    /// across parameters.
    case lhs
}

/// The configurations of a sweep as a deterministic function of their index: configuration `i`
/// has the same values whatever else is computed, so jobs can be split across processes by index.
///
/// - grid: mixed-radix counting over the parameters' values, the first parameter slowest;
/// - random: parameter `d` of configuration `i` uses the `d`-th draw of the stream (seed, i);
/// - lhs: parameter `d` of configuration `i` lies in stratum `π_d(i)` of `samples` (π_d a random
///   permutation from the stream (seed, 2^32 + d)), at a uniform point inside it drawn as in random.
public struct SweepDesign: Sendable {
    /// The parameters, in order.
    public let parameters: [SweepParameter]
    /// The sampling.
    public let sampling: SweepSampling
    /// Configurations in the design.
    public let count: Int
    /// The seed of random and Latin-hypercube draws.
    public let seed: UInt64
    /// Grid: values per parameter.
    let gridValues: [[String]]
    /// Latin hypercube: a permutation of 0..<count per parameter.
    let strata: [[Int]]

    /// The most configurations a sweep may have.
    public static let maxConfigurations = 10_000

    /// Builds the design. Grid sampling takes every combination (`samples` must be nil); random and
    /// lhs take `samples` configurations. The error says what is wrong (the caller adds where).
    public init(parameters: [SweepParameter], sampling: SweepSampling, samples: Int?, seed: UInt64) throws(SweepDesignError) {
        self.parameters = parameters
        self.sampling = sampling
        self.seed = seed
        switch sampling {
        case .grid:
            var values: [[String]] = []
            var total = 1
            for p in parameters {
                guard let v = p.values.values else { throw SweepDesignError.distributionInGrid(p) }
                values.append(v)
                total = total.multipliedReportingOverflow(by: v.count).overflow ? Int.max : total * v.count
            }
            guard total <= Self.maxConfigurations else { throw SweepDesignError.tooMany(total) }
            gridValues = values
            strata = []
            count = total
        case .random, .lhs:
            let n = samples ?? 32
            guard (1...Self.maxConfigurations).contains(n) else { throw SweepDesignError.tooMany(n) }
            count = n
            gridValues = []
            if sampling == .lhs {
                strata = parameters.indices.map { d in
                    var rng = SquallRandom.stream(seed: seed, (1 << 32) + UInt64(d))
                    var perm = Array(0..<n)
                    // Fisher–Yates with the seeded stream.
                    for i in stride(from: n - 1, to: 0, by: -1) {
                        let j = Int(rng.next() % UInt64(i + 1))
                        perm.swapAt(i, j)
                    }
                    return perm
                }
            } else {
                strata = []
            }
        }
    }

    /// The unit value (0 ≤ u < 1) parameter `d` of configuration `index` is drawn at (random and lhs).
    public func unit(_ index: Int, _ d: Int) -> Double {
        var rng = SquallRandom.stream(seed: seed, UInt64(index))
        var u = 0.0
        for _ in 0...d { u = rng.unit() }
        switch sampling {
        case .lhs: return (Double(strata[d][index]) + u) / Double(count)
        default: return u
        }
    }

    /// The values of configuration `index` (0 ..< count), one per parameter, as scenario text.
    public func values(at index: Int) -> [String] {
        precondition(index >= 0 && index < count, "configuration index out of range")
        switch sampling {
        case .grid:
            var rest = index
            var out = [String](repeating: "", count: parameters.count)
            for d in parameters.indices.reversed() {
                let k = gridValues[d].count
                out[d] = gridValues[d][rest % k]
                rest /= k
            }
            return out
        case .random, .lhs:
            return parameters.indices.map { d in parameters[d].values.value(at: unit(index, d)) }
        }
    }
}

/// A sweep design that cannot be built.
public enum SweepDesignError: Error, Sendable, Hashable {
    /// A distribution was given for grid sampling.
    case distributionInGrid(SweepParameter)
    /// More configurations than `SweepDesign.maxConfigurations` (or fewer than one sample).
    case tooMany(Int)
}
