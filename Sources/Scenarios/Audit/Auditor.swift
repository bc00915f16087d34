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

    /// Audits `scenarios`. `progress` is called on the calling task after each run.
    public static func run(
        _ scenarios: [Scenario], plan: AuditPlan, runner: BatchRunner = BatchRunner(),
        progress: (AuditProgress) -> Void = { _ in }
    ) async throws -> AuditReport {
        var skipped: [SkippedScenario] = []
        var accumulators: [ScenarioAuditAccumulator] = []
        for s in scenarios {
            if let why = skipReason(s) {
                skipped.append(SkippedScenario(name: s.name, reason: why))
            } else {
                accumulators.append(ScenarioAuditAccumulator(scenario: s, plan: plan))
            }
        }
        // Jobs come in configuration order and summaries are delivered in job order, so the job
        // index says whose summary it is (scenario names need not be unique).
        var configurations: [(configuration: String, scenario: Scenario, seeds: Int)] = []
        var owners: [(end: Int, accumulator: Int)] = []
        var end = 0
        for (i, a) in accumulators.enumerated() {
            for c in a.configurations() {
                configurations.append(c)
                end += c.seeds
                owners.append((end, i))
            }
        }
        let total = end
        var done = 0
        var owner = 0
        let outcome = try await runner.run(AuditJobs(configurations: configurations)) { summary in
            while owner < owners.count, summary.index >= owners[owner].end { owner += 1 }
            if owner < owners.count { accumulators[owners[owner].accumulator].add(summary) }
            done += 1
            progress(
                AuditProgress(
                    done: done, total: total, scenario: summary.scenario, configuration: summary.configuration,
                    seed: summary.seed))
        }
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
            incomplete: outcome.cancelled || done < total, scenarios: audits, skipped: skipped,
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
