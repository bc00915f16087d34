import Traffic

/// Progress of a running sweep, reported after each run.
public struct SweepProgress: Sendable, Hashable {
    /// Runs finished.
    public var done: Int
    /// Runs in the sweep.
    public var total: Int
    /// Configurations whose every seed has run.
    public var configurationsDone: Int
    /// Configurations so far that passed on every seed.
    public var passing: Int
    /// The configuration of the run just finished.
    public var configuration: String
    /// Its seed.
    public var seed: UInt64
}

/// Runs `squall sweep`: every (configuration × seed) job of a `SweepPlan` through one
/// `BatchRunner` (every core), then ranks the configurations, finds the Pareto front of mean
/// failures/day, cost/day and p99 latency, and picks the best passing configuration.
public enum Sweeper {
    /// Runs the sweep. `progress` is called on the calling task after each run. When the calling
    /// task is cancelled the runs so far are kept and the report is marked incomplete.
    ///
    /// With a `shard`, only that shard's runs are simulated (see `Shard`) and each summary goes to
    /// `part`; the report returned then covers a slice (`squall merge` rebuilds the whole one).
    public static func run(
        _ plan: SweepPlan, runner: BatchRunner = BatchRunner(), shard: Shard? = nil, part: PartWriter? = nil,
        progress: (SweepProgress) -> Void = { _ in }
    ) async throws -> SweepReport {
        var runs: [SweepRun] = []
        let expected = shard.map { $0.size(of: plan.jobCount) } ?? plan.jobCount
        runs.reserveCapacity(expected)
        let k = plan.seeds.count
        var passingSoFar = 0
        var passesOfCurrent = 0
        let outcome = try await runner.run(plan.jobs(), shard: shard) { summary in
            try part?.add(summary)
            let c = plan.configurations[summary.index / k]
            runs.append(sweepRun(summary, plan: plan))
            if summary.passed { passesOfCurrent += 1 }
            if summary.index % k == k - 1 {
                if passesOfCurrent == k { passingSoFar += 1 }
                passesOfCurrent = 0
            }
            progress(
                SweepProgress(
                    done: runs.count, total: expected, configurationsDone: runs.count / k, passing: passingSoFar,
                    configuration: c.id, seed: summary.seed))
        }
        let incomplete = outcome.cancelled || runs.count < plan.jobCount
        return report(
            plan, runs: runs, incomplete: incomplete, reason: incomplete ? "interrupted; the figures cover the runs that finished" : nil)
    }

    /// The sweep's record of one run (job `summary.index` of `plan`).
    public static func sweepRun(_ summary: RunSummary, plan: SweepPlan) -> SweepRun {
        let c = plan.configurations[summary.index / plan.seeds.count]
        var failed = summary.verdicts.filter { $0.status != .pass }.map(\.name)
        if summary.incomplete { failed.append("run completed") }
        return SweepRun(
            configuration: c.id, index: c.index, seed: summary.seed, passed: summary.passed, failed: failed,
            figures: SweepFigures(summary.figures))
    }

    /// Folds runs (in job order, possibly fewer than the plan's jobs) into the report.
    public static func report(_ plan: SweepPlan, runs: [SweepRun], incomplete: Bool, reason: String?) -> SweepReport {
        let k = plan.seeds.count
        var results: [SweepConfigurationResult] = []
        results.reserveCapacity(plan.configurations.count)
        var start = 0
        for c in plan.configurations {
            var end = start
            while end < runs.count, runs[end].index == c.index { end += 1 }
            let mine = runs[start..<end]
            start = end
            var failing: [String: Int] = [:]
            for r in mine { for name in r.failed { failing[name, default: 0] += 1 } }
            let lists = mine.map(\.figures.list)
            let n = SweepFigures.names.count
            let mean = lists.isEmpty ? nil : SweepFigures(list: (0..<n).map { i in lists.reduce(0) { $0 + $1[i] } / Double(lists.count) })
            let lo = lists.isEmpty ? nil : SweepFigures(list: (0..<n).map { i in lists.map { $0[i] }.min()! })
            let hi = lists.isEmpty ? nil : SweepFigures(list: (0..<n).map { i in lists.map { $0[i] }.max()! })
            let passes = mine.filter(\.passed).count
            results.append(
                SweepConfigurationResult(
                    index: c.index, id: c.id, values: c.values, runs: mine.count, passes: passes,
                    passedAll: mine.count == k && passes == k, rank: 0, pareto: false, mean: mean, min: lo, max: hi,
                    failing: NamedCount.sorted(failing)))
        }
        let measured = results.indices.filter { results[$0].mean != nil }
        let points = measured.map { i -> [Double] in
            let m = results[i].mean!
            return [m.failuresPerDay, m.costPerDay, m.latencyP99]
        }
        for j in ParetoFront.indices(points) { results[measured[j]].pareto = true }
        let order = results.indices.sorted { SweepRanking.before(results[$0], results[$1]) }
        for (rank, i) in order.enumerated() where results[i].runs > 0 { results[i].rank = rank + 1 }
        let ranking = order.filter { results[$0].runs > 0 }.map { results[$0].id }
        var best: SweepBest?
        if let top = order.first, results[top].passedAll {
            best = SweepBest(
                configuration: results[top].id, values: results[top].values, stackYaml: plan.stackBlock(for: top),
                otherValues: plan.nonStackValues(for: top))
        }
        return SweepReport(
            scenario: plan.base.name, description: plan.base.description, source: plan.base.source,
            sampling: plan.design.sampling, samplingSeed: plan.design.seed, seeds: plan.seeds,
            parameters: plan.design.parameters.map {
                SweepParameterInfo(path: $0.path.description, values: $0.values.text, categorical: $0.values.isCategorical)
            },
            expectations: plan.base.expectations.map(\.name), configurations: results, runs: runs, ranking: ranking,
            paretoFront: results.filter(\.pareto).map(\.id), best: best, incomplete: incomplete, incompleteReason: reason)
    }
}
