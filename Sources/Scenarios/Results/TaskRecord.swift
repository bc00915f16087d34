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
/// recorder as the submission ends and never kept. Plain values only — no strings, no references:
/// times are integer nanoseconds of scenario time, the route and model indices into the run's
/// tables (`ResultRecorder.routeIndex(_:)`, `modelIndex(_:)`) — so recording a million of them
/// costs no allocation and no reference counting.
public struct TaskRecord: Sendable, Hashable {
    /// Submission number (`Submission.id`).
    public var id: Int
    /// The idempotency key's number (`Submission.keyID`; the key is `Submission.key(keyID)`).
    public var keyID: Int
    /// Whether this submission duplicates an earlier one with the same key.
    public var duplicate: Bool
    /// When the schedule intended it to start, nanoseconds of scenario time.
    public var intendedNanos: Int64
    /// When the stack admitted it (later than intended when a concurrency cap queued it), nanoseconds.
    public var startedNanos: Int64
    /// When it finished, nanoseconds.
    public var finishedNanos: Int64
    /// What became of it.
    public var result: SubmissionResult
    /// Why it failed; nil unless `result == .failed`.
    public var cause: FailureCause?
    /// Attempts made (0 for replays and conflicts).
    public var attempts: Int
    /// LLM calls sent.
    public var calls: Int
    /// The last attempt's outcome as the client saw it; nil when there was none.
    public var lastOutcome: AttemptLabel?
    /// The routing rule's index in the run's route table.
    public var route: Int
    /// The model's index in the run's model table.
    public var model: Int
    /// Prompt tokens billed over all its calls.
    public var promptTokens: Int
    /// Completion tokens billed over all its calls.
    public var completionTokens: Int

    /// When the schedule intended it to start.
    public var intendedStart: Duration { .nanoseconds(intendedNanos) }
    /// When the stack admitted it.
    public var started: Duration { .nanoseconds(startedNanos) }
    /// When it finished.
    public var finished: Duration { .nanoseconds(finishedNanos) }
    /// Latency from the intended start.
    public var latency: Duration { .nanoseconds(finishedNanos - intendedNanos) }
    /// The idempotency key.
    public var key: String { "k" + String(keyID, radix: 36) }
    /// Whether the stack executed it (succeeded or failed, not a replay, a conflict or unfinished).
    public var executed: Bool { result == .succeeded || result == .failed }

    /// Creates a record with times in nanoseconds of scenario time.
    public init(
        id: Int, keyID: Int, duplicate: Bool, intendedNanos: Int64, startedNanos: Int64, finishedNanos: Int64,
        result: SubmissionResult, cause: FailureCause?, attempts: Int, calls: Int, lastOutcome: AttemptLabel?,
        route: Int, model: Int, promptTokens: Int, completionTokens: Int
    ) {
        self.id = id
        self.keyID = keyID
        self.duplicate = duplicate
        self.intendedNanos = intendedNanos
        self.startedNanos = startedNanos
        self.finishedNanos = finishedNanos
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

    /// Creates a record with times as durations of scenario time.
    public init(
        id: Int, keyID: Int, duplicate: Bool, intendedStart: Duration, started: Duration, finished: Duration,
        result: SubmissionResult, cause: FailureCause?, attempts: Int, calls: Int, lastOutcome: AttemptOutcome?,
        route: Int, model: Int, promptTokens: Int, completionTokens: Int
    ) {
        self.init(
            id: id, keyID: keyID, duplicate: duplicate, intendedNanos: ScenarioClock.nanoseconds(intendedStart),
            startedNanos: ScenarioClock.nanoseconds(started), finishedNanos: ScenarioClock.nanoseconds(finished),
            result: result, cause: cause, attempts: attempts, calls: calls, lastOutcome: lastOutcome.map(AttemptLabel.init),
            route: route, model: model, promptTokens: promptTokens, completionTokens: completionTokens)
    }
}

/// What the client saw of an attempt, without the response's hints: a status or a transport failure.
public enum AttemptLabel: Sendable, Hashable {
    /// An HTTP status.
    case status(Int)
    /// A transport failure.
    case transport(TransportFailure)

    /// The label of `outcome`.
    @inline(__always)
    public init(_ outcome: AttemptOutcome) {
        switch outcome {
        case .response(let s, _): self = .status(s)
        case .transport(let f): self = .transport(f)
        }
    }

    /// `200`, `503`, `timeout`, …
    public var text: String {
        switch self {
        case .status(let s): return String(s)
        case .transport(let f): return f.rawValue
        }
    }
}
