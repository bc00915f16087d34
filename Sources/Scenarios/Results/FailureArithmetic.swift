/// The failure-rate arithmetic: the per-task failure probability expected in closed form from the
/// fault profile and the retry policy, against what the run observed.
///
/// With independent per-attempt faults, per-attempt transient failure probability `t`, permanent
/// `p` and `n` attempts, a task fails by exhausting its attempts with probability `t^n` and
/// permanently with probability `p(1 − t^n)/(1 − t)`; the sum is the expected failure probability.
public struct FailureArithmetic: Sendable, Codable, Hashable {
    /// Whether the closed form applies to this scenario (independent per-attempt faults only); when
    /// false, `notes` says why and the expected figures are for the steady state outside any fault window.
    public var closedForm: Bool
    /// Per-attempt probability of a transient (retryable) failure, including timeout exceedance.
    public var perAttemptTransient: Double
    /// Per-attempt probability of a permanent failure.
    public var perAttemptPermanent: Double
    /// Per-attempt probability that the latency exceeds the attempt timeout (part of `perAttemptTransient`).
    public var perAttemptTimeout: Double
    /// Attempts per task the policy allows.
    public var attempts: Int
    /// Expected per-task failure probability from exhausting every attempt (`t^n`).
    public var expectedExhaustion: Double
    /// Expected per-task failure probability from a permanent failure.
    public var expectedPermanent: Double
    /// Expected per-task failure probability (sum of the two).
    public var expectedFailureProbability: Double
    /// Expected per-task failure probability with a single attempt (what retries buy).
    public var singleAttemptFailureProbability: Double
    /// Executed tasks in the run.
    public var tasks: Int
    /// Failed tasks observed.
    public var observedFailures: Int
    /// Expected failed tasks in the run.
    public var expectedFailures: Double
    /// Observed failure proportion.
    public var observedFailureProbability: Double
    /// Confidence of the interval, e.g. 0.99.
    public var confidence: Double
    /// Exact (Clopper–Pearson) lower bound of the failure probability.
    public var intervalLower: Double
    /// Exact (Clopper–Pearson) upper bound of the failure probability.
    public var intervalUpper: Double
    /// Whether the expected probability lies inside the interval.
    public var consistent: Bool
    /// Tasks per day at the scenario's rate.
    public var tasksPerDay: Double
    /// Expected failures per day.
    public var expectedFailuresPerDay: Double
    /// Observed failures per day.
    public var observedFailuresPerDay: Double
    /// The production framing, e.g. `99% success at 1,000 tasks/day = 10 failures/day`.
    public var framing: String
    /// The same framing without retries, e.g. for a single attempt.
    public var singleAttemptFraming: String
    /// Caveats (fault windows, rate limits, breaker or budget effects left out of the closed form).
    public var notes: [String]

    /// Creates the block.
    public init(
        closedForm: Bool, perAttemptTransient: Double, perAttemptPermanent: Double, perAttemptTimeout: Double,
        attempts: Int, expectedExhaustion: Double, expectedPermanent: Double, expectedFailureProbability: Double,
        singleAttemptFailureProbability: Double, tasks: Int, observedFailures: Int, expectedFailures: Double,
        observedFailureProbability: Double, confidence: Double, intervalLower: Double, intervalUpper: Double,
        consistent: Bool, tasksPerDay: Double, expectedFailuresPerDay: Double, observedFailuresPerDay: Double,
        framing: String, singleAttemptFraming: String, notes: [String]
    ) {
        self.closedForm = closedForm
        self.perAttemptTransient = perAttemptTransient
        self.perAttemptPermanent = perAttemptPermanent
        self.perAttemptTimeout = perAttemptTimeout
        self.attempts = attempts
        self.expectedExhaustion = expectedExhaustion
        self.expectedPermanent = expectedPermanent
        self.expectedFailureProbability = expectedFailureProbability
        self.singleAttemptFailureProbability = singleAttemptFailureProbability
        self.tasks = tasks
        self.observedFailures = observedFailures
        self.expectedFailures = expectedFailures
        self.observedFailureProbability = observedFailureProbability
        self.confidence = confidence
        self.intervalLower = intervalLower
        self.intervalUpper = intervalUpper
        self.consistent = consistent
        self.tasksPerDay = tasksPerDay
        self.expectedFailuresPerDay = expectedFailuresPerDay
        self.observedFailuresPerDay = observedFailuresPerDay
        self.framing = framing
        self.singleAttemptFraming = singleAttemptFraming
        self.notes = notes
    }
}
