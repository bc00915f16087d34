import Traffic

/// Progress of a running audit, reported after each run.
public struct AuditProgress: Sendable, Hashable {
    /// Runs finished.
    public var done: Int
    /// Runs in the audit.
    public var total: Int
    /// The scenario of the run just finished.
    public var scenario: String
    /// Its configuration (`baseline` or a mutant's name).
    public var configuration: String
    /// Its seed.
    public var seed: UInt64
}

/// Runs `squall audit`: each scenario over seeds 1…S as written, each planted mutant over seeds
/// 1…M, all through one `BatchRunner`, and folds the summaries into an `AuditReport`.
public enum Auditor {
    /// Why a scenario is not audited (nil when it is): live-only scenarios, since the audit runs the simulator.
    public static func skipReason(_ scenario: Scenario) -> String? {
        scenario.mode == .live ? "mode: live (the audit runs the simulator)" : nil
    }

    /// Audits `scenarios`. `progress` is called on the calling task after each run. With a
    /// `shard`, only that shard's slice of the runs is simulated (see `Shard`); `part`, when given,
    /// receives each run's summary as it is folded in (a shard writes them to its part, and
    /// `squall merge` folds every part's summaries through `AuditAssembly` into the same report).
    /// A shard's own report covers only its slice and is marked incomplete.
    public static func run(
        _ scenarios: [Scenario], plan: AuditPlan, runner: BatchRunner = BatchRunner(), shard: Shard? = nil,
        part: PartWriter? = nil, progress: (AuditProgress) -> Void = { _ in }
    ) async throws -> AuditReport {
        var assembly = AuditAssembly(scenarios, plan: plan)
        let total = shard.map { $0.size(of: assembly.total) } ?? assembly.total
        var done = 0
        let outcome = try await runner.run(assembly.jobs, shard: shard) { summary in
            try part?.add(summary)
            assembly.add(summary)
            done += 1
            progress(
                AuditProgress(
                    done: done, total: total, scenario: summary.scenario, configuration: summary.configuration,
                    seed: summary.seed))
        }
        return assembly.finish(incomplete: outcome.cancelled || done < total)
    }
}

/// The bookkeeping of an audit, apart from running it: the jobs it needs (in order), and the
/// report built from their summaries. `Auditor.run` feeds it from a batch; `squall merge` feeds
/// it the summaries of every shard's part, in job order, and gets the same report.
public struct AuditAssembly {
    /// The plan.
    public let plan: AuditPlan
    private var skipped: [SkippedScenario] = []
    private var accumulators: [ScenarioAuditAccumulator] = []
    private var configurations: [(configuration: String, scenario: Scenario, seeds: Int)] = []
    private var owners: [(end: Int, accumulator: Int)] = []
    /// How many runs the whole audit has.
    public private(set) var total = 0
    /// How many summaries have been added.
    public private(set) var added = 0

    /// Plans the audit of `scenarios` (live-only ones are skipped, with the reason).
    public init(_ scenarios: [Scenario], plan: AuditPlan) {
        self.plan = plan
        for s in scenarios {
            if let why = Auditor.skipReason(s) {
                skipped.append(SkippedScenario(name: s.name, reason: why))
            } else {
                accumulators.append(ScenarioAuditAccumulator(scenario: s, plan: plan))
            }
        }
        // Jobs come in configuration order and summaries are delivered in job order, so the job
        // index says whose summary it is (scenario names need not be unique).
        for (i, a) in accumulators.enumerated() {
            for c in a.configurations() {
                configurations.append(c)
                total += c.seeds
                owners.append((total, i))
            }
        }
    }

    /// Every run of the audit, in job order (generated lazily).
    public var jobs: some Sequence<BatchJob> { AuditJobs(configurations: configurations) }

    /// Folds in the summary of run `summary.index`; summaries must come in increasing index order.
    public mutating func add(_ summary: RunSummary) {
        var lo = 0
        var hi = owners.count
        while lo < hi {  // the first configuration whose end is past the index
            let mid = (lo + hi) / 2
            if owners[mid].end <= summary.index { lo = mid + 1 } else { hi = mid }
        }
        if lo < owners.count { accumulators[owners[lo].accumulator].add(summary) }
        added += 1
    }

    /// The report; `incomplete` when runs are missing (interrupted, or a part not merged).
    public func finish(incomplete: Bool) -> AuditReport {
        let audits = accumulators.map { $0.finish() }
        let guarded = Set(audits.flatMap(\.guards))
        let detected = Set(
            audits.flatMap { a in
                a.mutants.filter { ($0.detected?.rate ?? 0) >= plan.minDetection - 1e-12 && ($0.detected?.trials ?? 0) > 0 }
                    .map(\.name)
            })
        return AuditReport(
            seeds: plan.seeds, mutantSeeds: plan.mutantSeeds,
            bar: AuditBar(maxFalseFailRate: plan.maxFalseFailRate, minDetection: plan.minDetection, confidence: plan.confidence),
            incomplete: incomplete || added < total, scenarios: audits, skipped: skipped,
            unguarded: Mutant.names.filter { !guarded.contains($0) },
            undetected: Mutant.names.filter { !detected.contains($0) })
    }
}

/// The audit's jobs, generated lazily: each configuration over seeds 1…n, in order.
struct AuditJobs: Sequence, IteratorProtocol {
    let configurations: [(configuration: String, scenario: Scenario, seeds: Int)]
    var current = 0
    var seed = 1

    init(configurations: [(configuration: String, scenario: Scenario, seeds: Int)]) {
        self.configurations = configurations
    }

    mutating func next() -> BatchJob? {
        while current < configurations.count {
            let c = configurations[current]
            if seed <= c.seeds {
                defer { seed += 1 }
                return BatchJob(configuration: c.configuration, scenario: c.scenario, seed: UInt64(seed))
            }
            current += 1
            seed = 1
        }
        return nil
    }
}
