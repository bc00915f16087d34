import Scenarios

/// `audit.md`: the summary table (false fails, guards, mutation score, bar per scenario), the
/// mutants across scenarios, then per scenario its expectations over seeds and its mutants.
public enum AuditMarkdown {
    /// The whole document.
    public static func render(_ a: AuditReport) -> String {
        var out = "# Squall audit\n\n"
        out += verdictLine(a) + "\n\n"
        out += "Each scenario ran as written over seeds 1..\(a.seeds) (every failure there is a **false fail**), and "
        out += "with each planted defect (mutant) over seeds 1..\(a.mutantSeeds): a mutant is **caught** on a seed when an "
        out += "expectation that held without the defect on that seed fails (or has no evidence) with it. "
        out += "The bar: at most \(NumberText.percent(a.bar.maxFalseFailRate, digits: 2)) false fails (1 in 200, a point "
        out += "estimate) and every guard caught in at least \(NumberText.percent(a.bar.minDetection, digits: 1)) of its "
        out += "seeds. Intervals are exact Clopper–Pearson at \(NumberText.percent(a.bar.confidence, digits: 1)); "
        out += "with 200 clean seeds the upper bound is still 1.8%, so a rate below 0.5% *with confidence* needs about 600.\n"
        if a.incomplete {
            out += "\n> [!WARNING]\n> **Incomplete audit.** It was interrupted; the figures cover the runs that finished.\n"
        }
        out += "\n" + summary(a)
        out += "\n" + mutants(a)
        for s in a.scenarios { out += "\n" + scenario(s, a) }
        return out
    }

    static func verdictLine(_ a: AuditReport) -> String {
        let met = a.scenarios.filter(\.meetsBar).count
        let badge = a.passed ? "✅ PASS" : (a.incomplete ? "⚠️ INCOMPLETE" : "❌ FAIL")
        return "**Verdict: \(badge)**: \(met) of \(a.scenarios.count) scenarios meet the bar"
    }

    static func proportion(_ p: Proportion) -> String {
        "\(NumberText.grouped(p.count))/\(NumberText.grouped(p.trials)) (\(NumberText.percent(p.rate, digits: 1)); "
            + "\(NumberText.percent(p.lower, digits: 1))–\(NumberText.percent(p.upper, digits: 1)))"
    }

    /// One row per audited scenario (and a line per skipped one).
    public static func summary(_ a: AuditReport) -> String {
        var out = "## Summary\n\n"
        let rows = a.scenarios.map { s -> [String] in
            let guards = s.mutants.filter(\.guarded)
            let caught = guards.filter { ($0.detected?.rate ?? 0) >= a.bar.minDetection - 1e-12 && ($0.detected?.trials ?? 0) > 0 }
            return [
                Markdown.code(s.name), proportion(s.falseFails),
                guards.isEmpty ? "none listed" : "\(caught.count)/\(guards.count)", "\(s.killed)/\(s.applicable)",
                s.meetsBar ? "✅ meets" : "❌ " + Markdown.text(s.shortfalls.joined(separator: "; ")),
            ]
        }
        out += Markdown.table(
            ["scenario", "false fails (95% CI)", "guards caught", "mutants caught ≥ bar", "bar"], rows,
            align: [.left, .right, .right, .right, .left])
        if !a.skipped.isEmpty {
            out += "\nNot audited: " + a.skipped.map { "\(Markdown.code($0.name)) (\(Markdown.text($0.reason)))" }.joined(separator: ", ") + ".\n"
        }
        return out
    }

    /// Each mutant across the audited scenarios: who guards it and the best detection.
    public static func mutants(_ a: AuditReport) -> String {
        var out = "## Mutants across the audited scenarios\n\n"
        var names: [String] = []
        for s in a.scenarios { for m in s.mutants where !names.contains(m.name) { names.append(m.name) } }
        let rows = names.map { name -> [String] in
            let all = a.scenarios.compactMap { s in s.mutants.first { $0.name == name }.map { (s.name, $0) } }
            let guardedBy = all.filter { $0.1.guarded }.map { Markdown.code($0.0) }
            let detections = all.compactMap { pair in pair.1.detected.map { (pair.0, $0) } }
            let best = detections.max { $0.1.rate < $1.1.rate }
            let caughtIn = detections.filter { $0.1.rate >= a.bar.minDetection - 1e-12 && $0.1.trials > 0 }.count
            return [
                Markdown.code(name), guardedBy.isEmpty ? "—" : guardedBy.joined(separator: ", "),
                best.map { "\(NumberText.percent($0.1.rate, digits: 0)) in \(Markdown.code($0.0))" } ?? "not applicable anywhere",
                "\(caughtIn) of \(detections.count)",
            ]
        }
        out += Markdown.table(
            ["mutant", "guarded by", "best detection", "scenarios catching it ≥ bar / applicable"], rows,
            align: [.left, .left, .left, .right])
        out += "\nGuarded by no audited scenario: " + list(a.unguarded) + ".  \n"
        out += "Caught in ≥ \(NumberText.percent(a.bar.minDetection, digits: 0)) of seeds by no audited scenario: " + list(a.undetected) + ".\n"
        return out
    }

    static func list(_ names: [String]) -> String {
        names.isEmpty ? "none" : names.map(Markdown.code).joined(separator: ", ")
    }

    static func value(_ v: Double?, unit: String) -> String {
        guard let v else { return "—" }
        return (ThresholdUnit(rawValue: unit) ?? .number).format(v)
    }

    /// One scenario: its bar, its expectations over seeds, its mutants.
    public static func scenario(_ s: ScenarioAudit, _ a: AuditReport) -> String {
        var out = "## \(Markdown.text(s.name))\n\n"
        out += "File `\(Markdown.text(s.file))`; guards: " + (s.guards.isEmpty ? "none listed" : s.guards.map(Markdown.code).joined(separator: ", ")) + ".  \n"
        out += s.meetsBar ? "Bar: ✅ met.\n" : "Bar: ❌ not met: " + Markdown.text(s.shortfalls.joined(separator: "; ")) + ".\n"
        out += "\n### Expectations over seeds 1..\(s.falseFails.trials) (no defect)\n\n"
        let rows = s.expectations.map { e -> [String] in
            [
                Markdown.code(e.name), Markdown.text(e.expected), proportion(e.falseFails), NumberText.grouped(e.noEvidence),
                value(e.valueMin, unit: e.unit), value(e.valueMedian, unit: e.unit), value(e.valueMax, unit: e.unit),
                NumberText.grouped(e.minObservations),
            ]
        }
        out += Markdown.table(
            ["expectation", "expected", "false fails (95% CI)", "no evidence", "min", "median", "max", "fewest n"], rows,
            align: [.left, .left, .right, .right, .right, .right, .right, .right])
        out += "\n### Mutants over seeds 1..\(a.mutantSeeds)\n\n"
        let mrows = s.mutants.map { m -> [String] in
            guard let d = m.detected else {
                return [Markdown.code(m.name), m.guarded ? "✓" : "", "not applicable: " + Markdown.text(m.notApplicable ?? ""), "", ""]
            }
            let met = d.trials > 0 && d.rate >= a.bar.minDetection - 1e-12
            let by = m.caughtBy.prefix(4).map { "\(Markdown.code($0.name)) \($0.count)" }.joined(separator: ", ")
            return [
                Markdown.code(m.name), m.guarded ? "✓" : "", proportion(d), by.isEmpty ? "—" : by,
                met ? "✅" : (m.guarded ? "❌" : "·"),
            ]
        }
        out += Markdown.table(["mutant", "guard", "caught (95% CI)", "caught by", "≥ bar"], mrows, align: [.left, .center, .right, .left, .center])
        return out
    }
}
