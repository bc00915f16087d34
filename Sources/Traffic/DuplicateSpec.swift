import Reliability

/// Duplicate submissions: a share of originals is submitted again with the same idempotency key
/// and payload.
public struct DuplicateSpec: Sendable, Hashable {
    /// Share of originals that get a duplicate, 0…1.
    public var rate: Double
    /// Delay of the duplicate after the original's intended start, drawn uniformly. Default 0s..30s.
    public var delay: DurationRange
    /// Share of duplicates sent at once, while the original is certainly in flight (delay 0), 0…1. Default 0.
    public var concurrent: Double

    /// Creates a spec; see each field for its default.
    public init(rate: Double, delay: DurationRange = DurationRange(.zero, .seconds(30)), concurrent: Double = 0) {
        self.rate = rate
        self.delay = delay
        self.concurrent = concurrent
    }
}
