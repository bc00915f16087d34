/// The verdict on one expectation: what was expected, what was observed, and whether it held.
public struct ExpectationVerdict: Sendable, Codable, Hashable {
    /// The expectation's name as written in the scenario, e.g. `success_rate`, `breaker.opens_within`,
    /// `during.latency_p99`.
    public var name: String
    /// The expected condition, e.g. `>= 99.5%`, `<= 15s after window 1 start`.
    public var expected: String
    /// What was observed, formatted in the same unit, e.g. `99.62%`, `4.1s`.
    public var observed: String
    /// Whether it held.
    public var passed: Bool
    /// Context: the population measured, the window, why it failed.
    public var detail: String
    /// Creates a verdict.
    public init(name: String, expected: String, observed: String, passed: Bool, detail: String = "") {
        self.name = name
        self.expected = expected
        self.observed = observed
        self.passed = passed
        self.detail = detail
    }
}
