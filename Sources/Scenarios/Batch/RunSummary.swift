/// What one batch job produced, compactly: its identity, each expectation's status and the key
/// figures. A batch keeps these, never whole results.
public struct RunSummary: Sendable, Codable, Hashable {
    /// The job's position in the batch (0-based); summaries are delivered in this order.
    public var index: Int
    /// The scenario's name.
    public var scenario: String
    /// The job's configuration name.
    public var configuration: String
    /// The seed.
    public var seed: UInt64
    /// One entry per expectation, in the scenario's order.
    public var verdicts: [VerdictSummary]
    /// The run's headline figures.
    public var figures: RunFigures
    /// Whether the run stopped before the scenario's end (e.g. the drain limit was hit).
    public var incomplete: Bool

    /// Whether every expectation passed and the run completed.
    public var passed: Bool { !incomplete && verdicts.allSatisfy { $0.status == .pass } }

    /// Creates a summary.
    public init(
        index: Int, scenario: String, configuration: String, seed: UInt64, verdicts: [VerdictSummary], figures: RunFigures,
        incomplete: Bool
    ) {
        self.index = index
        self.scenario = scenario
        self.configuration = configuration
        self.seed = seed
        self.verdicts = verdicts
        self.figures = figures
        self.incomplete = incomplete
    }

    /// The summary of an evaluated result.
    public init(_ r: ScenarioResult, index: Int, configuration: String) {
        self.init(
            index: index, scenario: r.scenario.name, configuration: configuration, seed: r.seed,
            verdicts: r.expectations.map(VerdictSummary.init), figures: RunFigures(r), incomplete: r.incomplete)
    }
}

/// One expectation's outcome in a batch run.
public struct VerdictSummary: Sendable, Codable, Hashable {
    /// The expectation's name (`success_rate`, `breaker.opens_within`, …).
    public var name: String
    /// Pass, fail or no evidence.
    public var status: VerdictStatus
    /// Observations the verdict rests on.
    public var observations: Int
    /// The observed figure as a number, when it is one.
    public var value: Double?

    /// Creates an entry.
    public init(name: String, status: VerdictStatus, observations: Int, value: Double?) {
        self.name = name
        self.status = status
        self.observations = observations
        self.value = value
    }

    /// The entry of a full verdict.
    public init(_ v: ExpectationVerdict) {
        self.init(name: v.name, status: v.status, observations: v.observations, value: v.value)
    }
}

/// A run's headline figures.
public struct RunFigures: Sendable, Codable, Hashable {
    /// Executed tasks.
    public var tasks: Int
    /// Succeeded / finished tasks.
    public var successRate: Double
    /// Failed tasks per day.
    public var failuresPerDay: Double
    /// LLM calls per day.
    public var llmCallsPerDay: Double
    /// Cost per day, US dollars.
    public var costPerDay: Double
    /// Median latency from the intended start, seconds.
    public var latencyP50: Double
    /// 99th-percentile latency from the intended start, seconds.
    public var latencyP99: Double
    /// Mean attempts per finished task.
    public var attemptsPerTask: Double
    /// Mean LLM calls sent per finished task.
    public var llmCallsPerTask: Double
    /// What `squall plan` needs besides (usage by model and route, concurrency); nil unless computed.
    public var capacity: CapacityFigures?

    /// Creates figures.
    public init(
        tasks: Int, successRate: Double, failuresPerDay: Double, llmCallsPerDay: Double, costPerDay: Double,
        latencyP50: Double, latencyP99: Double, attemptsPerTask: Double, llmCallsPerTask: Double,
        capacity: CapacityFigures? = nil
    ) {
        self.capacity = capacity
        self.tasks = tasks
        self.successRate = successRate
        self.failuresPerDay = failuresPerDay
        self.llmCallsPerDay = llmCallsPerDay
        self.costPerDay = costPerDay
        self.latencyP50 = latencyP50
        self.latencyP99 = latencyP99
        self.attemptsPerTask = attemptsPerTask
        self.llmCallsPerTask = llmCallsPerTask
    }

    /// The figures of a result.
    public init(_ r: ScenarioResult) {
        self.init(
            tasks: r.totals.tasks, successRate: r.totals.successRate, failuresPerDay: r.perDay.failures,
            llmCallsPerDay: r.perDay.llmCalls, costPerDay: r.perDay.cost, latencyP50: r.latency.p50,
            latencyP99: r.latency.p99, attemptsPerTask: r.attempts.meanAttempts, llmCallsPerTask: r.attempts.meanCalls,
            capacity: CapacityFigures(r))
    }
}
