import Foundation

/// Writes `summary.json` atomically into a report directory. The Reporting module writes the full
/// set of report files; this is the minimal writer the CLI falls back to.
public enum SummaryFile {
    /// Writes `<directory>/summary.json` (creating the directory) and returns its URL.
    @discardableResult
    public static func write(_ result: ScenarioResult, to directory: URL) throws -> URL {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent("summary.json")
        try result.summaryJSON().write(to: url, options: .atomic)
        return url
    }
}
