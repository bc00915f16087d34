#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// GitHub Actions' job summary: when `GITHUB_STEP_SUMMARY` names a file, Markdown is appended to it.
public enum StepSummary {
    /// The environment variable GitHub Actions sets to the summary file's path.
    public static let variable = "GITHUB_STEP_SUMMARY"

    /// Appends `markdown` (plus a blank line) to the file named by `GITHUB_STEP_SUMMARY` in
    /// `environment` (default: the process environment). Returns the path written, or nil when the
    /// variable is unset or empty. The text is written with a single `write(2)` on an `O_APPEND`
    /// descriptor, so concurrent appenders do not interleave within it.
    @discardableResult
    public static func append(
        _ markdown: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ReportWriteError) -> String? {
        guard let path = environment[variable], !path.isEmpty else { return nil }
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        if fd < 0 { throw ReportWriteError(path: path, reason: "open: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let bytes = Array((markdown.hasSuffix("\n") ? markdown : markdown + "\n").utf8) + [10]
        guard AtomicFile.writeAll(fd, bytes) else {
            throw ReportWriteError(path: path, reason: "write: \(String(cString: strerror(errno)))")
        }
        return path
    }
}
