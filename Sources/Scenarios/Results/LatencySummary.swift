/// A latency distribution (seconds), from an HDR histogram with 3 significant digits.
public struct LatencySummary: Sendable, Codable, Hashable {
    /// Values recorded.
    public var count: Int
    /// Smallest value.
    public var min: Double
    /// Mean.
    public var mean: Double
    /// Median.
    public var p50: Double
    /// 90th percentile.
    public var p90: Double
    /// 95th percentile.
    public var p95: Double
    /// 99th percentile.
    public var p99: Double
    /// 99.9th percentile.
    public var p999: Double
    /// Largest value.
    public var max: Double
    /// Counts in logarithmic buckets (for the distribution chart), ascending, empty buckets omitted.
    public var buckets: [LatencyBucket]

    /// Creates a summary.
    public init(
        count: Int, min: Double, mean: Double, p50: Double, p90: Double, p95: Double, p99: Double, p999: Double,
        max: Double, buckets: [LatencyBucket]
    ) {
        self.count = count
        self.min = min
        self.mean = mean
        self.p50 = p50
        self.p90 = p90
        self.p95 = p95
        self.p99 = p99
        self.p999 = p999
        self.max = max
        self.buckets = buckets
    }

    /// No values.
    public static let empty = LatencySummary(
        count: 0, min: 0, mean: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0, max: 0, buckets: [])

    /// The value at percentile `p` (0…100) among the named ones; nil for others.
    public func percentile(_ p: Double) -> Double? {
        switch p {
        case 50: return p50
        case 90: return p90
        case 95: return p95
        case 99: return p99
        case 99.9: return p999
        case 100: return max
        default: return nil
        }
    }
}

/// Values in `(lower, upper]` seconds.
public struct LatencyBucket: Sendable, Codable, Hashable {
    /// Exclusive lower bound, seconds.
    public var lower: Double
    /// Inclusive upper bound, seconds.
    public var upper: Double
    /// Values in the bucket.
    public var count: Int
    /// Creates a bucket.
    public init(lower: Double, upper: Double, count: Int) {
        self.lower = lower
        self.upper = upper
        self.count = count
    }
}
