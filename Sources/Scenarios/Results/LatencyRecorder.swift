import Histogram

/// An HDR latency histogram in microseconds (3 significant digits by default, so a percentile is
/// within 0.1% of the exact value; mergeable; bounded memory) that summarises to `LatencySummary`.
/// Its state is integer only (bucket counts, the sum of recorded microseconds), so merging two
/// recorders gives exactly the recorder that saw both streams.
public struct LatencyRecorder: Sendable, Codable, Equatable {
    private var histogram: Histogram<UInt64>
    private var sumMicros: UInt64 = 0

    /// An empty recorder; `digits` significant digits (default 3).
    public init(digits: SignificantDigits = .three) {
        histogram = Histogram<UInt64>(
            lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: digits)
        histogram.autoResize = true
    }

    /// Values recorded.
    public var count: Int { Int(histogram.totalCount) }

    /// Records one latency (negative values count as 0; recorded in whole microseconds, at least 1).
    @inline(__always)
    public mutating func record(_ latency: Duration) {
        recordMicroseconds(ScenarioClock.microseconds(latency))
    }

    /// Records one latency given in microseconds.
    @inline(__always)
    public mutating func recordMicroseconds(_ micros: Int64) {
        let us = UInt64(Swift.max(0, micros))
        sumMicros &+= us
        _ = histogram.record(Swift.max(1, us))
    }

    /// Adds another recorder's values.
    public mutating func merge(_ other: LatencyRecorder) {
        histogram.add(other.histogram)
        sumMicros &+= other.sumMicros
    }

    /// The value at percentile `p` (0…100), seconds; 0 when empty. Within 10^-digits of the exact
    /// nearest-rank value (the bucket's highest equivalent value).
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
            count: count, min: Double(histogram.min) / 1e6, mean: Double(sumMicros) / 1e6 / Double(count),
            p50: percentile(50), p90: percentile(90), p95: percentile(95), p99: percentile(99), p999: percentile(99.9),
            max: max, buckets: buckets)
    }

    /// Equal when both hold the same values in the same buckets (the histograms' array sizes may differ).
    public static func == (a: LatencyRecorder, b: LatencyRecorder) -> Bool {
        guard a.count == b.count, a.sumMicros == b.sumMicros, a.histogram.min == b.histogram.min,
            a.histogram.max == b.histogram.max
        else { return false }
        let x = a.histogram.recordedValues().map { [$0.value, $0.count] }
        let y = b.histogram.recordedValues().map { [$0.value, $0.count] }
        return x == y
    }
}
