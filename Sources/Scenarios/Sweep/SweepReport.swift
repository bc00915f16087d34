/// `sweep.json`'s model: the sweep's design, every run, every configuration ranked, the Pareto
/// front and the best passing configuration. Encoded with `ScenarioResult.makeEncoder()`
/// (snake_case, sorted keys); no timestamps or timings, so the same sweep gives the same bytes.
public struct SweepReport: Sendable, Codable, Hashable {
    /// Version of this layout; bumped on incompatible changes. Currently 1.
    public var schemaVersion = 1
    /// The scenario's name.
    public var scenario: String
    /// Its description.
    public var description: String
    /// Where it came from (a path, or `catalog:NAME`).
    public var source: String
    /// How configurations were picked.
    public var sampling: SweepSampling
    /// The seed of random and lhs draws.
    public var samplingSeed: UInt64
    /// The seeds every configuration ran on.
    public var seeds: [UInt64]
    /// The parameters, in order (configuration values follow this order).
    public var parameters: [SweepParameterInfo]
    /// The scenario's expectations, by name.
    public var expectations: [String]
    /// Every configuration, in index order.
    public var configurations: [SweepConfigurationResult]
    /// Every run, in job order (configuration-major, then seed).
    public var runs: [SweepRun]
    /// Configuration ids, best first (see `SweepRanking`).
    public var ranking: [String]
    /// Ids of the configurations on the Pareto front of mean failures/day, cost/day and p99 latency.
    public var paretoFront: [String]
    /// The best configuration that passed every expectation on every seed; nil when none did.
    public var best: SweepBest?
    /// True when the sweep stopped early (interrupted); figures cover the runs that finished.
    public var incomplete: Bool
    /// Why it is incomplete.
    public var incompleteReason: String?

    /// Configurations that passed every expectation on every seed.
    public var passing: Int { configurations.filter(\.passedAll).count }

    /// Creates a report.
    public init(
        scenario: String, description: String, source: String, sampling: SweepSampling, samplingSeed: UInt64, seeds: [UInt64],
        parameters: [SweepParameterInfo], expectations: [String], configurations: [SweepConfigurationResult], runs: [SweepRun],
        ranking: [String], paretoFront: [String], best: SweepBest?, incomplete: Bool, incompleteReason: String?
    ) {
        self.scenario = scenario
        self.description = description
        self.source = source
        self.sampling = sampling
        self.samplingSeed = samplingSeed
        self.seeds = seeds
        self.parameters = parameters
        self.expectations = expectations
        self.configurations = configurations
        self.runs = runs
        self.ranking = ranking
        self.paretoFront = paretoFront
        self.best = best
        self.incomplete = incomplete
        self.incompleteReason = incompleteReason
    }
}

/// A swept parameter as reported.
public struct SweepParameterInfo: Sendable, Codable, Hashable {
    /// Where the values go (`stack.retry.min`).
    public var path: String
    /// The values as given (`500ms..4s/500ms`, `uniform(1s,10s)`).
    public var values: String
    /// Whether the values are words (charts use categories) rather than numbers.
    public var categorical: Bool
    /// Creates the info.
    public init(path: String, values: String, categorical: Bool) {
        self.path = path
        self.values = values
        self.categorical = categorical
    }
}

/// A run's key figures (from `RunFigures`).
public struct SweepFigures: Sendable, Codable, Hashable {
    /// Succeeded / finished tasks.
    public var successRate: Double
    /// Failed tasks per day.
    public var failuresPerDay: Double
    /// Cost per day, US dollars.
    public var costPerDay: Double
    /// Median latency from the intended start, seconds.
    public var latencyP50: Double
    /// 99th-percentile latency, seconds.
    public var latencyP99: Double
    /// LLM calls per day.
    public var llmCallsPerDay: Double
    /// LLM calls per finished task.
    public var llmCallsPerTask: Double
    /// Attempts per finished task.
    public var attemptsPerTask: Double

    /// Creates figures.
    public init(
        successRate: Double, failuresPerDay: Double, costPerDay: Double, latencyP50: Double, latencyP99: Double,
        llmCallsPerDay: Double, llmCallsPerTask: Double, attemptsPerTask: Double
    ) {
        self.successRate = successRate
        self.failuresPerDay = failuresPerDay
        self.costPerDay = costPerDay
        self.latencyP50 = latencyP50
        self.latencyP99 = latencyP99
        self.llmCallsPerDay = llmCallsPerDay
        self.llmCallsPerTask = llmCallsPerTask
        self.attemptsPerTask = attemptsPerTask
    }

    /// The figures of a batch run.
    public init(_ f: RunFigures) {
        self.init(
            successRate: f.successRate, failuresPerDay: f.failuresPerDay, costPerDay: f.costPerDay, latencyP50: f.latencyP50,
            latencyP99: f.latencyP99, llmCallsPerDay: f.llmCallsPerDay, llmCallsPerTask: f.llmCallsPerTask,
            attemptsPerTask: f.attemptsPerTask)
    }

    /// The figures as a list, in `SweepFigures.names` order.
    public var list: [Double] {
        [successRate, failuresPerDay, costPerDay, latencyP50, latencyP99, llmCallsPerDay, llmCallsPerTask, attemptsPerTask]
    }

    /// Figures from a list in `names` order.
    public init(list v: [Double]) {
        self.init(
            successRate: v[0], failuresPerDay: v[1], costPerDay: v[2], latencyP50: v[3], latencyP99: v[4], llmCallsPerDay: v[5],
            llmCallsPerTask: v[6], attemptsPerTask: v[7])
    }

    /// Column names, as in `sweep.csv`.
    public static let names = [
        "success_rate", "failures_per_day", "cost_per_day", "latency_p50", "latency_p99", "llm_calls_per_day",
        "llm_calls_per_task", "attempts_per_task",
    ]
}

/// One run of a sweep: a configuration on a seed.
public struct SweepRun: Sendable, Codable, Hashable {
    /// The configuration's id.
    public var configuration: String
    /// The configuration's index.
    public var index: Int
    /// The seed.
    public var seed: UInt64
    /// Whether every expectation held and the run completed.
    public var passed: Bool
    /// Names of the expectations that failed or had no evidence (and `run completed` if it did not).
    public var failed: [String]
    /// The key figures.
    public var figures: SweepFigures
    /// Creates a run.
    public init(configuration: String, index: Int, seed: UInt64, passed: Bool, failed: [String], figures: SweepFigures) {
        self.configuration = configuration
        self.index = index
        self.seed = seed
        self.passed = passed
        self.failed = failed
        self.figures = figures
    }
}

/// A configuration over its seeds.
public struct SweepConfigurationResult: Sendable, Codable, Hashable {
    /// Index in the design.
    public var index: Int
    /// Stable id.
    public var id: String
    /// One value per parameter.
    public var values: [String]
    /// Runs that finished.
    public var runs: Int
    /// Runs that passed every expectation.
    public var passes: Int
    /// passes / runs (0 with no runs).
    public var passRate: Double
    /// Whether it passed on every seed of the sweep (and every seed ran).
    public var passedAll: Bool
    /// 1-based rank (see `SweepRanking`); 0 when it has no runs.
    public var rank: Int
    /// Whether it is on the Pareto front.
    public var pareto: Bool
    /// Mean of each figure over the runs.
    public var mean: SweepFigures?
    /// Smallest value of each figure over the runs.
    public var min: SweepFigures?
    /// Largest value of each figure over the runs.
    public var max: SweepFigures?
    /// Expectations that failed on some seed, with how many seeds.
    public var failing: [NamedCount]
    /// Creates a result.
    public init(
        index: Int, id: String, values: [String], runs: Int, passes: Int, passedAll: Bool, rank: Int, pareto: Bool,
        mean: SweepFigures?, min: SweepFigures?, max: SweepFigures?, failing: [NamedCount]
    ) {
        self.index = index
        self.id = id
        self.values = values
        self.runs = runs
        self.passes = passes
        self.passRate = runs == 0 ? 0 : Double(passes) / Double(runs)
        self.passedAll = passedAll
        self.rank = rank
        self.pareto = pareto
        self.mean = mean
        self.min = min
        self.max = max
        self.failing = failing
    }
}

/// The best passing configuration, ready to use.
public struct SweepBest: Sendable, Codable, Hashable {
    /// Its id.
    public var configuration: String
    /// Its values, one per parameter.
    public var values: [String]
    /// The scenario's `stack:` section with the configuration's values written in: paste it over the file's.
    public var stackYaml: String
    /// Values of the configuration outside `stack:` (`load.rate=…`), which the block does not hold.
    public var otherValues: [String]
    /// Creates the entry.
    public init(configuration: String, values: [String], stackYaml: String, otherValues: [String]) {
        self.configuration = configuration
        self.values = values
        self.stackYaml = stackYaml
        self.otherValues = otherValues
    }
}
