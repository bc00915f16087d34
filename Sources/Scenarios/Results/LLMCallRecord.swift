/// One request the provider saw (contract 4 of the recorder): what the provider answered, whether
/// it generated a completion, and the tokens it billed. The simulator emits one per call from its
/// fault decision; a live run can feed the same records from the mock's call log. Calls, offered
/// load, tokens, cost and executions per key are computed from this stream only (`UsageTally`).
/// Plain values, no strings: models and routes are indices into the run's tables
/// (`ResultRecorder.modelIndex(_:)`, `routeIndex(_:)`).
public struct LLMCallRecord: Sendable, Hashable {
    /// When the provider received the call, nanoseconds of scenario time.
    public var atNanos: Int64
    /// The submission's number (`Submission.id`); -1 when unknown.
    public var taskID: Int
    /// The idempotency key's number (`Submission.keyID`); -1 when the call carried no known key.
    public var keyID: Int
    /// 1-based attempt number of the task.
    public var attempt: Int
    /// What the provider did with the call.
    public var outcome: LLMCallOutcome
    /// The Retry-After the provider gave (`retry-after-ms`, else `retry-after`); nil when none.
    public var retryAfter: Duration?
    /// How long after receiving the call the provider's answer reached the client, nanoseconds
    /// (the mock's `delay`); -1 when the client never received it (a hang, or the client timed
    /// out first) or when unknown. Retry-After compliance and retry clustering measure from
    /// `atNanos + delayNanos`.
    public var delayNanos: Int64 = -1
    /// Whether the provider fully generated a completion (an execution, billed), even if the
    /// client had already given up.
    public var generated: Bool
    /// Prompt tokens billed.
    public var promptTokens: Int
    /// Completion tokens billed.
    public var completionTokens: Int
    /// The model's index in the run's model table.
    public var model: Int
    /// The routing rule's index in the run's route table; -1 when unknown (a foreign client).
    public var route: Int

    /// When the provider received the call.
    public var at: Duration { .nanoseconds(atNanos) }

    /// Creates a record; see each field.
    public init(
        at: Duration, taskID: Int, keyID: Int, attempt: Int, outcome: LLMCallOutcome, retryAfter: Duration? = nil,
        generated: Bool, promptTokens: Int = 0, completionTokens: Int = 0, model: Int, route: Int, delay: Duration? = nil
    ) {
        self.init(
            atNanos: ScenarioClock.nanoseconds(at), taskID: taskID, keyID: keyID, attempt: attempt, outcome: outcome,
            retryAfter: retryAfter, generated: generated, promptTokens: promptTokens, completionTokens: completionTokens,
            model: model, route: route, delayNanos: delay.map(ScenarioClock.nanoseconds) ?? -1)
    }

    /// Creates a record with its time in nanoseconds of scenario time.
    public init(
        atNanos: Int64, taskID: Int, keyID: Int, attempt: Int, outcome: LLMCallOutcome, retryAfter: Duration? = nil,
        generated: Bool, promptTokens: Int = 0, completionTokens: Int = 0, model: Int, route: Int, delayNanos: Int64 = -1
    ) {
        self.atNanos = atNanos
        self.delayNanos = delayNanos
        self.taskID = taskID
        self.keyID = keyID
        self.attempt = attempt
        self.outcome = outcome
        self.retryAfter = retryAfter
        self.generated = generated
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.model = model
        self.route = route
    }
}

/// What the provider did with one call: an HTTP status it sent, or a connection-level fault (the
/// same cases as the mock's call log, so its records map onto these one to one).
public enum LLMCallOutcome: Sendable, Hashable {
    /// A complete response with this status (200 for a healthy completion).
    case status(Int)
    /// The provider dropped or broke the response.
    case dropped(LLMCallDrop)
    /// Not known to the recorder's source (a live client that saw only its last attempt's outcome).
    case unknown

    /// The label used in reports: `200`, `503`, `reset`, `hang`, …
    public var label: String {
        switch self {
        case .status(let s): return String(s)
        case .dropped(let d): return d.rawValue
        case .unknown: return "unknown"
        }
    }
}

/// A connection-level fault of the provider (a fault profile's `drop:` names).
public enum LLMCallDrop: String, Sendable, Hashable, CaseIterable {
    /// The connection was reset before a response.
    case reset
    /// The whole valid reply, slowly (a completion is generated).
    case drip
    /// The provider never answered.
    case hang
    /// The body stopped part-way.
    case truncate
    /// The body was not valid JSON.
    case malformed
    /// The body was empty.
    case empty
    /// A stream ended with an error event.
    case streamError = "stream_error"
}
