/// Per-interval figures over scenario time (the charts' input and `timeseries.csv`).
public struct TimeSeries: Sendable, Codable, Hashable {
    /// Interval length, seconds.
    public var intervalSeconds: Double
    /// One point per interval from 0 to the end of the run.
    public var points: [TimeSeriesPoint]
    /// Creates a series.
    public init(intervalSeconds: Double, points: [TimeSeriesPoint]) {
        self.intervalSeconds = intervalSeconds
        self.points = points
    }
}

/// One interval `[start, start + interval)`.
public struct TimeSeriesPoint: Sendable, Codable, Hashable {
    /// Interval start, seconds.
    public var start: Double
    /// Submissions whose intended start fell in the interval (offered load, duplicates included).
    public var arrivals: Int
    /// LLM calls sent in the interval (the load the provider saw).
    public var llmCalls: Int
    /// Attempts that ended in failure in the interval (any class).
    public var attemptFailures: Int
    /// Attempts throttled (429 and capacity codes) in the interval.
    public var throttled: Int
    /// Breaker rejections in the interval.
    public var rejected: Int
    /// Tasks that finished successfully in the interval (goodput).
    public var succeeded: Int
    /// Tasks that finished failed in the interval.
    public var failed: Int
    /// Median latency (from intended start) of tasks finished in the interval, seconds; 0 when none.
    public var latencyP50: Double
    /// 99th-percentile latency of tasks finished in the interval, seconds; 0 when none.
    public var latencyP99: Double
    /// Largest latency of tasks finished in the interval, seconds; 0 when none.
    public var latencyMax: Double
    /// Breaker state at the end of the interval.
    public var breakerState: String
    /// Fraction of the interval the breaker was OPEN (or FORCED_OPEN), 0…1.
    public var breakerOpenFraction: Double
    /// Creates a point.
    public init(
        start: Double, arrivals: Int, llmCalls: Int, attemptFailures: Int, throttled: Int, rejected: Int,
        succeeded: Int, failed: Int, latencyP50: Double, latencyP99: Double, latencyMax: Double, breakerState: String,
        breakerOpenFraction: Double
    ) {
        self.start = start
        self.arrivals = arrivals
        self.llmCalls = llmCalls
        self.attemptFailures = attemptFailures
        self.throttled = throttled
        self.rejected = rejected
        self.succeeded = succeeded
        self.failed = failed
        self.latencyP50 = latencyP50
        self.latencyP99 = latencyP99
        self.latencyMax = latencyMax
        self.breakerState = breakerState
        self.breakerOpenFraction = breakerOpenFraction
    }
}
