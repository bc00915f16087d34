import Foundation
import Scenarios

/// The terminal summary `squall audit` prints: a verdict line and one line per scenario.
public enum AuditConsole {
    /// Renders the summary (ends with a newline).
    public static func render(_ a: AuditReport, path: String) -> String {
        let met = a.scenarios.filter(\.meetsBar).count
        let verdict = a.passed ? "PASS" : (a.incomplete ? "INCOMPLETE" : "FAIL")
        var out = "\(verdict) audit: \(met) of \(a.scenarios.count) scenarios meet the bar "
        out += "(seeds 1..\(a.seeds), mutants over 1..\(a.mutantSeeds)) — \(path)\n"
        let width = max(8, a.scenarios.map(\.name.count).max() ?? 8)
        for s in a.scenarios {
            let guards = s.mutants.filter(\.guarded)
            let caught = guards.filter { ($0.detected?.rate ?? 0) >= a.bar.minDetection - 1e-12 && ($0.detected?.trials ?? 0) > 0 }
            let ff = "\(s.falseFails.count)/\(s.falseFails.trials) false fails (\(NumberText.percent(s.falseFails.rate, digits: 1)))"
            var line = "  \(s.meetsBar ? "ok  " : "FAIL") " + s.name.padding(toLength: width, withPad: " ", startingAt: 0)
            line += "  " + ff.padding(toLength: 30, withPad: " ", startingAt: 0)
            line += "  guards \(caught.count)/\(guards.count), mutants caught \(s.killed)/\(s.applicable)"
            if !s.meetsBar { line += " — " + s.shortfalls.joined(separator: "; ") }
            out += line + "\n"
        }
        for s in a.skipped { out += "  skip \(s.name): \(s.reason)\n" }
        if !a.unguarded.isEmpty { out += "  guarded by no audited scenario: \(a.unguarded.joined(separator: ", "))\n" }
        if a.incomplete { out += "  the audit was interrupted: figures cover the runs that finished\n" }
        return out
    }
}
