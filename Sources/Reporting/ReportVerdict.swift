import Scenarios

/// The overall verdict of a run, as the reports state it.
public enum ReportVerdict: String, Sendable, Hashable, CaseIterable {
    /// Every expectation held and the run completed.
    case pass
    /// At least one expectation failed.
    case fail
    /// The run stopped before the scenario's end; figures cover only what ran.
    case incomplete

    /// The verdict of `result`: `incomplete` when interrupted, else `pass` or `fail`.
    public init(_ result: ScenarioResult) {
        if result.incomplete {
            self = .incomplete
        } else {
            self = result.passed ? .pass : .fail
        }
    }

    /// `✅ PASS`, `❌ FAIL`, `⚠️ INCOMPLETE`.
    public var badge: String {
        switch self {
        case .pass: return "✅ PASS"
        case .fail: return "❌ FAIL"
        case .incomplete: return "⚠️ INCOMPLETE"
        }
    }
}
