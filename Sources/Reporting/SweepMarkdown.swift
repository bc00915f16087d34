import Scenarios

/// `sweep.md`: the verdict, the best passing configuration as a ready-to-paste `stack:` block, the
/// configurations ranked, the Pareto front, one chart per parameter and how it was all computed.
public enum SweepMarkdown {
    /// Ranked configurations shown in the table (all of them are in `sweep.csv` and `sweep.json`).
    public static let shownRanks = 25

    /// The whole document.
    public static func render(_ r: SweepReport) -> String {
        var out = "# Sweep: \(Markdown.text(r.scenario))\n\n"
        if !r.description.isEmpty { out += Markdown.text(r.description) + "\n\n" }
        out += verdictLine(r) + "\n\n"
        if r.incomplete {
            out += "> [!WARNING]\n> **Incomplete sweep.** \(Markdown.text(r.incompleteReason ?? "It stopped early."))\n\n"
        }
        out += design(r)
        out += best(r)
        out += ranked(r)
        out += pareto(r)
        out += effects(r)
        out += method(r)
        return out
    }

    static func verdictLine(_ r: SweepReport) -> String {
        let badge = r.incomplete ? "⚠️ INCOMPLETE" : (r.passing > 0 ? "✅ PASS" : "❌ FAIL")
        let seeds = r.seeds.count == 1 ? "seed \(r.seeds[0])" : "seeds \(r.seeds.first!)..\(r.seeds.last!)"
        return
            "**Verdict: \(badge)**: \(r.passing) of \(r.configurations.count) configurations pass every expectation on every seed (\(seeds), \(r.runs.count) runs)"
    }

    static func design(_ r: SweepReport) -> String {
        var out = "## What was varied\n\n"
        out += "Scenario `\(Markdown.text(r.source))`; \(r.sampling.rawValue) sampling"
        if r.sampling != .grid { out += " (seed \(r.samplingSeed))" }
        out += "; each configuration ran on \(r.seeds.count) seed\(r.seeds.count == 1 ? "" : "s").\n\n"
        out += Markdown.table(
            ["parameter", "values"], r.parameters.map { [Markdown.code($0.path), Markdown.code($0.values)] })
        return out + "\n"
    }

    static func best(_ r: SweepReport) -> String {
        var out = "## Best passing configuration\n\n"
        guard let b = r.best, let c = r.configurations.first(where: { $0.id == b.configuration }) else {
            return out
                + "No configuration passed every expectation on every seed. The ranking below shows the closest ones and what failed.\n\n"
        }
        out +=
            "`\(b.configuration)`: "
            + zip(r.parameters, b.values).map { "\(Markdown.code($0.path)) = \(Markdown.code($1))" }.joined(separator: ", ")
        if let m = c.mean {
            out +=
                " — mean over seeds: \(NumberText.grouped(m.failuresPerDay, digits: 1)) failures/day, \(NumberText.dollars(m.costPerDay))/day, p99 \(NumberText.latency(m.latencyP99)).\n\n"
        } else {
            out += ".\n\n"
        }
        out += "Paste this over the scenario's `stack:` section:\n\n```yaml\n" + b.stackYaml + "```\n\n"
        if !b.otherValues.isEmpty {
            out +=
                "It also set values outside `stack:`, which the block does not hold: "
                + b.otherValues.map(Markdown.code).joined(separator: ", ") + ".\n\n"
        }
        return out
    }

    static func figure(_ c: SweepConfigurationResult, _ key: KeyPath<SweepFigures, Double>, _ format: (Double) -> String) -> String {
        guard let m = c.mean, let lo = c.min, let hi = c.max else { return "—" }
        if lo[keyPath: key] == hi[keyPath: key] { return format(m[keyPath: key]) }
        return "\(format(m[keyPath: key])) (\(format(lo[keyPath: key]))–\(format(hi[keyPath: key])))"
    }

    static func row(_ r: SweepReport, _ c: SweepConfigurationResult) -> [String] {
        [String(c.rank), Markdown.code(c.id)] + c.values.map(Markdown.code) + [
            (c.passedAll ? "✅ " : "❌ ") + "\(c.passes)/\(c.runs)",
            figure(c, \.failuresPerDay) { NumberText.grouped($0, digits: 1) },
            figure(c, \.costPerDay) { NumberText.dollars($0) },
            figure(c, \.latencyP99) { NumberText.latency($0) },
            c.pareto ? "◆" : "",
            c.failing.isEmpty ? "" : Markdown.text(c.failing.prefix(3).map { "\($0.name) (\($0.count))" }.joined(separator: ", ")),
        ]
    }

    static func header(_ r: SweepReport) -> [String] {
        ["rank", "config"] + r.parameters.map { Markdown.code($0.path) } + [
            "passed seeds", "failures/day", "cost/day", "p99", "Pareto", "failing (seeds)",
        ]
    }

    static func align(_ r: SweepReport) -> [Markdown.Align] {
        [.right, .left] + r.parameters.map { _ in Markdown.Align.left } + [.right, .right, .right, .right, .left, .left]
    }

    static func ranked(_ r: SweepReport) -> String {
        var out = "## Configurations ranked\n\n"
        out +=
            "Ranked: \(SweepRanking.description). Figures are means over seeds (lowest–highest in brackets); ◆ marks the Pareto front.\n\n"
        let byID = Dictionary(uniqueKeysWithValues: r.configurations.map { ($0.id, $0) })
        let shown = r.ranking.prefix(shownRanks).compactMap { byID[$0] }
        out += Markdown.table(header(r), shown.map { row(r, $0) }, align: align(r))
        if r.ranking.count > shown.count {
            out += "\n\(r.ranking.count - shown.count) more in `sweep.csv` (one row per configuration and seed) and `sweep.json`.\n"
        }
        return out + "\n"
    }

    static func pareto(_ r: SweepReport) -> String {
        var out = "## Pareto front: failures/day vs cost/day vs p99 latency\n\n"
        out +=
            "A configuration is on the front when no other one has fewer mean failures/day, a lower mean cost/day and a lower mean p99 latency "
        out +=
            "with at least one of them strictly lower: each one on it is a different trade-off, every other one is beaten on all three.\n\n"
        let byID = Dictionary(uniqueKeysWithValues: r.configurations.map { ($0.id, $0) })
        let front = r.ranking.compactMap { byID[$0] }.filter(\.pareto)
        let shown = front.prefix(shownRanks)
        out += Markdown.table(header(r), shown.map { row(r, $0) }, align: align(r))
        if front.count > shown.count { out += "\n\(front.count - shown.count) more on the front in `sweep.json`.\n" }
        return out + "\n"
    }

    static func effects(_ r: SweepReport) -> String {
        var out = "## Effect of each parameter\n\n"
        out +=
            "Each point is the median over every run with that value (the other parameters and the seeds vary); the bar runs from the lowest to the highest. "
        out += "Green: every such run passed; red: none did.\n\n"
        for p in r.parameters {
            out += "![Effect of \(p.path)](\(SweepCharts.fileName(p.path)))\n\n"
        }
        return out
    }

    static func method(_ r: SweepReport) -> String {
        var out = "## How the sweep was run\n\n"
        out +=
            "- Each configuration is the scenario with the values written into its YAML and loaded by the normal loader (so a value a file could not hold is refused before anything runs), "
        out +=
            "simulated on each seed with the scenario's expectations evaluated as `squall run` does. A configuration passes when every expectation holds on every seed.\n"
        switch r.sampling {
        case .grid: out += "- Grid: every combination of the values, the first parameter varying slowest.\n"
        case .random:
            out +=
                "- Random: each configuration draws each parameter independently (a list or range uniformly among its values, a distribution through its inverse CDF) from a stream seeded by the sampling seed and the configuration's index.\n"
        case .lhs:
            out +=
                "- Latin hypercube: each parameter's range is cut into as many equally likely strata as there are configurations, and every stratum is used exactly once, paired across parameters by seeded permutations.\n"
        }
        out +=
            "- Configuration ids (`c00`, …) are indices into the design, so the same sweep gives the same ids and values on every machine, and jobs (configuration × seed) can be split by index.\n"
        out += "- Per-day figures scale the run's totals by 86,400 s / the scenario's duration.\n"
        return out
    }
}
