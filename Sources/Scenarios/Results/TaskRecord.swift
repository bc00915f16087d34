/// What became of one submission.
public enum SubmissionResult: String, Sendable, Hashable, Codable, CaseIterable {
    /// Executed; an attempt succeeded.
    case succeeded
    /// Executed; failed (see `cause`).
    case failed
    /// A duplicate answered with the original's stored result.
    case replayed
    /// A duplicate rejected because the original was still in flight (409).
    case conflict
    /// Still running when the run ended (live runs cut short).
    case unfinished
}

/// One submission (a row of `tasks.csv`). Times are seconds of scenario time.
public struct TaskRecord: Sendable, Codable, Hashable {
    /// Submission number in intended-start order of the originals (duplicates get their own numbers).
    public var id: Int
    /// Idempotency key.
    public var key: String
    /// Whether this submission duplicates an earlier one with the same key.
    public var duplicate: Bool
    /// When the schedule intended it to start.
    public var intendedStart: Double
    /// When the stack admitted it (later than intended when a concurrency cap queued it).
    public var started: Double
    /// When it finished.
    public var finished: Double
    /// What became of it.
    public var result: SubmissionResult
    /// Why it failed; nil unless `result == .failed`.
    public var cause: FailureCause?
    /// Attempts made (0 for replays and conflicts).
    public var attempts: Int
    /// LLM calls sent.
    public var calls: Int
    /// The last attempt's outcome label (`200`, `503`, `timeout`), empty when none.
    public var lastOutcome: String
    /// Routing rule.
    public var route: String
    /// Model.
    public var model: String
    /// Prompt tokens billed over all its calls.
    public var promptTokens: Int
    /// Completion tokens billed over all its calls.
    public var completionTokens: Int
    /// Cost in US dollars of all its calls.
    public var cost: Double

    /// Latency from the intended start, seconds.
    public var latency: Double { finished - intendedStart }

    /// Creates a record.
    public init(
        id: Int, key: String, duplicate: Bool, intendedStart: Double, started: Double, finished: Double,
        result: SubmissionResult, cause: FailureCause?, attempts: Int, calls: Int, lastOutcome: String, route: String,
        model: String, promptTokens: Int, completionTokens: Int, cost: Double
    ) {
        self.id = id
        self.key = key
        self.duplicate = duplicate
        self.intendedStart = intendedStart
        self.started = started
        self.finished = finished
        self.result = result
        self.cause = cause
        self.attempts = attempts
        self.calls = calls
        self.lastOutcome = lastOutcome
        self.route = route
        self.model = model
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.cost = cost
    }
}

import Reliability
