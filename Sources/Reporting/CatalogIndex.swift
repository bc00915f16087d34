import Foundation
import Scenarios

/// `Reports/README.md`: one line per scenario report found under the reports root, with its
/// verdict, rebuilt from each `*/summary.json` so reports written by separate runs all appear.
public enum CatalogIndex {
    /// One scenario's entry, read from its `summary.json`.
    public struct Entry: Sendable, Equatable {
        /// The report's directory name under the root.
        public var directory: String
        /// The scenario name.
        public var name: String
        /// The scenario's one-line description.
        public var description: String
        /// The run's verdict.
        public var verdict: ReportVerdict
        /// `sim` or `live`.
        public var mode: String
        /// Expectations that held.
        public var passed: Int
        /// Expectations in total.
        public var expectations: Int
    }

    /// Reads the entries under `root` (subdirectories holding a readable `summary.json`), sorted
    /// by directory name. Summaries that do not decode are skipped.
    public static func entries(root: URL) -> [Entry] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        var out: [Entry] = []
        for dir in names.sorted() where !dir.hasPrefix(".") {
            let url = root.appendingPathComponent(dir).appendingPathComponent(ReportFiles.summary)
            guard let data = try? Data(contentsOf: url),
                let r = try? ScenarioResult.makeDecoder().decode(ScenarioResult.self, from: data)
            else { continue }
            out.append(
                Entry(
                    directory: dir, name: r.scenario.name, description: r.scenario.description,
                    verdict: ReportVerdict(r), mode: r.mode.rawValue, passed: r.expectations.filter(\.passed).count,
                    expectations: r.expectations.count))
        }
        return out
    }

    /// The Markdown of the index.
    public static func markdown(_ entries: [Entry]) -> String {
        var out = "# Scenario reports\n\n"
        out += "Written by `squall run`; each directory holds `report.md`, charts (SVG), `summary.json`, `junit.xml`, `tasks.csv` and `timeseries.csv`.\n\n"
        if entries.isEmpty { return out + "No reports yet.\n" }
        let passed = entries.filter { $0.verdict == .pass }.count
        out += "**\(passed) of \(entries.count) scenarios passed.**\n\n"
        let rows = entries.map { e in
            [
                "[\(Markdown.text(e.name))](\(e.directory)/\(ReportFiles.report))", e.verdict.badge,
                "\(e.passed)/\(e.expectations)", e.mode, Markdown.text(e.description),
            ]
        }
        out += Markdown.table(["scenario", "verdict", "expectations held", "mode", "description"], rows)
        return out
    }

    /// Rebuilds `root/README.md` atomically from the summaries under `root`.
    public static func write(root: URL) throws(ReportWriteError) {
        try AtomicFile.makeDirectory(root)
        try AtomicFile.write(markdown(entries(root: root)), to: root.appendingPathComponent("README.md"))
    }
}
