import Foundation
import Reliability

/// The terminal summary `squall run` prints for a result: a verdict line and, verbosely, one line
/// per expectation plus the headline figures.
public enum ConsoleSummary {
    /// Renders the summary (ends with a newline).
    public static func render(_ r: ScenarioResult, reportPath: String, verbose: Bool = true) -> String {
        let held = r.expectations.filter(\.passed).count
        let verdict = r.incomplete ? "INCOMPLETE" : (r.passed ? "PASS" : "FAIL")
        var out = "\(verdict) \(r.scenario.name) (\(r.mode.rawValue), seed \(r.seed)): \(held)/\(r.expectations.count) expectations held — \(reportPath)\n"
        guard verbose else { return out }
        for v in r.expectations {
            let evidence = v.status == .noEvidence ? "no evidence: " : ""
            out += "  \(v.passed ? "ok  " : "FAIL") \(v.name): \(evidence)expected \(v.expected), observed \(v.observed) (n=\(v.observations))\n"
            if v.untrustworthy, let note = v.detail.range(of: "untrustworthy at ") {
                out += "       \(v.detail[note.lowerBound...])\n"
            }
        }
        let t = r.totals
        out += "  tasks \(t.tasks), succeeded \(t.succeeded), failed \(t.failed) (\(Percent.format(t.successRate, digits: 3)) success); "
        out += "latency p50 \(DurationFormat.short(.fromSeconds(r.latency.p50))), p99 \(DurationFormat.short(.fromSeconds(r.latency.p99))); "
        out += "\(r.usage.llmCalls) LLM calls, \(String(format: "%.2f", r.attempts.meanAttempts)) attempts/task\n"
        if let a = r.arithmetic { out += "  arithmetic: \(a.framing)\n" }
        if let sl = r.serviceLatency {
            let d = { (v: Double) in DurationFormat.short(.fromSeconds(v)) }
            out += "  service (real time): accept p99 \(d(sl.accept.p99)) max \(d(sl.accept.max)) (n=\(sl.accept.count)); "
            out += "poll p99 \(d(sl.poll.p99)) (n=\(sl.poll.count)); health p99 \(d(sl.health.p99)) max \(d(sl.health.max)) (n=\(sl.health.count))\n"
        }
        if let f = r.fidelity {
            out += "  timing fidelity at ×\(FidelityRule.format(f.timeScale)): lag p99 \(String(format: "%.3f", f.lag.p99Ms)) ms (n=\(f.lag.n)), "
            out += "overhead p99 \(String(format: "%.3f", f.overhead.p99Ms)) ms (n=\(f.overhead.n)) real → distortion "
            out += "\(DurationFormat.short(.fromSeconds(f.distortionSeconds))) scenario; \(f.untrustworthy) untrustworthy verdict\(f.untrustworthy == 1 ? "" : "s")\n"
        }
        return out
    }
}
