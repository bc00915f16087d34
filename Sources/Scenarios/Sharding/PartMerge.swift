import Traffic

/// Puts the parts of a sharded command back together (`squall merge`): the same report the
/// unsharded command writes, built from every part's summaries in job order.
public enum PartMerge {
    /// The audit of a set of `squall audit --shard` parts. Identical to the unsharded audit's
    /// report (same runs, same order, same accumulators); incomplete when any part is.
    public static func audit(_ set: PartSet) throws(ShardPartError) -> AuditReport {
        guard set.command == .audit, let settings = set.inputs.audit else {
            throw ShardPartError("these parts were written by squall \(set.command.rawValue), not squall audit")
        }
        let scenarios = try set.inputs.decodedScenarios()
        var assembly = AuditAssembly(scenarios, plan: try settings.plan())
        guard assembly.total == set.total else {
            throw ShardPartError(
                "the parts were written for \(set.total) runs, but this squall plans \(assembly.total) for the same inputs "
                    + "(merge with the squall that wrote the parts)")
        }
        var summaries = try set.summaries()
        while let s = try summaries.next() { assembly.add(s) }
        return assembly.finish(incomplete: set.incomplete)
    }

    /// The sweep of a set of `squall sweep --shard` parts: the unsharded sweep's report.
    public static func sweep(_ set: PartSet) throws(ShardPartError) -> SweepReport {
        guard set.command == .sweep, let settings = set.inputs.sweep, let recorded = set.inputs.scenarios.first,
            set.inputs.scenarios.count == 1
        else {
            throw ShardPartError("these parts were written by squall \(set.command.rawValue), not squall sweep")
        }
        let document: ScenarioDocument
        do { document = try ScenarioDocument.parse(recorded.text, source: recorded.source) } catch {
            throw ShardPartError("the recorded scenario \(recorded.source) does not decode with this build: \(error)")
        }
        let plan = try settings.plan(document)
        guard plan.jobCount == set.total else {
            throw ShardPartError(
                "the parts were written for \(set.total) runs, but this squall plans \(plan.jobCount) for the same inputs "
                    + "(merge with the squall that wrote the parts)")
        }
        var runs: [SweepRun] = []
        runs.reserveCapacity(plan.jobCount)
        var summaries = try set.summaries()
        while let s = try summaries.next() { runs.append(Sweeper.sweepRun(s, plan: plan)) }
        let incomplete = set.incomplete || runs.count < plan.jobCount
        return Sweeper.report(
            plan, runs: runs, incomplete: incomplete,
            reason: incomplete ? "a shard was interrupted (\(set.incompleteReasons.joined(separator: "; "))); the figures cover the runs that finished" : nil)
    }
}
