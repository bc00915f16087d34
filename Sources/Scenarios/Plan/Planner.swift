import Foundation

/// Progress of a running plan, reported after each simulation.
public struct PlanProgress: Sendable, Hashable {
    /// `levels` (the range) or `bisection` (the knee).
    public var phase: String
    /// Simulations finished in this phase.
    public var done: Int
    /// Simulations in this phase (for the bisection: of the current probe).
    public var total: Int
    /// The load of the simulation just finished, tasks per day (mean).
    public var tasksPerDay: Double
}

/// Runs `squall plan`: simulates every level of the range (at the peak and at the mean, on every
/// seed, in one parallel batch), then bisects between the last level that held and the first that
/// did not, and derives limits, headroom, concurrency, replicas and cost (see `CapacityPlan` for
/// what each run measures and how per-day figures are scaled).
public enum Planner {
    /// The most bisection probes.
    public static let maxProbes = 40

    /// The resolution the bisection stops at, and how it was chosen: the given one, else the
    /// larger of 1% and 1/√n, n the tasks the peak window holds at `lower` — the relative Poisson
    /// noise of the window's task count, below which a seed's SLO figures cannot tell two loads apart.
    public static func resolution(_ plan: CapacityPlan, lower: Double) -> (value: Double, rule: String) {
        if let r = plan.settings.resolution { return (r, "given") }
        let n = lower * plan.settings.peakFactor * plan.settings.window.seconds / 86_400
        let r = min(0.5, max(0.01, 1 / max(1, n).squareRoot()))
        return (r, "max(1%, 1/√n) with n ≈ \(Int(n.rounded())) tasks in the peak window at the last passing level")
    }

    /// Runs the plan. `progress` is called on the calling task after each simulation. When the
    /// calling task is cancelled the levels and probes finished so far are kept and the report is
    /// marked incomplete.
    public static func run(
        _ plan: CapacityPlan, runner: BatchRunner = BatchRunner(), progress: (PlanProgress) -> Void = { _ in }
    ) async throws -> PlanReport {
        let s = plan.settings
        let seeds = (1...s.seeds).map { UInt64($0) }
        let loads = s.load.levels(s.steps).map(roundLoad)
        let separateMean = s.peakFactor != 1
        // Jobs: per level, the peak run on each seed, then (with a peak factor) the mean run on each seed.
        var jobs: [BatchJob] = []
        for load in loads {
            let peak = try plan.scenario(tasksPerDay: load * s.peakFactor)
            for seed in seeds { jobs.append(BatchJob(configuration: "\(PlanNumber.load(load)) peak", scenario: peak, seed: seed)) }
            if separateMean {
                let mean = try plan.scenario(tasksPerDay: load)
                for seed in seeds { jobs.append(BatchJob(configuration: "\(PlanNumber.load(load)) mean", scenario: mean, seed: seed)) }
            }
        }
        var summaries: [RunSummary] = []
        let perLevel = seeds.count * (separateMean ? 2 : 1)
        let outcome = try await runner.run(jobs) { summary in
            summaries.append(summary)
            progress(
                PlanProgress(
                    phase: "levels", done: summaries.count, total: jobs.count, tasksPerDay: loads[(summaries.count - 1) / perLevel]))
        }
        var levels: [PlanLevel] = []
        for (i, load) in loads.enumerated() where (i + 1) * perLevel <= summaries.count {
            let mine = Array(summaries[i * perLevel..<(i + 1) * perLevel])
            let peak = Array(mine.prefix(seeds.count))
            let mean = separateMean ? Array(mine.suffix(seeds.count)) : peak
            levels.append(level(plan, load: load, peak: peak, mean: mean))
        }
        var incomplete = outcome.cancelled || levels.count < loads.count
        var probes: [PlanProbe] = []
        var knee = PlanKnee(position: .unknown, highestPassing: nil, lowestFailing: nil, passingAbove: [])
        var rule = resolution(plan, lower: loads[0])
        if !incomplete {
            let firstFail = levels.firstIndex { !$0.passed }
            switch firstFail {
            case nil:
                knee = PlanKnee(position: .aboveRange, highestPassing: levels.last?.tasksPerDay, lowestFailing: nil, passingAbove: [])
            case 0?:
                knee = PlanKnee(position: .belowRange, highestPassing: nil, lowestFailing: levels[0].tasksPerDay, passingAbove: [])
            case let f?:
                var a = levels[f - 1].tasksPerDay
                var b = levels[f].tasksPerDay
                rule = resolution(plan, lower: a)
                while b / a > 1 + rule.value, probes.count < maxProbes {
                    let mid = roundLoad((a * b).squareRoot())
                    guard mid > a, mid < b else { break }
                    let scenario = try plan.scenario(tasksPerDay: mid * s.peakFactor)
                    var runs: [RunSummary] = []
                    let o = try await runner.run(
                        seeds.map { BatchJob(configuration: "\(PlanNumber.load(mid)) peak", scenario: scenario, seed: $0) }
                    ) {
                        runs.append($0)
                        progress(PlanProgress(phase: "bisection", done: runs.count, total: seeds.count, tasksPerDay: mid))
                    }
                    if o.cancelled || runs.count < seeds.count {
                        incomplete = true
                        break
                    }
                    let probe = PlanProbe(
                        tasksPerDay: mid, passed: runs.allSatisfy(\.passed), passes: runs.filter(\.passed).count, runs: runs.count,
                        successRate: mean(runs.map(\.figures.successRate)), latencyP99: mean(runs.map(\.figures.latencyP99)),
                        failing: failing(runs), successRateRange: range(runs.map(\.figures.successRate)),
                        latencyP99Range: range(runs.map(\.figures.latencyP99)))
                    probes.append(probe)
                    if probe.passed { a = mid } else { b = mid }
                }
                let above = levels[(f + 1)...].filter(\.passed).map(\.tasksPerDay)
                knee = PlanKnee(position: .within, highestPassing: a, lowestFailing: b, passingAbove: above)
            }
        }
        return PlanReport(
            scenario: plan.base.name, description: plan.base.description, source: plan.base.source,
            settings: PlanSettingsInfo(
                loadLower: s.load.lower, loadUpper: s.load.upper, steps: s.steps, peakFactor: s.peakFactor,
                peakFactorSource: s.peakFactorSource, replicaConcurrency: s.replicaConcurrency, seeds: seeds,
                windowSeconds: s.window.seconds, resolution: rule.value, resolutionRule: rule.rule),
            models: modelInfo(plan, levels: levels), levels: levels, bisection: probes, knee: knee,
            crossings: crossings(levels), incomplete: incomplete,
            incompleteReason: incomplete ? "interrupted; the figures cover the levels and probes that finished" : nil)
    }

    /// A load rounded to 4 significant digits (levels and probes are written into the scenario as such).
    public static func roundLoad(_ v: Double) -> Double {
        guard v > 0, v.isFinite else { return v }
        let magnitude = pow(10, floor(log10(v)) - 3)
        return (v / magnitude).rounded() * magnitude
    }

    static func mean(_ values: [Double]) -> Double {
        values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
    }

    static func range(_ values: [Double]) -> [Double] {
        guard let lo = values.min(), let hi = values.max() else { return [] }
        return [lo, hi]
    }

    static func failing(_ runs: [RunSummary]) -> [NamedCount] {
        var counts: [String: Int] = [:]
        for r in runs {
            for v in r.verdicts where v.status != .pass { counts[v.name, default: 0] += 1 }
            if r.incomplete { counts["run completed", default: 0] += 1 }
        }
        return NamedCount.sorted(counts)
    }

    /// A level's figures from its peak and mean runs (means over seeds).
    static func level(_ plan: CapacityPlan, load: Double, peak: [RunSummary], mean meanRuns: [RunSummary]) -> PlanLevel {
        let s = plan.settings
        let pc = peak.compactMap(\.figures.capacity)
        let mc = meanRuns.compactMap(\.figures.capacity)
        func perMinute(_ c: CapacityFigures, _ v: Double) -> Double { c.durationSeconds > 0 ? v * 60 / c.durationSeconds : 0 }
        func perDay(_ c: CapacityFigures, _ v: Double) -> Double { c.durationSeconds > 0 ? v * 86_400 / c.durationSeconds : 0 }
        let models = Set(pc.flatMap { $0.models.map(\.model) } + mc.flatMap { $0.models.map(\.model) }).sorted()
        func charge(_ model: String, _ usage: [CapacityFigures]) -> Double {
            if let c = plan.chargePerCall[model] { return c }
            let calls = usage.flatMap(\.models).filter { $0.model == model }.reduce(0) { $0 + $1.llmCalls }
            let tokens = usage.flatMap(\.models).filter { $0.model == model }.reduce(0) { $0 + $1.promptTokens + $1.completionTokens }
            return calls == 0 ? 0 : Double(tokens) / Double(calls)
        }
        let minute = models.map { m -> PlanModelMinute in
            let per = pc.map { c -> (Double, Double, Double) in
                let u = c.models.first { $0.model == m }
                return (
                    perMinute(c, Double(u?.llmCalls ?? 0)), perMinute(c, Double(u?.promptTokens ?? 0)),
                    perMinute(c, Double(u?.completionTokens ?? 0))
                )
            }
            let calls = mean(per.map(\.0))
            return PlanModelMinute(
                model: m, calls: calls, chargedTokens: calls * charge(m, pc), promptTokens: mean(per.map(\.1)),
                completionTokens: mean(per.map(\.2)))
        }
        let day = models.map { m -> PlanModelDay in
            let per = mc.map { c -> [Double] in
                let u = c.models.first { $0.model == m }
                return [
                    perDay(c, Double(u?.llmCalls ?? 0)), perDay(c, Double(u?.promptTokens ?? 0)),
                    perDay(c, Double(u?.completionTokens ?? 0)), perDay(c, u?.cost ?? 0),
                ]
            }
            let calls = mean(per.map { $0[0] })
            return PlanModelDay(
                model: m, calls: calls, promptTokens: mean(per.map { $0[1] }), completionTokens: mean(per.map { $0[2] }),
                chargedTokens: calls * charge(m, mc), cost: mean(per.map { $0[3] }))
        }
        let routeNames = Set(mc.flatMap { $0.routes.map { "\($0.route)\u{0}\($0.model)" } }).sorted()
        let routes = routeNames.map { key -> PlanRouteDay in
            let parts = key.split(separator: "\u{0}", omittingEmptySubsequences: false).map(String.init)
            let per = mc.map { c -> (Double, Double) in
                let u = c.routes.first { $0.route == parts[0] && $0.model == parts[1] }
                return (perDay(c, Double(u?.tasks ?? 0)), perDay(c, u?.cost ?? 0))
            }
            return PlanRouteDay(route: parts[0], model: parts[1], tasks: mean(per.map(\.0)), cost: mean(per.map(\.1)))
        }
        let little = mean(
            pc.map { c in
                CapacityMath.littlesLaw(
                    arrivalsPerSecond: c.durationSeconds > 0 ? Double(c.tasks) / c.durationSeconds : 0, meanSeconds: c.latencyMean)
            })
        let inFlightMax = mean(pc.map(\.inFlightMax))
        let busiest = pc.allSatisfy { $0.busiestMinuteCalls != nil } && !pc.isEmpty ? mean(pc.map { Double($0.busiestMinuteCalls!) }) : nil
        let peakFigures = PlanPeakFigures(
            successRate: mean(peak.map(\.figures.successRate)), latencyP50: mean(peak.map(\.figures.latencyP50)),
            latencyP99: mean(peak.map(\.figures.latencyP99)), latencyMean: mean(pc.map(\.latencyMean)),
            failuresPerDay: mean(peak.map(\.figures.failuresPerDay)), attemptsPerTask: mean(peak.map(\.figures.attemptsPerTask)),
            llmCallsPerTask: mean(peak.map(\.figures.llmCallsPerTask)), callsPerMinute: minute.reduce(0) { $0 + $1.calls },
            busiestMinuteCalls: busiest, models: minute, inFlightLittle: little, inFlightMean: mean(pc.map(\.inFlightMean)),
            inFlightMax: inFlightMax,
            replicas: s.replicaConcurrency.map { CapacityMath.replicas(inFlight: max(inFlightMax, little), perReplica: $0) },
            successRateRange: range(peak.map(\.figures.successRate)), latencyP99Range: range(peak.map(\.figures.latencyP99)))
        let dayFigures = PlanDayFigures(
            tasks: mean(mc.map { perDay($0, Double($0.tasks)) }), failures: mean(mc.map { perDay($0, Double($0.failed)) }),
            successRate: mean(meanRuns.map(\.figures.successRate)), llmCalls: day.reduce(0) { $0 + $1.calls },
            llmCallsPerTask: mean(meanRuns.map(\.figures.llmCallsPerTask)), cost: day.reduce(0) { $0 + $1.cost }, models: day,
            routes: routes)
        var limits: [LimitCheck] = []
        for m in models {
            guard let l = plan.limits(for: m) else { continue }
            let pm = minute.first { $0.model == m }
            let dm = day.first { $0.model == m }
            if let v = l.rpm { limits.append(LimitCheck(model: m, limit: "rpm", value: Double(v), demand: pm?.calls ?? 0)) }
            if let v = l.tpm { limits.append(LimitCheck(model: m, limit: "tpm", value: Double(v), demand: pm?.chargedTokens ?? 0)) }
            if let v = l.rpd { limits.append(LimitCheck(model: m, limit: "rpd", value: Double(v), demand: dm?.calls ?? 0)) }
            if let v = l.tpd { limits.append(LimitCheck(model: m, limit: "tpd", value: Double(v), demand: dm?.chargedTokens ?? 0)) }
        }
        return PlanLevel(
            tasksPerDay: load, peakTasksPerDay: load * s.peakFactor, passed: peak.count == s.seeds && peak.allSatisfy(\.passed),
            passes: peak.filter(\.passed).count, runs: peak.count, failing: failing(peak), peak: peakFigures, day: dayFigures,
            limits: limits, binding: CapacityMath.binding(limits))
    }

    /// Each limit's crossing load over the levels, lowest first.
    static func crossings(_ levels: [PlanLevel]) -> [LimitCrossing] {
        var keys: [(model: String, limit: String, value: Double)] = []
        for l in levels {
            for c in l.limits where !keys.contains(where: { $0.model == c.model && $0.limit == c.limit }) {
                keys.append((c.model, c.limit, c.value))
            }
        }
        var out: [LimitCrossing] = []
        for k in keys {
            let series = levels.map { l in
                (load: l.tasksPerDay, demand: l.limits.first { $0.model == k.model && $0.limit == k.limit }?.demand ?? 0)
            }
            guard let c = CapacityMath.crossing(levels: series, limit: k.value) else { continue }
            out.append(LimitCrossing(model: k.model, limit: k.limit, value: k.value, load: c.load, extrapolated: c.extrapolated))
        }
        return out.sorted { $0.load != $1.load ? $0.load < $1.load : $0.label < $1.label }
    }

    /// The models with limits or usage, with their limits and charge per call.
    static func modelInfo(_ plan: CapacityPlan, levels: [PlanLevel]) -> [PlanModelInfo] {
        var names = Set(plan.chargePerCall.keys)
        for l in levels { for m in l.day.models { names.insert(m.model) } }
        for k in plan.base.llm.rateLimits.keys { names.insert(k) }
        return names.sorted().map { m in
            let l = plan.base.llm.rateLimits[m]
            return PlanModelInfo(model: m, rpm: l?.rpm, tpm: l?.tpm, rpd: l?.rpd, tpd: l?.tpd, chargePerCall: plan.chargePerCall[m] ?? 0)
        }
    }
}
