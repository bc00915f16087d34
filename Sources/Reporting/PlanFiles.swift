import Foundation
import Scenarios

/// Writes a plan's files into `ROOT/plan/<scenario>/`: `plan.md`, `plan.csv` (one row per level
/// and per bisection probe), `plan.json` (`PlanReport`, versioned) and `plan-slo.svg`. Like
/// `squall run`'s report set, they are written into a staging directory (`ReportStaging`) and
/// swapped in whole.
public enum PlanFiles {
    /// The directory under the report root holding one directory per planned scenario.
    public static let directory = "plan"
    /// The Markdown report.
    public static let markdown = "plan.md"
    /// The per-level table.
    public static let csv = "plan.csv"
    /// The JSON report.
    public static let json = "plan.json"
    /// The SLO-against-load chart.
    public static let chart = "plan-slo.svg"

    /// `ROOT/plan/<scenario>/`.
    public static func directory(root: URL, scenario: String) -> URL {
        root.appendingPathComponent(directory, isDirectory: true)
            .appendingPathComponent(ReportWriter.directoryName(scenario), isDirectory: true)
    }

    /// Whether `name` belongs to a plan's set (an existing directory holding anything else is not replaced).
    @Sendable public static func isPlanFile(_ name: String) -> Bool {
        [markdown, csv, json, chart].contains(name)
    }

    /// Writes every file and returns the directory.
    @discardableResult
    public static func write(_ report: PlanReport, root: URL) throws(ReportWriteError) -> URL {
        let staging = try ReportStaging(
            root: root.appendingPathComponent(directory, isDirectory: true), scenario: report.scenario, accepts: isPlanFile)
        defer { staging.abandon() }
        let data: Data
        do {
            data = try ScenarioResult.makeEncoder().encode(report) + Data([0x0A])
        } catch {
            throw ReportWriteError(path: staging.destination.appendingPathComponent(json).path, reason: "cannot encode: \(error)")
        }
        try AtomicFile.write(to: staging.url(for: json)) { (file: AtomicFile) throws(ReportWriteError) in
            try file.write(data)
        }
        try AtomicFile.write(PlanCSV.render(report), to: staging.url(for: csv))
        try AtomicFile.write(PlanChart.chart(report).svg(), to: staging.url(for: chart))
        try AtomicFile.write(PlanMarkdown.render(report), to: staging.url(for: markdown))
        try staging.commit()
        return staging.destination
    }
}

/// `plan.csv`: one row per level (`kind` = level) and per bisection probe (`kind` = probe, SLO
/// columns only), ascending by load within each kind; then one column per limit with its use.
public enum PlanCSV {
    /// The table as text.
    public static func render(_ r: PlanReport) -> String {
        let limits = r.crossings.map { ($0.model, $0.limit) }
        var out = CSV.row(
            [
                "kind", "tasks_per_day", "peak_tasks_per_day", "passed", "passes", "runs", "success_rate_peak", "latency_p50_peak",
                "latency_p99_peak", "failures_per_day", "llm_calls_per_day", "llm_calls_per_task", "calls_per_minute_peak",
                "cost_per_day", "cost_per_month", "in_flight_little", "in_flight_sim_mean", "in_flight_sim_max", "replicas",
                "binding_limit", "binding_use", "headroom",
            ] + limits.map { "use_\($0.0)_\($0.1)" })
        func n(_ v: Double) -> String { NumberText.trimmed(v, 6) }
        for l in r.levels {
            out += CSV.row(
                [
                    "level", n(l.tasksPerDay), n(l.peakTasksPerDay), l.passed ? "true" : "false", String(l.passes), String(l.runs),
                    n(l.peak.successRate), n(l.peak.latencyP50), n(l.peak.latencyP99), n(l.day.failures), n(l.day.llmCalls),
                    n(l.day.llmCallsPerTask), n(l.peak.callsPerMinute), n(l.day.cost), n(l.day.costPerMonth), n(l.peak.inFlightLittle),
                    n(l.peak.inFlightMean), n(l.peak.inFlightMax), l.peak.replicas.map(String.init) ?? "",
                    l.binding?.label ?? "", l.binding.map { n($0.utilization) } ?? "", l.binding.map { n($0.headroom) } ?? "",
                ]
                    + limits.map { key in l.limits.first { $0.model == key.0 && $0.limit == key.1 }.map { n($0.utilization) } ?? "" })
        }
        for p in r.bisection.sorted(by: { $0.tasksPerDay < $1.tasksPerDay }) {
            out += CSV.row(
                [
                    "probe", n(p.tasksPerDay), n(p.tasksPerDay * r.settings.peakFactor), p.passed ? "true" : "false", String(p.passes),
                    String(p.runs), n(p.successRate), "", n(p.latencyP99),
                ] + Array(repeating: "", count: 13 + limits.count))
        }
        return out
    }
}

/// `plan-slo.svg`: success rate and p99 latency at the peak, failures per day and the binding
/// limit's use, against load (log axis), levels and probes alike, the knee marked.
public enum PlanChart {
    /// The chart.
    public static func chart(_ r: PlanReport) -> SpreadPanelChart {
        struct Row {
            var load: Double
            var passed: Bool
            var success: Double
            var successRange: [Double]
            var p99: Double
            var p99Range: [Double]
        }
        var rows = r.levels.map {
            Row(
                load: $0.tasksPerDay, passed: $0.passed, success: $0.peak.successRate, successRange: $0.peak.successRateRange,
                p99: $0.peak.latencyP99, p99Range: $0.peak.latencyP99Range)
        }
        rows += r.bisection.map {
            Row(
                load: $0.tasksPerDay, passed: $0.passed, success: $0.successRate, successRange: $0.successRateRange, p99: $0.latencyP99,
                p99Range: $0.latencyP99Range)
        }
        rows.sort { $0.load < $1.load }
        func point(_ row: Row, _ v: Double, _ range: [Double]) -> SpreadPanelChart.Point {
            .init(
                label: PlanNumber.load(row.load), x: row.load, median: v, low: range.first ?? v, high: range.last ?? v, passed: row.passed)
        }
        var panels: [SpreadPanelChart.Panel] = [
            .init(title: "success rate at the peak", unit: .percent, points: rows.map { point($0, $0.success, $0.successRange) }),
            .init(title: "latency p99 at the peak", unit: .seconds, points: rows.map { point($0, $0.p99, $0.p99Range) }),
            .init(
                title: "failures/day (mean load)", unit: .count,
                points: r.levels.map {
                    .init(
                        label: PlanNumber.load($0.tasksPerDay), x: $0.tasksPerDay, median: $0.day.failures, low: $0.day.failures,
                        high: $0.day.failures, passed: $0.passed)
                }),
        ]
        if r.levels.contains(where: { $0.binding != nil }) {
            panels.append(
                .init(
                    title: "use of the binding limit", unit: .percent,
                    points: r.levels.map {
                        let u = $0.binding?.utilization ?? 0
                        return .init(
                            label: PlanNumber.load($0.tasksPerDay), x: $0.tasksPerDay, median: u, low: u, high: u, passed: $0.passed)
                    }, reference: 1, referenceLabel: "limit"))
        }
        let marker = r.knee.position == .within ? r.knee.highestPassing.map { (x: $0, label: "knee ≈ \(PlanNumber.load($0))/day") } : nil
        return SpreadPanelChart(
            title: "SLO figures against load: \(r.scenario)",
            xLabel: "load (tasks/day, log scale; SLO figures at \(NumberText.trimmed(r.settings.peakFactor, 2))× that rate)",
            logX: true, panels: panels, marker: marker,
            summary:
                "Success rate and p99 latency at the peak for every level and bisection probe (dot: mean over seeds, bar: lowest to highest seed; green: every expectation held on every seed), failures per day at the mean load, and the use of the binding provider limit, against load. The dashed line marks the knee."
        )
    }
}

/// What `squall plan` prints: the verdict and one line per level.
public enum PlanConsole {
    /// Renders the summary (ends with a newline).
    public static func render(_ r: PlanReport, path: String) -> String {
        let verdict = r.incomplete ? "INCOMPLETE" : (r.knee.position == .belowRange ? "FAIL" : "PLAN")
        var out = "\(verdict) \(r.scenario): " + PlanMarkdown.verdict(r).replacingOccurrences(of: "**", with: "") + " — \(path)\n"
        for l in r.levels {
            out += "  \(l.passed ? "ok  " : "FAIL") \(PlanNumber.load(l.tasksPerDay))/day (peak \(PlanNumber.load(l.peakTasksPerDay))): "
            out += "success \(NumberText.percent(l.peak.successRate, digits: 2)), p99 \(NumberText.latency(l.peak.latencyP99)), "
            out +=
                "\(NumberText.grouped(l.day.failures, digits: 1)) failures/day, \(NumberText.trimmed(l.day.llmCallsPerTask, 3)) calls/task, "
            out += "\(NumberText.dollars(l.day.cost))/day"
            if let b = l.binding { out += ", \(b.label) at \(NumberText.percent(b.utilization, digits: 1))" }
            if let n = l.peak.replicas { out += ", \(n) replica\(n == 1 ? "" : "s")" }
            out += "\n"
        }
        if r.incomplete { out += "  the plan was interrupted: the figures cover the levels that finished\n" }
        return out
    }
}
