import Foundation
import Scenarios

/// Writes an audit's `audit.md` and `audit.json` atomically into `ROOT/audit/` (its own directory,
/// beside the scenario reports, which `squall run` replaces as a whole).
public enum AuditFiles {
    /// The audit directory's name under the report root.
    public static let directory = "audit"
    /// The Markdown report.
    public static let markdown = "audit.md"
    /// The JSON report (`AuditReport`, snake_case keys, sorted).
    public static let json = "audit.json"

    /// Writes both files and returns the directory.
    @discardableResult
    public static func write(_ report: AuditReport, root: URL) throws(ReportWriteError) -> URL {
        let dir = root.appendingPathComponent(directory, isDirectory: true)
        try AtomicFile.makeDirectory(dir)
        let data: Data
        do {
            data = try ScenarioResult.makeEncoder().encode(report) + Data([0x0A])
        } catch {
            throw ReportWriteError(path: dir.appendingPathComponent(json).path, reason: "cannot encode: \(error)")
        }
        try AtomicFile.write(to: dir.appendingPathComponent(json)) { (file: AtomicFile) throws(ReportWriteError) in
            try file.write(data)
        }
        try AtomicFile.write(AuditMarkdown.render(report), to: dir.appendingPathComponent(markdown))
        return dir
    }
}
