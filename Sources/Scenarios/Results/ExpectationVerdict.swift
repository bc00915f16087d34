/// How an expectation came out.
public enum VerdictStatus: String, Sendable, Codable, Hashable, CaseIterable {
    /// It held, on a non-empty population.
    case pass
    /// It did not hold (or the mechanism it is about is missing, e.g. no breaker configured).
    case fail
    /// Its population was empty (no tasks in the window, no replays, the breaker never opened), so
    /// nothing was checked. Counts as not held: a verdict must rest on observations.
    case noEvidence = "no_evidence"

    /// `pass`, `FAIL`, `no evidence`, for one-line listings.
    public var label: String {
        switch self {
        case .pass: return "pass"
        case .fail: return "fail"
        case .noEvidence: return "no evidence"
        }
    }
}

/// The verdict on one expectation: what was expected, what was observed, whether it held and how
/// many observations that rests on.
public struct ExpectationVerdict: Sendable, Codable, Hashable {
    /// The expectation's name as written in the scenario, e.g. `success_rate`, `breaker.opens_within`,
    /// `during.latency_p99`.
    public var name: String
    /// The expected condition, e.g. `>= 99.5%`, `<= 15s after window 1 start`.
    public var expected: String
    /// What was observed, formatted in the same unit, e.g. `99.62%`, `4.1s`.
    public var observed: String
    /// Pass, fail, or no evidence (an empty population).
    public var status: VerdictStatus
    /// How many observations the verdict rests on (tasks, calls, replays, breaker openings, … — the
    /// detail says which); 0 with `noEvidence`.
    public var observations: Int
    /// The observed figure as a number in the threshold's unit (fractions for percentages, seconds
    /// for durations), when there is one; nil otherwise. Audits summarise it over seeds.
    public var value: Double?
    /// Context: the population measured, the window, why it failed.
    public var detail: String
    /// Where the figure was measured (`simulator · stack events`, `mock call log`, …), from the
    /// evidence the expectation needs and the run mode; nil in summaries written before it existed.
    public var measuredFrom: String?
    /// Whether a live run's timing distortion reached this timing verdict's margin, so it cannot be
    /// trusted at that time scale (it then never passes; see `FidelityRule.apply`). False in
    /// summaries written before it existed and in every simulator run; encoded only when true.
    public var untrustworthy = false

    /// Whether it held.
    public var passed: Bool { status == .pass }

    /// Creates a verdict with an explicit status.
    public init(
        name: String, expected: String, observed: String, status: VerdictStatus, observations: Int, value: Double? = nil,
        detail: String = ""
    ) {
        self.name = name
        self.expected = expected
        self.observed = observed
        self.status = status
        self.observations = observations
        self.value = value
        self.detail = detail
    }

    /// Creates a pass or fail verdict.
    public init(
        name: String, expected: String, observed: String, passed: Bool, observations: Int, value: Double? = nil,
        detail: String = ""
    ) {
        self.init(
            name: name, expected: expected, observed: observed, status: passed ? .pass : .fail,
            observations: observations, value: value, detail: detail)
    }

    /// A verdict whose population was empty: it fails as "no evidence".
    public static func noEvidence(name: String, expected: String, observed: String, detail: String) -> ExpectationVerdict {
        ExpectationVerdict(name: name, expected: expected, observed: observed, status: .noEvidence, observations: 0, detail: detail)
    }

    enum CodingKeys: String, CodingKey {
        case name, expected, observed, status, passed, observations, value, detail
        case measuredFrom = "measured_from"
        case untrustworthy
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        expected = try c.decode(String.self, forKey: .expected)
        observed = try c.decode(String.self, forKey: .observed)
        // Summaries written before status and observations existed decode with what they had.
        let passed = try c.decodeIfPresent(Bool.self, forKey: .passed) ?? false
        status = try c.decodeIfPresent(VerdictStatus.self, forKey: .status) ?? (passed ? .pass : .fail)
        observations = try c.decodeIfPresent(Int.self, forKey: .observations) ?? 0
        value = try c.decodeIfPresent(Double.self, forKey: .value)
        detail = try c.decode(String.self, forKey: .detail)
        measuredFrom = try c.decodeIfPresent(String.self, forKey: .measuredFrom)
        untrustworthy = try c.decodeIfPresent(Bool.self, forKey: .untrustworthy) ?? false
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(expected, forKey: .expected)
        try c.encode(observed, forKey: .observed)
        try c.encode(status, forKey: .status)
        try c.encode(passed, forKey: .passed)
        try c.encode(observations, forKey: .observations)
        try c.encodeIfPresent(value, forKey: .value)
        try c.encode(detail, forKey: .detail)
        try c.encodeIfPresent(measuredFrom, forKey: .measuredFrom)
        if untrustworthy { try c.encode(true, forKey: .untrustworthy) }
    }
}
