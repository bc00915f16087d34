/// The result of `squall audit`: per scenario, the false-fail rate of its expectations over seeds
/// and the detection rate of each planted defect; across scenarios, the defects nobody guards.
/// Encoded with `ScenarioResult.makeEncoder()` this is `audit.json`.
public struct AuditReport: Sendable, Codable, Hashable {
    /// Version of this JSON layout. Currently 1.
    public var schemaVersion: Int = 1
    /// Seeds 1…`seeds` per scenario.
    public var seeds: Int
    /// Seeds 1…`mutantSeeds` per mutant.
    public var mutantSeeds: Int
    /// The bar and the confidence of the intervals.
    public var bar: AuditBar
    /// True when the audit was interrupted; figures cover the runs that finished.
    public var incomplete: Bool
    /// The audited scenarios, in the order given.
    public var scenarios: [ScenarioAudit]
    /// Scenarios not audited, and why (e.g. `mode: live`).
    public var skipped: [SkippedScenario]
    /// Mutants that no audited scenario lists under `guards:`.
    public var unguarded: [String]
    /// Mutants that no audited scenario caught in at least `bar.minDetection` of its mutant seeds.
    public var undetected: [String]

    /// Whether every audited scenario meets the bar (and the audit completed).
    public var passed: Bool { !incomplete && scenarios.allSatisfy(\.meetsBar) }

    /// Creates a report.
    public init(
        seeds: Int, mutantSeeds: Int, bar: AuditBar, incomplete: Bool, scenarios: [ScenarioAudit],
        skipped: [SkippedScenario], unguarded: [String], undetected: [String]
    ) {
        self.seeds = seeds
        self.mutantSeeds = mutantSeeds
        self.bar = bar
        self.incomplete = incomplete
        self.scenarios = scenarios
        self.skipped = skipped
        self.unguarded = unguarded
        self.undetected = undetected
    }
}

/// The bar a scenario is held to.
public struct AuditBar: Sendable, Codable, Hashable {
    /// Most false fails as a share of seeds (point estimate), e.g. 0.005 (1 in 200).
    public var maxFalseFailRate: Double
    /// Least detection share for each guard, e.g. 0.95.
    public var minDetection: Double
    /// Confidence of the Clopper–Pearson intervals, e.g. 0.95.
    public var confidence: Double
    /// Creates a bar.
    public init(maxFalseFailRate: Double, minDetection: Double, confidence: Double) {
        self.maxFalseFailRate = maxFalseFailRate
        self.minDetection = minDetection
        self.confidence = confidence
    }
}

/// A proportion k/n with its exact (Clopper–Pearson) interval.
public struct Proportion: Sendable, Codable, Hashable {
    /// Count.
    public var count: Int
    /// Trials.
    public var trials: Int
    /// count / trials (0 with no trials).
    public var rate: Double
    /// Lower bound of the interval.
    public var lower: Double
    /// Upper bound of the interval.
    public var upper: Double

    /// k of n with its interval at `confidence`.
    public init(_ count: Int, of trials: Int, confidence: Double) {
        self.count = count
        self.trials = trials
        rate = trials == 0 ? 0 : Double(count) / Double(trials)
        (lower, upper) = BinomialInterval.clopperPearson(successes: count, trials: trials, confidence: confidence)
    }
}

/// One scenario's audit.
public struct ScenarioAudit: Sendable, Codable, Hashable {
    /// The scenario's name.
    public var name: String
    /// Where it came from.
    public var file: String
    /// Its `guards:`.
    public var guards: [String]
    /// Runs of the scenario as written that failed (any expectation not held, or incomplete), of `seeds`.
    public var falseFails: Proportion
    /// Each expectation over the seeds.
    public var expectations: [ExpectationAudit]
    /// Each mutant planted (or not applicable).
    public var mutants: [MutantAudit]
    /// Applicable mutants caught in at least the bar's share of seeds, of those applicable.
    public var killed: Int
    /// Applicable mutants planted.
    public var applicable: Int
    /// Whether the scenario meets the bar.
    public var meetsBar: Bool
    /// Why it does not (empty when it does).
    public var shortfalls: [String]
}

/// One expectation of a scenario over seeds 1…n without a defect: every failure is a false fail.
public struct ExpectationAudit: Sendable, Codable, Hashable {
    /// The expectation's name.
    public var name: String
    /// The threshold as written (`>= 99.5%`).
    public var expected: String
    /// Unit of the values (`percent`, `seconds`, `number`, `dollars`, `factor`).
    public var unit: String
    /// Seeds on which it did not hold (fail or no evidence).
    public var falseFails: Proportion
    /// Of those, seeds with no evidence.
    public var noEvidence: Int
    /// The fewest observations it rested on in any seed.
    public var minObservations: Int
    /// Smallest observed value over the seeds (nil when no value was numeric).
    public var valueMin: Double?
    /// Median observed value.
    public var valueMedian: Double?
    /// Largest observed value.
    public var valueMax: Double?
}

/// One planted defect in one scenario.
public struct MutantAudit: Sendable, Codable, Hashable {
    /// The mutant's name.
    public var name: String
    /// What the defect is.
    public var summary: String
    /// Whether the scenario lists it under `guards:`.
    public var guarded: Bool
    /// Why it was not planted (nil when it was).
    public var notApplicable: String?
    /// Seeds in which some expectation that held without the defect (same seed) failed with it.
    public var detected: Proportion?
    /// How often each expectation caught it (largest first); `run completed` when the mutant made the run incomplete.
    public var caughtBy: [NamedCount]
}

/// A scenario the audit did not run.
public struct SkippedScenario: Sendable, Codable, Hashable {
    /// The scenario's name.
    public var name: String
    /// Why.
    public var reason: String
}
