import Scenarios

/// `tasks.csv`: one row per submission (originals and duplicates), in the order the result holds
/// them. Times are seconds of scenario time with six decimals; cost is US dollars.
public enum TasksCSV {
    /// The header row's fields.
    public static let columns = [
        "id", "key", "duplicate", "intended_start", "started", "finished", "latency", "result", "cause", "attempts",
        "calls", "last_outcome", "route", "model", "prompt_tokens", "completion_tokens", "cost",
    ]

    /// Appends one record's row (with its newline) to `b`.
    public static func append(_ t: TaskRecord, into b: inout [UInt8]) {
        let comma = UInt8(ascii: ",")
        ByteText.int(t.id, into: &b)
        b.append(comma)
        ByteText.csvField(t.key, into: &b)
        b.append(contentsOf: (t.duplicate ? ",true," : ",false,").utf8)
        ByteText.fixed(t.intendedStart, 6, into: &b)
        b.append(comma)
        ByteText.fixed(t.started, 6, into: &b)
        b.append(comma)
        ByteText.fixed(t.finished, 6, into: &b)
        b.append(comma)
        ByteText.fixed(t.latency, 6, into: &b)
        b.append(comma)
        b.append(contentsOf: t.result.rawValue.utf8)
        b.append(comma)
        if let cause = t.cause { b.append(contentsOf: cause.rawValue.utf8) }
        b.append(comma)
        ByteText.int(t.attempts, into: &b)
        b.append(comma)
        ByteText.int(t.calls, into: &b)
        b.append(comma)
        ByteText.csvField(t.lastOutcome, into: &b)
        b.append(comma)
        ByteText.csvField(t.route, into: &b)
        b.append(comma)
        ByteText.csvField(t.model, into: &b)
        b.append(comma)
        ByteText.int(t.promptTokens, into: &b)
        b.append(comma)
        ByteText.int(t.completionTokens, into: &b)
        b.append(comma)
        ByteText.trimmed(t.cost, 8, into: &b)
        b.append(10)
    }

    /// One record's row as text (with its newline).
    public static func row(_ t: TaskRecord) -> String {
        var b: [UInt8] = []
        append(t, into: &b)
        return String(decoding: b, as: UTF8.self)
    }

    /// Streams the header and every record into `file`.
    public static func write(_ tasks: [TaskRecord], into file: AtomicFile) throws(ReportWriteError) {
        try file.write(CSV.row(columns))
        for t in tasks {
            try file.append { (b: inout [UInt8]) in append(t, into: &b) }
        }
    }
}
