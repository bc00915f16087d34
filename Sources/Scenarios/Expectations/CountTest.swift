import Foundation
import Reliability

/// Count thresholds with a statistical tolerance: `failures_per_day: "<= 120 at 99%"` passes unless
/// the observed count is above the limit with 99% confidence.
///
/// The model: the count is Poisson with mean μ = limit × days for a per-day figure (days = the
/// scenario's duration / 24 h) and μ = limit for a run count. Poisson arrivals thinned by an
/// independent per-task probability give exactly a Poisson count, and it is the right model for
/// rare events among many tasks. One-sided exact test: `<= L at c` (or `< L`) fails when
/// P(X ≥ observed | μ) < 1 − c; `>= L at c` (or `> L`) fails when P(X ≤ observed | μ) < 1 − c.
enum CountTest {
    /// Expectation keys whose thresholds may carry a confidence.
    static let keys = ["failures", "failures_per_day", "failures_by_cause", "llm_calls", "llm_calls_per_day", "duplicate_executions"]

    /// The raw count behind `value` and the days a per-day limit is scaled over (1 for run counts).
    static func count(_ metric: Metric, value: Double, result: ScenarioResult) -> (count: Int, days: Double) {
        let days = result.durationSeconds / 86_400
        switch metric {
        case .failuresPerDay: return (result.totals.failed, days)
        case .llmCallsPerDay: return (result.usage.llmCalls, days)
        default: return (Int(value.rounded()), 1)
        }
    }

    /// The verdict of a statistical threshold on `count` (shown as `value` in the threshold's unit).
    static func verdict(
        name: String, threshold t: Threshold, value: Double, count: Int, days: Double, observations: Int, detail: String
    ) -> ExpectationVerdict {
        let confidence = t.confidence ?? 0.99
        let mean = t.value * days
        let upper = t.comparison == .atMost || t.comparison == .lessThan
        let p = upper ? PoissonTail.atLeast(count, mean: mean) : PoissonTail.atMost(count, mean: mean)
        let passed = p >= 1 - confidence
        let tail = upper ? "P(X ≥ \(count))" : "P(X ≤ \(count))"
        let scale = days == 1 ? "" : " (\(fmt(t.value))/day over \(DurationFormat.short(.fromSeconds(days * 86_400))))"
        let test = "\(count) counted; Poisson mean at the limit \(fmt(mean))\(scale): \(tail) = \(prob(p)), "
            + (passed ? "not beyond the limit at \(Percent.format(confidence, digits: 3))"
                : "beyond the limit at \(Percent.format(confidence, digits: 3)) (below \(Percent.format(1 - confidence, digits: 3)))")
        return ExpectationVerdict(
            name: name, expected: t.description, observed: t.unit.format(value), passed: passed,
            observations: observations, value: value, detail: detail.isEmpty ? test : detail + "; " + test)
    }

    static func fmt(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(format: "%.2f", v)
    }

    static func prob(_ p: Double) -> String {
        if p == 0 { return "0" }
        return p >= 0.001 ? String(format: "%.4f", p) : String(format: "%.2e", p)
    }
}
