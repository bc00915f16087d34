/// Task counts. A *task* is a submission the stack executed (claimed its idempotency key and ran
/// the retry loop); duplicates that were replayed or rejected as in flight are counted in
/// `DuplicateStats`, not here.
public struct TaskTotals: Sendable, Codable, Hashable {
    /// Every submission, originals and duplicates.
    public var submitted: Int
    /// Submissions the stack executed.
    public var tasks: Int
    /// Executed tasks that succeeded.
    public var succeeded: Int
    /// Executed tasks that failed (any cause).
    public var failed: Int
    /// Tasks still unfinished when the run ended (live runs cut short; 0 in the simulator, which drains).
    public var unfinished: Int
    /// `succeeded / (succeeded + failed)`; 1 when no task finished.
    public var successRate: Double
    /// Creates totals.
    public init(submitted: Int, tasks: Int, succeeded: Int, failed: Int, unfinished: Int) {
        self.submitted = submitted
        self.tasks = tasks
        self.succeeded = succeeded
        self.failed = failed
        self.unfinished = unfinished
        let done = succeeded + failed
        successRate = done == 0 ? 1 : Double(succeeded) / Double(done)
    }
}

/// How many attempts tasks needed (retry amplification).
public struct AttemptsSummary: Sendable, Codable, Hashable {
    /// Tasks by number of attempts, ascending.
    public var histogram: [AttemptsBucket]
    /// Mean attempts per executed task (breaker rejections under `on_open: retry` count as attempts).
    public var meanAttempts: Double
    /// Mean LLM calls actually sent per executed task.
    public var meanCalls: Double
    /// The most attempts any task made.
    public var maxAttempts: Int
    /// Creates a summary.
    public init(histogram: [AttemptsBucket], meanAttempts: Double, meanCalls: Double, maxAttempts: Int) {
        self.histogram = histogram
        self.meanAttempts = meanAttempts
        self.meanCalls = meanCalls
        self.maxAttempts = maxAttempts
    }
}

/// Tasks that made exactly `attempts` attempts.
public struct AttemptsBucket: Sendable, Codable, Hashable {
    /// Attempts made.
    public var attempts: Int
    /// Tasks that made that many.
    public var tasks: Int
    /// Creates a bucket.
    public init(attempts: Int, tasks: Int) {
        self.attempts = attempts
        self.tasks = tasks
    }
}

/// The run scaled to one day: `value × 86400 / duration`.
public struct PerDayFigures: Sendable, Codable, Hashable {
    /// Executed tasks per day.
    public var tasks: Double
    /// Failed tasks per day.
    public var failures: Double
    /// LLM calls sent per day.
    public var llmCalls: Double
    /// Tokens (prompt + completion) billed per day.
    public var tokens: Double
    /// Cost per day in US dollars.
    public var cost: Double
    /// Creates figures.
    public init(tasks: Double, failures: Double, llmCalls: Double, tokens: Double, cost: Double) {
        self.tasks = tasks
        self.failures = failures
        self.llmCalls = llmCalls
        self.tokens = tokens
        self.cost = cost
    }
}
