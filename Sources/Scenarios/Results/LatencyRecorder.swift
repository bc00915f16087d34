import Histogram

/// An HDR latency histogram in microseconds (3 significant digits, mergeable, bounded memory) that
/// summarises to `LatencySummary`.
public struct LatencyRecorder: Sendable {
    private var histogram: Histogram<UInt64>
    private var sum: Double = 0

    /// An empty recorder; `digits` significant digits (default 3).
    public init(digits: SignificantDigits = .three) {
        histogram = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: digits)
        histogram.autoResize = true
    }

    /// Values recorded.
    public var count: Int { Int(histogram.totalCount) }

    /// Records one latency.
    public mutating func record(_ latency: Duration) {
        let s = Swift.max(0, latency.seconds)
        sum += s
        _ = histogram.record(UInt64(Swift.max(1, (s * 1e6).rounded())))
    }

    /// Adds another recorder's values.
    public mutating func merge(_ other: LatencyRecorder) {
        histogram.add(other.histogram)
        sum += other.sum
    }

    /// The value at percentile `p` (0…100), seconds; 0 when empty.
    public func percentile(_ p: Double) -> Double {
        count == 0 ? 0 : Double(histogram.valueAtPercentile(p)) / 1e6
    }

    /// The largest value, seconds; 0 when empty.
    public var max: Double { count == 0 ? 0 : Double(histogram.max) / 1e6 }

    /// Summarises, with logarithmic buckets starting at 1 ms and doubling.
    public func summary() -> LatencySummary {
        guard count > 0 else { return .empty }
        var buckets: [LatencyBucket] = []
        var lower = 0.0
        for v in histogram.logarithmicBucketValues(valueUnitsInFirstBucket: 1000, logBase: 2) {
            let upper = Double(v.value) / 1e6
            if v.countAddedInThisIterationStep > 0 {
                buckets.append(LatencyBucket(lower: lower, upper: upper, count: Int(v.countAddedInThisIterationStep)))
            }
            lower = upper
        }
        return LatencySummary(
            count: count, min: Double(histogram.min) / 1e6, mean: sum / Double(count), p50: percentile(50),
            p90: percentile(90), p95: percentile(95), p99: percentile(99), p999: percentile(99.9), max: max,
            buckets: buckets)
    }
}
