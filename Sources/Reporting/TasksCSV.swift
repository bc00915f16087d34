import Scenarios

/// `tasks.csv`: one row per submission (originals and duplicates), in the order the result holds
/// them. Times are seconds of scenario time with six decimals; cost is US dollars.
public enum TasksCSV {
    /// The header row's fields.
    public static let columns = [
        "id", "key", "duplicate", "intended_start", "started", "finished", "latency", "result", "cause", "attempts",
        "calls", "last_outcome", "route", "model", "prompt_tokens", "completion_tokens", "cost",
    ]

    /// One record as CSV fields.
    public static func fields(_ t: TaskRecord) -> [String] {
        [
            String(t.id), t.key, t.duplicate ? "true" : "false", NumberText.fixed(t.intendedStart, 6),
            NumberText.fixed(t.started, 6), NumberText.fixed(t.finished, 6), NumberText.fixed(t.latency, 6),
            t.result.rawValue, t.cause?.rawValue ?? "", String(t.attempts), String(t.calls), t.lastOutcome, t.route,
            t.model, String(t.promptTokens), String(t.completionTokens), NumberText.trimmed(t.cost, 8),
        ]
    }

    /// Streams the header and every record into `file`.
    public static func write(_ tasks: [TaskRecord], into file: AtomicFile) throws(ReportWriteError) {
        try file.write(CSV.row(columns))
        for t in tasks { try file.write(CSV.row(fields(t))) }
    }
}
