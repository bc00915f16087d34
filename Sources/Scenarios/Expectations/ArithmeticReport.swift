import Foundation
import Reliability

/// Builds the `FailureArithmetic` block: the closed-form expectation against the observed run.
public enum ArithmeticReport {
    /// Computes the block for `result` of `scenario` at `confidence`.
    public static func compute(scenario: Scenario, result: ScenarioResult, confidence: Double) -> FailureArithmetic {
        let model = FailureModel(scenario: scenario)
        var n = result.totals.succeeded + result.totals.failed
        var k = result.totals.failed
        var notes = model.notes
        if !result.faultWindows.isEmpty, let steady = result.aggregates.steadyState {
            // Compare the steady state with the steady state: leave out tasks that overlap a fault
            // window (plus the breaker's recovery timeout after it, when there is a breaker).
            let buffer = steady.bufferSeconds
            notes.append("observed over the \(steady.tasks) tasks that did not overlap a fault window\(buffer > 0 ? " or the \(DurationFormat.short(.fromSeconds(buffer))) after it" : "")")
            n = steady.tasks
            k = steady.failed
        }
        let (lo, hi) = BinomialInterval.clopperPearson(successes: k, trials: n, confidence: confidence)
        let p = model.taskFailure
        let perDay = scenario.load.tasksPerDay
        let steadyOnly = n != result.totals.succeeded + result.totals.failed || k != result.totals.failed
        let observedPerDay = steadyOnly ? (n == 0 ? 0 : Double(k) / Double(n) * perDay) : result.perDay.failures
        if result.duplicates.replayed + result.duplicates.conflicts > 0 {
            notes.append("replayed and conflicting duplicates are not executed tasks and are not counted")
        }
        return FailureArithmetic(
            closedForm: model.closedForm, perAttemptTransient: model.transient, perAttemptPermanent: model.permanent,
            perAttemptTimeout: model.timeout, attempts: model.attempts, expectedExhaustion: model.exhaustion,
            expectedPermanent: model.permanentFailure, expectedFailureProbability: p,
            singleAttemptFailureProbability: model.singleAttemptFailure, tasks: n, observedFailures: k,
            expectedFailures: p * Double(n), observedFailureProbability: n == 0 ? 0 : Double(k) / Double(n),
            confidence: confidence, intervalLower: lo, intervalUpper: hi, consistent: p >= lo && p <= hi,
            tasksPerDay: perDay, expectedFailuresPerDay: p * perDay, observedFailuresPerDay: observedPerDay,
            framing: framing(failure: p, tasksPerDay: perDay, attempts: model.attempts),
            singleAttemptFraming: framing(failure: model.singleAttemptFailure, tasksPerDay: perDay, attempts: 1),
            notes: notes)
    }

    /// "99% success at 1,000 tasks/day = 10 failures/day (5 attempts)".
    public static func framing(failure p: Double, tasksPerDay: Double, attempts: Int) -> String {
        let perDay = p * tasksPerDay
        let attemptsText = attempts == 1 ? "1 attempt" : "\(attempts) attempts"
        return "\(successText(1 - p)) success at \(grouped(tasksPerDay)) tasks/day = \(failuresText(perDay)) (\(attemptsText))"
    }

    /// A success rate with enough digits to show the failure share (`99%`, `99.99999%`).
    static func successText(_ s: Double) -> String {
        let f = 1 - s
        if f <= 0 { return "100%" }
        if f >= 0.01 { return Percent.format(s, digits: 2) }
        let digits = min(12, Int((-log10(f)).rounded(.up)) + 1)
        return Percent.format(s, digits: digits)
    }

    /// `10 failures/day`, `0.3 failures/day (one every 3.3 days)`, `1e-07 failures/day (one every 27,000 years)`.
    static func failuresText(_ perDay: Double) -> String {
        if perDay <= 0 { return "0 failures/day" }
        if perDay >= 10 { return "\(grouped(perDay.rounded())) failures/day" }
        if perDay >= 1 { return String(format: "%.1f failures/day", perDay) }
        let days = 1 / perDay
        let value = perDay >= 0.01 ? String(format: "%.2f", perDay) : String(format: "%.1e", perDay)
        let every: String
        if days < 365 {
            every = String(format: "%.1f days", days)
        } else if days / 365 < 1e6 {
            every = "\(grouped((days / 365).rounded())) years"
        } else {
            every = String(format: "%.0e years", days / 365)
        }
        return "\(value) failures/day (one every \(every))"
    }

    /// 1234567 → `1,234,567`.
    static func grouped(_ v: Double) -> String {
        guard v.isFinite, abs(v) < 1e18 else { return String(v) }
        let whole = Int64(v.rounded())
        var digits = Array(String(abs(whole)))
        var out = ""
        while digits.count > 3 {
            out = "," + String(digits.suffix(3)) + out
            digits.removeLast(3)
        }
        return (whole < 0 ? "-" : "") + String(digits) + out
    }
}
