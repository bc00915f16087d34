import Reliability

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
    /// Still running when the run ended (runs cut short).
    case unfinished
}

/// One submission's outcome (contract 4's *task outcomes*; a row of `tasks.csv`), streamed to the
/// recorder as the submission ends and never kept: no strings, times as `Duration` of scenario time,
/// the route and model as indices into the run's tables (`ResultRecorder.routeIndex(_:)`,
/// `modelIndex(_:)`).
public struct TaskRecord: Sendable, Hashable {
    /// Submission number (`Submission.id`).
    public var id: Int
    /// The idempotency key's number (`Submission.keyID`; the key is `Submission.key(keyID)`).
    public var keyID: Int
    /// Whether this submission duplicates an earlier one with the same key.
    public var duplicate: Bool
    /// When the schedule intended it to start.
    public var intendedStart: Duration
    /// When the stack admitted it (later than intended when a concurrency cap queued it).
    public var started: Duration
    /// When it finished.
    public var finished: Duration
    /// What became of it.
    public var result: SubmissionResult
    /// Why it failed; nil unless `result == .failed`.
    public var cause: FailureCause?
    /// Attempts made (0 for replays and conflicts).
    public var attempts: Int
    /// LLM calls sent.
    public var calls: Int
    /// The last attempt's outcome as the client saw it; nil when there was none.
    public var lastOutcome: AttemptOutcome?
    /// The routing rule's index in the run's route table.
    public var route: Int
    /// The model's index in the run's model table.
    public var model: Int
    /// Prompt tokens billed over all its calls.
    public var promptTokens: Int
    /// Completion tokens billed over all its calls.
    public var completionTokens: Int

    /// Latency from the intended start.
    public var latency: Duration { finished - intendedStart }
    /// The idempotency key.
    public var key: String { "k" + String(keyID, radix: 36) }
    /// Whether the stack executed it (succeeded or failed, not a replay, a conflict or unfinished).
    public var executed: Bool { result == .succeeded || result == .failed }

    /// Creates a record.
    public init(
        id: Int, keyID: Int, duplicate: Bool, intendedStart: Duration, started: Duration, finished: Duration,
        result: SubmissionResult, cause: FailureCause?, attempts: Int, calls: Int, lastOutcome: AttemptOutcome?,
        route: Int, model: Int, promptTokens: Int, completionTokens: Int
    ) {
        self.id = id
        self.keyID = keyID
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
    }
}
