import Foundation
import Scenarios

/// Writes a scenario's report set: `ReportWriter.write(result, to: root)` creates
/// `root/<scenario>/` with `report.md`, five SVG charts, `tasks.csv`, `timeseries.csv`,
/// `junit.xml` and `summary.json`, rebuilds `root/README.md` (the catalog index) and appends the
/// report to `$GITHUB_STEP_SUMMARY` when that is set.
///
/// The files are written into a hidden staging directory beside the scenario's directory
/// (`ReportStaging`) and swapped in with renames once all are written, so a reader sees the
/// previous set or the new one, never a mix of two runs and never a partial file; an interrupted
/// write leaves the previous set and no temporary file. An incomplete result is written like any
/// other and marked incomplete in every file.
public enum ReportWriter {
    /// Options of a write.
    public struct Options: Sendable {
        /// Facts for the metadata section (Squall version, time scale). Default: unknown version, no scale.
        public var context: ReportContext
        /// Rebuild `root/README.md` from the summaries under the root. Default true.
        public var updateIndex: Bool
        /// The environment read for `GITHUB_STEP_SUMMARY`; nil disables the step summary.
        /// Default: the process environment.
        public var environment: [String: String]?
        /// The `tasks.csv` the run streamed (moved into the set); nil writes the header only (results
        /// hold no per-task records). Default nil.
        public var tasksCSV: URL?

        /// Creates options; see each field for its default.
        public init(
            context: ReportContext = ReportContext(), updateIndex: Bool = true,
            environment: [String: String]? = ProcessInfo.processInfo.environment, tasksCSV: URL? = nil
        ) {
            self.context = context
            self.updateIndex = updateIndex
            self.environment = environment
            self.tasksCSV = tasksCSV
        }
    }

    /// What was written.
    public struct Written: Sendable, Hashable {
        /// The scenario's report directory.
        public var directory: URL
        /// File names written inside `directory`, in writing order.
        public var files: [String]
        /// The verdict stated in the report.
        public var verdict: ReportVerdict
        /// The step-summary file appended to, if any.
        public var stepSummary: String?
    }

    /// The directory name for a scenario: its name with characters outside `[A-Za-z0-9._-]`
    /// replaced by `-` (`unnamed` when nothing is left).
    public static func directoryName(_ scenario: String) -> String {
        var out = ""
        for scalar in scenario.unicodeScalars {
            let ok = (scalar.value < 128) && (CharacterSet.alphanumerics.contains(scalar) || "._-".unicodeScalars.contains(scalar))
            out.unicodeScalars.append(ok ? scalar : "-")
        }
        while out.hasPrefix(".") { out.removeFirst() }
        return out.isEmpty ? "unnamed" : out
    }

    /// Writes the report of `result` into `root/<scenario>/`; see the type's documentation.
    @discardableResult
    public static func write(_ result: ScenarioResult, to root: URL, options: Options = Options()) throws(ReportWriteError) -> Written {
        let staging = try ReportStaging(root: root, scenario: result.scenario.name)
        defer { staging.abandon() }
        return try write(result, into: staging, options: options)
    }

    /// Writes the report of `result` into `staging` (which the caller opened before the run, e.g. to
    /// stream `tasks.csv` into it), swaps the set in, then updates the index and the step summary.
    /// On an error the staging directory is removed and the previous set is left as it was.
    @discardableResult
    public static func write(
        _ result: ScenarioResult, into staging: ReportStaging, options: Options = Options()
    ) throws(ReportWriteError) -> Written {
        let root = staging.destination.deletingLastPathComponent()
        var files: [String] = []
        func put(_ name: String, _ text: String) throws(ReportWriteError) {
            try AtomicFile.write(text, to: staging.url(for: name))
            files.append(name)
        }
        do throws(ReportWriteError) {
            var charts = ReportMarkdown.Charts.all
            try put(ReportFiles.outcomesChart, ReportCharts.outcomes(result).svg())
            try put(ReportFiles.loadChart, ReportCharts.load(result).svg())
            try put(ReportFiles.latencyChart, ReportCharts.latency(result).svg())
            if let band = ReportCharts.breaker(result) {
                try put(ReportFiles.breakerChart, band.svg())
            } else {
                charts.breaker = false
            }
            try put(ReportFiles.distributionChart, ReportCharts.distribution(result).svg())

            if let streamed = options.tasksCSV {
                try staging.adopt(streamed, as: ReportFiles.tasks)
            } else {
                try AtomicFile.write(CSV.row(TasksCSV.columns), to: staging.url(for: ReportFiles.tasks))
            }
            files.append(ReportFiles.tasks)
            try put(ReportFiles.timeseries, TimeSeriesCSV.text(result.timeSeries))
            try put(ReportFiles.junit, ReportJUnit.document(result, context: options.context).text())
            let markdown = ReportMarkdown.render(result, context: options.context, charts: charts)
            try put(ReportFiles.report, markdown)
            let summary: Data
            do {
                summary = try result.summaryJSON()
            } catch {
                throw ReportWriteError(path: staging.url(for: ReportFiles.summary).path, reason: "cannot encode the result: \(error)")
            }
            try AtomicFile.write(to: staging.url(for: ReportFiles.summary)) { (file) throws(ReportWriteError) in
                try file.write(summary)
            }
            files.append(ReportFiles.summary)
            try staging.commit()
        } catch {
            staging.abandon()
            throw error
        }

        if options.updateIndex { try CatalogIndex.write(root: root) }
        var stepSummary: String?
        if let environment = options.environment {
            let text = ReportMarkdown.render(result, context: options.context, charts: .none)
            stepSummary = try StepSummary.append(text, environment: environment)
        }
        return Written(directory: staging.destination, files: files, verdict: ReportVerdict(result), stepSummary: stepSummary)
    }
}
