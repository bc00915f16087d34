import Foundation
import Scenarios

/// `tasks.csv`: one row per submission (originals and duplicates), in the order they ended. The
/// simulator and the live drivers stream it during the run (`Scenarios.TaskCSVWriter`, to a file
/// the caller names); the report takes that file as it is.
public enum TasksCSV {
    /// The header row's fields.
    public static let columns = TaskCSVWriter.columns

    /// Puts the run's streamed file at `destination` (a rename, so nothing is copied; the source
    /// is gone afterwards), or, when the run streamed none, a file with the header only.
    public static func place(_ source: URL?, at destination: URL) throws(ReportWriteError) {
        guard let source else {
            try AtomicFile.write(CSV.row(columns), to: destination)
            return
        }
        guard rename(source.path, destination.path) == 0 else {
            throw ReportWriteError(
                path: destination.path,
                reason: "cannot move \(source.path) here: \(String(cString: strerror(errno)))")
        }
    }
}
