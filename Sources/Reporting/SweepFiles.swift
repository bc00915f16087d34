import Foundation
import Scenarios

/// Writes a sweep's files into `ROOT/sweep/<scenario>/`: `sweep.md`, `sweep.csv` (one row per
/// configuration × seed), `sweep.json` (`SweepReport`, versioned) and one `effect-<parameter>.svg`
/// per swept parameter. Like `squall run`'s report set, the files are written into a staging
/// directory (`ReportStaging`) and swapped in whole, so a reader never sees two sweeps mixed and
/// charts of parameters no longer swept do not linger.
public enum SweepFiles {
    /// The directory under the report root holding one directory per swept scenario.
    public static let directory = "sweep"
    /// The Markdown report.
    public static let markdown = "sweep.md"
    /// The per-run table.
    public static let csv = "sweep.csv"
    /// The JSON report.
    public static let json = "sweep.json"

    /// `ROOT/sweep/<scenario>/`.
    public static func directory(root: URL, scenario: String) -> URL {
        root.appendingPathComponent(directory, isDirectory: true)
            .appendingPathComponent(ReportWriter.directoryName(scenario), isDirectory: true)
    }

    /// Whether `name` belongs to a sweep's set (an existing directory holding anything else is not replaced).
    @Sendable public static func isSweepFile(_ name: String) -> Bool {
        [markdown, csv, json].contains(name) || (name.hasPrefix("effect-") && name.hasSuffix(".svg"))
    }

    /// Writes every file and returns the directory.
    @discardableResult
    public static func write(_ report: SweepReport, root: URL) throws(ReportWriteError) -> URL {
        let staging = try ReportStaging(
            root: root.appendingPathComponent(directory, isDirectory: true), scenario: report.scenario, accepts: isSweepFile)
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
        try AtomicFile.write(to: staging.url(for: csv)) { (file: AtomicFile) throws(ReportWriteError) in
            try SweepCSV.write(report, to: file)
        }
        for chart in SweepCharts.render(report) { try AtomicFile.write(chart.svg, to: staging.url(for: chart.name)) }
        try AtomicFile.write(SweepMarkdown.render(report), to: staging.url(for: markdown))
        try staging.commit()
        return staging.destination
    }
}

/// `sweep.csv`: one row per run (configuration × seed), in job order: the configuration's id and
/// index, the seed, one column per parameter, whether every expectation held, the key figures and
/// the expectations that failed (`;`-separated).
public enum SweepCSV {
    /// The header row's fields.
    public static func header(_ r: SweepReport) -> [String] {
        ["configuration", "index", "seed"] + r.parameters.map(\.path) + ["passed"] + SweepFigures.names + ["failed"]
    }

    /// Streams the table into `file`.
    public static func write(_ r: SweepReport, to file: AtomicFile) throws(ReportWriteError) {
        try file.write(CSV.row(header(r)))
        let values = Dictionary(uniqueKeysWithValues: r.configurations.map { ($0.index, $0.values) })
        for run in r.runs { try file.write(row(run, values: values[run.index] ?? [])) }
    }

    /// One run's row.
    static func row(_ run: SweepRun, values: [String]) -> String {
        CSV.row(
            [run.configuration, String(run.index), String(run.seed)] + values + [run.passed ? "true" : "false"]
                + run.figures.list.map { NumberText.trimmed($0, 6) } + [run.failed.joined(separator: ";")])
    }

    /// The whole table as text (tests).
    public static func render(_ r: SweepReport) -> String {
        let values = Dictionary(uniqueKeysWithValues: r.configurations.map { ($0.index, $0.values) })
        return CSV.row(header(r)) + r.runs.map { row($0, values: values[$0.index] ?? []) }.joined()
    }
}

/// What `squall sweep` prints: the verdict, the top configurations and the best `stack:` block.
public enum SweepConsole {
    /// Renders the summary (ends with a newline).
    public static func render(_ r: SweepReport, path: String) -> String {
        let verdict = r.incomplete ? "INCOMPLETE" : (r.passing > 0 ? "PASS" : "FAIL")
        var out = "\(verdict) sweep \(r.scenario): \(r.passing) of \(r.configurations.count) configurations pass every expectation on "
        out += "\(r.seeds.count) seed\(r.seeds.count == 1 ? "" : "s") (\(r.runs.count) runs, \(r.sampling.rawValue)) — \(path)\n"
        let byID = Dictionary(uniqueKeysWithValues: r.configurations.map { ($0.id, $0) })
        for id in r.ranking.prefix(5) {
            guard let c = byID[id], let m = c.mean else { continue }
            let values = zip(r.parameters, c.values).map { "\($0.path)=\($1)" }.joined(separator: " ")
            out += "  \(c.rank). \(c.id) \(c.passedAll ? "ok  " : "FAIL") \(c.passes)/\(c.runs) seeds  "
            out += "\(NumberText.grouped(m.failuresPerDay, digits: 1)) failures/day  \(NumberText.dollars(m.costPerDay))/day  "
            out += "p99 \(NumberText.latency(m.latencyP99))\(c.pareto ? "  pareto" : "")  \(values)\n"
        }
        if let b = r.best {
            out += "best passing configuration \(b.configuration) as a stack: block:\n"
            out += b.stackYaml.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n")
            if !out.hasSuffix("\n") { out += "\n" }
            if !b.otherValues.isEmpty { out += "  (also: \(b.otherValues.joined(separator: ", ")))\n" }
        }
        if r.incomplete { out += "  the sweep was interrupted: the figures cover the runs that finished\n" }
        return out
    }
}
