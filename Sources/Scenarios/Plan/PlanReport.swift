/// `plan.json`'s model: the settings, every load level's figures, the bisection for the knee and
/// the limits' crossing loads. Encoded with `ScenarioResult.makeEncoder()`; no timestamps or
/// timings, so the same plan gives the same bytes.
public struct PlanReport: Sendable, Codable, Hashable {
    /// Version of this layout; bumped on incompatible changes. Currently 1.
    public var schemaVersion = 1
    /// The scenario's name.
    public var scenario: String
    /// Its description.
    public var description: String
    /// Where it came from.
    public var source: String
    /// The settings used.
    public var settings: PlanSettingsInfo
    /// Each model's rate limits in the scenario, and the up-front charge per call.
    public var models: [PlanModelInfo]
    /// The levels of the range, ascending.
    public var levels: [PlanLevel]
    /// The bisection's probes, in order.
    public var bisection: [PlanProbe]
    /// Where the expectations stop holding.
    public var knee: PlanKnee
    /// For each limit, the load (tasks/day, mean) at which its demand reaches it, lowest first: the
    /// first binds first.
    public var crossings: [LimitCrossing]
    /// True when the plan stopped early (interrupted).
    public var incomplete: Bool
    /// Why.
    public var incompleteReason: String?

    /// The highest load the plan supports: the lower of the highest load at which every
    /// expectation held and the first limit's crossing; nil when neither is known.
    public var capacity: Double? {
        let slo = knee.highestPassing
        let limit = crossings.first?.load
        switch (slo, limit) {
        case (let a?, let b?): return min(a, b)
        case (let a?, nil): return a
        case (nil, let b?): return b
        default: return nil
        }
    }

    /// Creates a report.
    public init(
        scenario: String, description: String, source: String, settings: PlanSettingsInfo, models: [PlanModelInfo],
        levels: [PlanLevel], bisection: [PlanProbe], knee: PlanKnee, crossings: [LimitCrossing], incomplete: Bool,
        incompleteReason: String?
    ) {
        self.scenario = scenario
        self.description = description
        self.source = source
        self.settings = settings
        self.models = models
        self.levels = levels
        self.bisection = bisection
        self.knee = knee
        self.crossings = crossings
        self.incomplete = incomplete
        self.incompleteReason = incompleteReason
    }
}

/// The settings as used.
public struct PlanSettingsInfo: Sendable, Codable, Hashable {
    /// Lowest load, tasks per day.
    public var loadLower: Double
    /// Highest load, tasks per day.
    public var loadUpper: Double
    /// Levels.
    public var steps: Int
    /// Peak / mean.
    public var peakFactor: Double
    /// Where the peak factor came from.
    public var peakFactorSource: String
    /// Tasks per replica, if given.
    public var replicaConcurrency: Int?
    /// The seeds of every level.
    public var seeds: [UInt64]
    /// Simulated time per level and kind, seconds.
    public var windowSeconds: Double
    /// The bisection's resolution (relative width of the final bracket).
    public var resolution: Double
    /// How the resolution was chosen.
    public var resolutionRule: String
    /// Creates the info.
    public init(
        loadLower: Double, loadUpper: Double, steps: Int, peakFactor: Double, peakFactorSource: String, replicaConcurrency: Int?,
        seeds: [UInt64], windowSeconds: Double, resolution: Double, resolutionRule: String
    ) {
        self.loadLower = loadLower
        self.loadUpper = loadUpper
        self.steps = steps
        self.peakFactor = peakFactor
        self.peakFactorSource = peakFactorSource
        self.replicaConcurrency = replicaConcurrency
        self.seeds = seeds
        self.windowSeconds = windowSeconds
        self.resolution = resolution
        self.resolutionRule = resolutionRule
    }
}

/// A model's limits in the scenario and what a call is charged.
public struct PlanModelInfo: Sendable, Codable, Hashable {
    /// The model.
    public var model: String
    /// Requests per minute, if limited.
    public var rpm: Int?
    /// Tokens per minute, if limited.
    public var tpm: Int?
    /// Requests per day, if limited.
    public var rpd: Int?
    /// Tokens per day, if limited.
    public var tpd: Int?
    /// Tokens charged per call up front (prompt-weighted max(max_tokens, prompt estimate)).
    public var chargePerCall: Double
    /// Creates the info.
    public init(model: String, rpm: Int?, tpm: Int?, rpd: Int?, tpd: Int?, chargePerCall: Double) {
        self.model = model
        self.rpm = rpm
        self.tpm = tpm
        self.rpd = rpd
        self.tpd = tpd
        self.chargePerCall = chargePerCall
    }
}

/// One load level: the peak run's SLO figures and per-minute demand, the mean run's per-day
/// figures, the limits and concurrency. Every figure is the mean over the level's seeds.
public struct PlanLevel: Sendable, Codable, Hashable {
    /// The level (mean load), tasks per day.
    public var tasksPerDay: Double
    /// The peak load simulated, tasks per day (level × peak factor).
    public var peakTasksPerDay: Double
    /// Whether every expectation held on every seed of the peak run.
    public var passed: Bool
    /// Seeds on which every expectation held.
    public var passes: Int
    /// Seeds run.
    public var runs: Int
    /// Expectations that failed on some seed, with how many seeds.
    public var failing: [NamedCount]
    /// At the peak.
    public var peak: PlanPeakFigures
    /// Per day at the mean.
    public var day: PlanDayFigures
    /// Every limit against its demand (RPM, TPM at the peak; RPD, TPD per day).
    public var limits: [LimitCheck]
    /// The limit with the least headroom; nil without limits.
    public var binding: LimitCheck?
    /// Creates a level.
    public init(
        tasksPerDay: Double, peakTasksPerDay: Double, passed: Bool, passes: Int, runs: Int, failing: [NamedCount],
        peak: PlanPeakFigures, day: PlanDayFigures, limits: [LimitCheck], binding: LimitCheck?
    ) {
        self.tasksPerDay = tasksPerDay
        self.peakTasksPerDay = peakTasksPerDay
        self.passed = passed
        self.passes = passes
        self.runs = runs
        self.failing = failing
        self.peak = peak
        self.day = day
        self.limits = limits
        self.binding = binding
    }
}

/// Figures of a level's peak run (per minute = window totals × 60 / window).
public struct PlanPeakFigures: Sendable, Codable, Hashable {
    /// Succeeded / finished tasks.
    public var successRate: Double
    /// Median latency from the intended start, seconds.
    public var latencyP50: Double
    /// 99th-percentile latency, seconds.
    public var latencyP99: Double
    /// Mean latency, seconds.
    public var latencyMean: Double
    /// Failed tasks per day if the peak rate held all day.
    public var failuresPerDay: Double
    /// Attempts per finished task.
    public var attemptsPerTask: Double
    /// LLM calls per finished task (retry amplification).
    public var llmCallsPerTask: Double
    /// LLM calls per minute, all models.
    public var callsPerMinute: Double
    /// LLM calls in the busiest whole minute, all models; nil when not measured.
    public var busiestMinuteCalls: Double?
    /// Per model, per minute.
    public var models: [PlanModelMinute]
    /// Tasks in flight by Little's law: arrivals per second × mean latency.
    public var inFlightLittle: Double
    /// Tasks in flight as simulated, mean over the window.
    public var inFlightMean: Double
    /// Tasks in flight as simulated, the most at any interval boundary.
    public var inFlightMax: Double
    /// Replicas for the simulated peak in flight at the per-replica concurrency; nil when not sized.
    public var replicas: Int?
    /// The lowest and highest success rate over the seeds.
    public var successRateRange: [Double]
    /// The lowest and highest p99 latency over the seeds, seconds.
    public var latencyP99Range: [Double]
    /// Creates figures.
    public init(
        successRate: Double, latencyP50: Double, latencyP99: Double, latencyMean: Double, failuresPerDay: Double,
        attemptsPerTask: Double, llmCallsPerTask: Double, callsPerMinute: Double, busiestMinuteCalls: Double?,
        models: [PlanModelMinute], inFlightLittle: Double, inFlightMean: Double, inFlightMax: Double, replicas: Int?,
        successRateRange: [Double] = [], latencyP99Range: [Double] = []
    ) {
        self.successRateRange = successRateRange
        self.latencyP99Range = latencyP99Range
        self.successRate = successRate
        self.latencyP50 = latencyP50
        self.latencyP99 = latencyP99
        self.latencyMean = latencyMean
        self.failuresPerDay = failuresPerDay
        self.attemptsPerTask = attemptsPerTask
        self.llmCallsPerTask = llmCallsPerTask
        self.callsPerMinute = callsPerMinute
        self.busiestMinuteCalls = busiestMinuteCalls
        self.models = models
        self.inFlightLittle = inFlightLittle
        self.inFlightMean = inFlightMean
        self.inFlightMax = inFlightMax
        self.replicas = replicas
    }
}

/// One model's demand per minute at the peak.
public struct PlanModelMinute: Sendable, Codable, Hashable {
    /// The model.
    public var model: String
    /// Calls per minute.
    public var calls: Double
    /// Tokens charged up front per minute (calls × charge per call): what TPM counts.
    public var chargedTokens: Double
    /// Prompt tokens billed per minute.
    public var promptTokens: Double
    /// Completion tokens billed per minute.
    public var completionTokens: Double
    /// Creates figures.
    public init(model: String, calls: Double, chargedTokens: Double, promptTokens: Double, completionTokens: Double) {
        self.model = model
        self.calls = calls
        self.chargedTokens = chargedTokens
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
    }
}

/// Figures of a level's mean run, per day (window totals × 86400 / window).
public struct PlanDayFigures: Sendable, Codable, Hashable {
    /// Executed tasks per day.
    public var tasks: Double
    /// Failed tasks per day.
    public var failures: Double
    /// Succeeded / finished tasks.
    public var successRate: Double
    /// LLM calls per day, all models.
    public var llmCalls: Double
    /// LLM calls per finished task.
    public var llmCallsPerTask: Double
    /// Cost per day, US dollars.
    public var cost: Double
    /// Cost per 30-day month.
    public var costPerMonth: Double
    /// Per model.
    public var models: [PlanModelDay]
    /// Per routing rule.
    public var routes: [PlanRouteDay]
    /// Creates figures.
    public init(
        tasks: Double, failures: Double, successRate: Double, llmCalls: Double, llmCallsPerTask: Double, cost: Double,
        models: [PlanModelDay], routes: [PlanRouteDay]
    ) {
        self.tasks = tasks
        self.failures = failures
        self.successRate = successRate
        self.llmCalls = llmCalls
        self.llmCallsPerTask = llmCallsPerTask
        self.cost = cost
        self.costPerMonth = cost * 30
        self.models = models
        self.routes = routes
    }
}

/// One model per day.
public struct PlanModelDay: Sendable, Codable, Hashable {
    /// The model.
    public var model: String
    /// Calls per day.
    public var calls: Double
    /// Prompt tokens billed per day.
    public var promptTokens: Double
    /// Completion tokens billed per day.
    public var completionTokens: Double
    /// Tokens charged up front per day (what TPD counts).
    public var chargedTokens: Double
    /// Cost per day.
    public var cost: Double
    /// Cost per 30-day month.
    public var costPerMonth: Double
    /// Creates figures.
    public init(model: String, calls: Double, promptTokens: Double, completionTokens: Double, chargedTokens: Double, cost: Double) {
        self.model = model
        self.calls = calls
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.chargedTokens = chargedTokens
        self.cost = cost
        self.costPerMonth = cost * 30
    }
}

/// One routing rule per day.
public struct PlanRouteDay: Sendable, Codable, Hashable {
    /// The rule (`default` for the fallback).
    public var route: String
    /// Its model.
    public var model: String
    /// Tasks per day.
    public var tasks: Double
    /// Cost per day.
    public var cost: Double
    /// Cost per 30-day month.
    public var costPerMonth: Double
    /// Creates figures.
    public init(route: String, model: String, tasks: Double, cost: Double) {
        self.route = route
        self.model = model
        self.tasks = tasks
        self.cost = cost
        self.costPerMonth = cost * 30
    }
}

/// One probe of the bisection: a load, simulated at its peak on every seed.
public struct PlanProbe: Sendable, Codable, Hashable {
    /// The load (mean), tasks per day.
    public var tasksPerDay: Double
    /// Whether every expectation held on every seed.
    public var passed: Bool
    /// Seeds on which every expectation held.
    public var passes: Int
    /// Seeds run.
    public var runs: Int
    /// Mean success rate at the peak.
    public var successRate: Double
    /// Mean p99 latency at the peak, seconds.
    public var latencyP99: Double
    /// Expectations that failed on some seed.
    public var failing: [NamedCount]
    /// The lowest and highest success rate over the seeds.
    public var successRateRange: [Double]
    /// The lowest and highest p99 latency over the seeds, seconds.
    public var latencyP99Range: [Double]
    /// Creates a probe.
    public init(
        tasksPerDay: Double, passed: Bool, passes: Int, runs: Int, successRate: Double, latencyP99: Double, failing: [NamedCount],
        successRateRange: [Double] = [], latencyP99Range: [Double] = []
    ) {
        self.successRateRange = successRateRange
        self.latencyP99Range = latencyP99Range
        self.tasksPerDay = tasksPerDay
        self.passed = passed
        self.passes = passes
        self.runs = runs
        self.successRate = successRate
        self.latencyP99 = latencyP99
        self.failing = failing
    }
}

/// Where the expectations stop holding.
public struct PlanKnee: Sendable, Codable, Hashable {
    /// Where the knee lies relative to the range.
    public enum Position: String, Sendable, Codable, Hashable {
        /// Between two levels of the range (bisected).
        case within
        /// Every level held: the knee is above the range.
        case aboveRange = "above_range"
        /// The lowest level already failed: the knee is below the range.
        case belowRange = "below_range"
        /// Not determined (the plan was interrupted before the levels ran).
        case unknown
    }
    /// Where it lies.
    public var position: Position
    /// The highest load at which every expectation held on every seed (bisected); nil when none did.
    public var highestPassing: Double?
    /// The lowest load found to fail, just above; nil when none failed.
    public var lowestFailing: Double?
    /// Loads above the first failing level that held again (the SLOs are not monotonic there).
    public var passingAbove: [Double]
    /// Creates a knee.
    public init(position: Position, highestPassing: Double?, lowestFailing: Double?, passingAbove: [Double]) {
        self.position = position
        self.highestPassing = highestPassing
        self.lowestFailing = lowestFailing
        self.passingAbove = passingAbove
    }
}

/// The load at which a limit's demand reaches it.
public struct LimitCrossing: Sendable, Codable, Hashable {
    /// The model.
    public var model: String
    /// `rpm`, `tpm`, `rpd` or `tpd`.
    public var limit: String
    /// The limit's value.
    public var value: Double
    /// The mean load, tasks per day, at which demand reaches the limit.
    public var load: Double
    /// True when the crossing lies outside the measured levels and was extrapolated (demand ∝ load).
    public var extrapolated: Bool
    /// Creates a crossing.
    public init(model: String, limit: String, value: Double, load: Double, extrapolated: Bool) {
        self.model = model
        self.limit = limit
        self.value = value
        self.load = load
        self.extrapolated = extrapolated
    }

    /// `llama-3.1-8b-instant TPM`.
    public var label: String { "\(model) \(limit.uppercased())" }
}
