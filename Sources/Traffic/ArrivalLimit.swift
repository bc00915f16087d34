/// When a schedule stops producing tasks: after a scenario duration, a count, or both (whichever first).
public struct ArrivalLimit: Sendable, Hashable {
    /// Scenario duration; arrivals at or after it are not produced. Nil for no limit.
    public var duration: Duration?
    /// Maximum number of arrivals. Nil for no limit.
    public var count: Int?
    /// Creates a limit (default: none).
    public init(duration: Duration? = nil, count: Int? = nil) {
        self.duration = duration
        self.count = count
    }
}
