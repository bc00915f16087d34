import Reliability

/// Folds one scenario's batch summaries (baseline seeds, then each mutant's seeds) into a
/// `ScenarioAudit`. Memory is bounded by the seed counts, never by the task count.
struct ScenarioAuditAccumulator {
    struct MutantTally {
        var mutant: Mutant
        var notApplicable: String?
        var seeds = 0
        var caught = 0
        var caughtBy: [Int]
        var incompleteCaught = 0
    }

    let scenario: Scenario
    let plan: AuditPlan
    let names: [String]
    var runs = 0
    var failedRuns = 0
    var fails: [Int]
    var noEvidence: [Int]
    var minObservations: [Int]
    var values: [[Double]]
    /// Per baseline seed 1…mutantSeeds: which expectations held, and whether the run completed.
    var held: [[Bool]?]
    var completed: [Bool]
    var mutants: [MutantTally]

    init(scenario: Scenario, plan: AuditPlan) {
        self.scenario = scenario
        self.plan = plan
        names = scenario.expectations.map(\.name)
        fails = Array(repeating: 0, count: names.count)
        noEvidence = fails
        minObservations = Array(repeating: Int.max, count: names.count)
        values = Array(repeating: [], count: names.count)
        held = Array(repeating: nil, count: plan.mutantSeeds)
        completed = Array(repeating: false, count: plan.mutantSeeds)
        mutants = plan.mutants.mutants(for: scenario).map { m in
            var t = MutantTally(mutant: m, caughtBy: Array(repeating: 0, count: scenario.expectations.count))
            if case .notApplicable(let why) = m.apply(to: scenario) { t.notApplicable = why }
            return t
        }
    }

    /// The configurations to run, in order: the scenario as written, then each applicable mutant.
    func configurations() -> [(configuration: String, scenario: Scenario, seeds: Int)] {
        var out: [(String, Scenario, Int)] = [("baseline", scenario, plan.seeds)]
        for t in mutants where t.notApplicable == nil && plan.mutantSeeds > 0 {
            if let s = t.mutant.apply(to: scenario).scenario { out.append((t.mutant.rawValue, s, plan.mutantSeeds)) }
        }
        return out
    }

    mutating func add(_ s: RunSummary) {
        if s.configuration == "baseline" { addBaseline(s) } else { addMutant(s) }
    }

    mutating func addBaseline(_ s: RunSummary) {
        runs += 1
        if !s.passed { failedRuns += 1 }
        for (i, v) in s.verdicts.enumerated() where i < names.count {
            if v.status != .pass { fails[i] += 1 }
            if v.status == .noEvidence { noEvidence[i] += 1 }
            minObservations[i] = min(minObservations[i], v.observations)
            if let x = v.value, x.isFinite { values[i].append(x) }
        }
        let seed = Int(s.seed)
        if seed >= 1, seed <= held.count {
            held[seed - 1] = s.verdicts.map { $0.status == .pass }
            completed[seed - 1] = !s.incomplete
        }
    }

    mutating func addMutant(_ s: RunSummary) {
        guard let k = mutants.firstIndex(where: { $0.mutant.rawValue == s.configuration }) else { return }
        let seed = Int(s.seed)
        mutants[k].seeds += 1
        guard seed >= 1, seed <= held.count, let base = held[seed - 1] else { return }
        var caught = false
        for (i, v) in s.verdicts.enumerated() where i < base.count && base[i] && v.status != .pass {
            mutants[k].caughtBy[i] += 1
            caught = true
        }
        if completed[seed - 1] && s.incomplete {
            mutants[k].incompleteCaught += 1
            caught = true
        }
        if caught { mutants[k].caught += 1 }
    }

    func finish() -> ScenarioAudit {
        let c = plan.confidence
        var expectations: [ExpectationAudit] = []
        for (i, e) in scenario.expectations.enumerated() {
            let sorted = values[i].sorted()
            expectations.append(
                ExpectationAudit(
                    name: names[i], expected: Self.expected(e), unit: e.valueUnit.rawValue,
                    falseFails: Proportion(fails[i], of: runs, confidence: c), noEvidence: noEvidence[i],
                    minObservations: minObservations[i] == Int.max ? 0 : minObservations[i],
                    valueMin: sorted.first, valueMedian: sorted.isEmpty ? nil : sorted[(sorted.count - 1) / 2],
                    valueMax: sorted.last))
        }
        var audits: [MutantAudit] = []
        var killed = 0
        var applicable = 0
        var shortfalls: [String] = []
        let falseFails = Proportion(failedRuns, of: runs, confidence: c)
        if runs < plan.seeds {
            shortfalls.append("only \(runs) of \(plan.seeds) seeds ran")
        }
        if falseFails.rate > plan.maxFalseFailRate + 1e-12 {
            shortfalls.append(
                "\(failedRuns) false fails in \(runs) seeds (\(Percent.format(falseFails.rate, digits: 2)) > \(Percent.format(plan.maxFalseFailRate, digits: 2)))")
        }
        for t in mutants {
            let guarded = scenario.guards.contains(t.mutant)
            var detected: Proportion?
            var by: [NamedCount] = []
            if t.notApplicable == nil {
                applicable += 1
                let d = Proportion(t.caught, of: t.seeds, confidence: c)
                detected = d
                var counts: [String: Int] = [:]
                for (i, n) in t.caughtBy.enumerated() where n > 0 { counts[names[i]] = n }
                if t.incompleteCaught > 0 { counts["run completed"] = t.incompleteCaught }
                by = NamedCount.sorted(counts)
                let met = t.seeds > 0 && d.rate >= plan.minDetection - 1e-12
                if met { killed += 1 }
                if guarded && !met {
                    shortfalls.append(
                        "guard \(t.mutant.rawValue) caught in \(t.caught) of \(t.seeds) seeds (\(Percent.format(d.rate, digits: 1)) < \(Percent.format(plan.minDetection, digits: 1)))")
                }
            }
            audits.append(
                MutantAudit(
                    name: t.mutant.rawValue, summary: t.mutant.summary, guarded: guarded, notApplicable: t.notApplicable,
                    detected: detected, caughtBy: by))
        }
        return ScenarioAudit(
            name: scenario.name, file: scenario.source, guards: scenario.guards.map(\.rawValue), falseFails: falseFails,
            expectations: expectations, mutants: audits, killed: killed, applicable: applicable,
            meetsBar: shortfalls.isEmpty, shortfalls: shortfalls)
    }

    /// The threshold as written, for the audit's tables.
    static func expected(_ e: Expectation) -> String {
        switch e {
        case .threshold(_, _, let t, _), .shutdown(_, _, let t), .breakerCallsWhileOpen(_, let t),
            .breakerHalfOpenProbes(_, let t), .breakerCycles(_, let t), .executionsPerKey(_, let t):
            return t.description
        case .arithmetic(_, let c): return "consistent at \(Percent.format(c, digits: 1))"
        case .breakerOpensWithin(_, let w, let l): return "<= \(DurationFormat.short(l)) after window \(w) start"
        case .breakerClosesWithin(_, let w, let l): return "<= \(DurationFormat.short(l)) after window \(w) end"
        case .recoversWithin(_, let w, let l, _): return "<= \(DurationFormat.short(l)) after window \(w) end"
        case .replaysIdentical: return "every replay identical"
        case .reexecutionAfterTTL: return "re-execution only after the TTL"
        case .retryClustering(_, let t, _), .retryAfterEarly(_, let t, _), .serviceLatency(_, _, _, let t): return t.description
        case .breakerOpensAfter(_, let b): return "opens at \(b.failures) failures"
        case .breakerOpensWithinCrossing(_, _, let l): return "<= \(DurationFormat.short(l)) after the threshold crossing"
        case .breakerClosesWithinFirstRequest(_, let w, let l):
            return "<= \(DurationFormat.short(l)) after the first call after window \(w)"
        case .reexecutionWithin(_, let h): return "no re-execution within \(DurationFormat.short(h))"
        }
    }
}
