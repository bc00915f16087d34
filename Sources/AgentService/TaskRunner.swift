/// What a worker hands the runner: one accepted task.
public struct TaskInput: Sendable, Hashable {
    /// The task's identifier.
    public var id: String
    /// The user's task text.
    public var task: String
    /// Who asked.
    public var userID: String
    /// The idempotency key it was submitted with (forwarded to the LLM as `Idempotency-Key`).
    public var idempotencyKey: String?

    /// Creates an input.
    public init(id: String, task: String, userID: String, idempotencyKey: String? = nil) {
        self.id = id
        self.task = task
        self.userID = userID
        self.idempotencyKey = idempotencyKey
    }
}

/// How a run ended.
public struct TaskRunResult: Sendable, Hashable {
    /// Whether the task produced an answer.
    public var succeeded: Bool
    /// The answer.
    public var result: String?
    /// What went wrong, for a person.
    public var error: String?
    /// Why it failed (a `FailureCause` raw value).
    public var cause: String?
    /// LLM attempts made.
    public var attempts: Int
    /// The model the task was routed to.
    public var model: String?
    /// Dollars spent, when the model is priced.
    public var costUSD: Double?

    /// Creates a result.
    public init(
        succeeded: Bool, result: String? = nil, error: String? = nil, cause: String? = nil, attempts: Int = 0,
        model: String? = nil, costUSD: Double? = nil
    ) {
        self.succeeded = succeeded
        self.result = result
        self.error = error
        self.cause = cause
        self.attempts = attempts
        self.model = model
        self.costUSD = costUSD
    }

    /// The result given to a task that was still running when the drain deadline passed.
    public static func shutdown(attempts: Int = 0, model: String? = nil) -> TaskRunResult {
        TaskRunResult(
            succeeded: false, error: "the service shut down before the task finished", cause: "shutdown",
            attempts: attempts, model: model)
    }
}

/// Runs one task to its end: route → token budget → reliability stack → LLM. The service's seam:
/// `LiveTaskRunner` in production, fakes in tests. When the calling task is cancelled (the drain
/// deadline passed) a runner should return promptly; the service then records cause `shutdown`.
public protocol TaskRunner: Sendable {
    /// Runs `input` and reports how it ended.
    func run(_ input: TaskInput) async -> TaskRunResult
}
