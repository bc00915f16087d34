import Scenarios

/// `tasks.csv`: one row per submission (originals and duplicates), in the order they ended. The
/// simulator and the live drivers stream it during the run (`Scenarios.TaskCSVWriter`, to a file
/// the caller names); `ReportWriter` moves that file into the report set (`Options.tasksCSV`), or
/// writes the header alone when the run streamed none.
public enum TasksCSV {
    /// The header row's fields.
    public static let columns = TaskCSVWriter.columns
}
