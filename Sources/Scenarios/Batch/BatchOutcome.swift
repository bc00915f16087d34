/// How a batch ended.
public struct BatchOutcome: Sendable, Hashable {
    /// Summaries delivered: jobs 0 ..< delivered, in order.
    public var delivered: Int
    /// Whether the batch stopped because its task was cancelled (the remaining jobs did not run
    /// or were cut short, and were not delivered).
    public var cancelled: Bool

    /// Creates an outcome.
    public init(delivered: Int, cancelled: Bool) {
        self.delivered = delivered
        self.cancelled = cancelled
    }
}
