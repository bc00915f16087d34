import Foundation
import Testing
import YAMLConfig

@testable import Scenarios

/// `squall audit`'s library: false fails over seeds, detection of planted defects paired by seed,
/// the bar, applicability, determinism.
@Suite(.serialized) struct AuditTests {
    /// A short outage that a 5-failure breaker opens on at once (30k tasks/day: a call every 3 s).
    static let outage = """
        name: outage
        duration: 40m
        load: { tasks_per_day: 30000 }
        stack:
          retry: { attempts: 3, min: 1s, max: 4s, jitter: full }
          breaker: { failure_threshold: 5, window: 30s, recovery_timeout: 15s }
        llm:
          latency: 300ms
          faults: [ { during: 20m..25m, status: 503 } ]
        expect:
          breaker: { opens_within: 1m, calls_while_open: 0, half_open_probes: "<= 1" }
          before: { success_rate: ">= 99%" }
        guards: [no_breaker, breaker_never_trips, half_open_flood]

        """

    /// Few seeds keep the suite light; the guards are always planted, plus one that does not apply.
    let plan = AuditPlan(seeds: 6, mutantSeeds: 3, mutants: .named([.retryBudgetOff]))

    @Test func aScenarioThatHoldsAndCatchesItsGuardsMeetsTheBar() async throws {
        let s = try scenario(Self.outage)
        let report = try await Auditor.run([s], plan: plan, runner: BatchRunner(parallelism: 2))
        let a = try #require(report.scenarios.first)
        #expect(a.falseFails.count == 0 && a.falseFails.trials == 6)
        #expect(a.falseFails.upper > 0.3)  // 0 of 6 proves little: the interval says so
        for name in ["no_breaker", "breaker_never_trips", "half_open_flood"] {
            let m = try #require(a.mutants.first { $0.name == name })
            #expect(m.guarded)
            #expect(m.detected?.count == 3, "\(name): \(String(describing: m.detected))")
        }
        let never = try #require(a.mutants.first { $0.name == "breaker_never_trips" })
        #expect(never.caughtBy.contains { $0.name == "breaker.opens_within" && $0.count == 3 })
        let budget = try #require(a.mutants.first { $0.name == "retry_budget_off" })
        #expect(budget.notApplicable == "no retry budget configured" && budget.detected == nil)
        #expect(a.meetsBar, "\(a.shortfalls)")
        #expect(report.passed)
        #expect(a.expectations.map(\.name) == s.expectations.map(\.name))
        #expect(a.expectations.allSatisfy { $0.minObservations > 0 })
        #expect(report.unguarded.contains("no_jitter") && !report.unguarded.contains("no_breaker"))
        #expect(a.mutants.map(\.name) == ["half_open_flood", "breaker_never_trips", "no_breaker", "retry_budget_off"])
    }

    @Test func falseFailsAndMissedGuardsFailTheBar() async throws {
        // before[1].success_rate of 100% with 5% random 500s and two attempts fails on most seeds;
        // retry_permanent is guarded but nothing here is permanent.
        let yaml = """
            name: flaky
            duration: 40m
            load: { tasks_per_day: 30000 }
            stack:
              retry: { attempts: 2, min: 1s, max: 4s, jitter: full }
              breaker: { failure_threshold: 5, window: 30s, recovery_timeout: 15s }
            llm:
              latency: 300ms
              faults: [ { during: 20m..25m, status: 503 }, { rate: 5%, status: 500 } ]
            expect:
              before: { success_rate: 100% }
            guards: [retry_permanent]
            """
        let report = try await Auditor.run([try scenario(yaml)], plan: plan, runner: BatchRunner(parallelism: 2))
        let a = try #require(report.scenarios.first)
        #expect(a.falseFails.count > 0)
        #expect(!a.meetsBar)
        #expect(a.shortfalls.contains { $0.contains("false fails in 6 seeds") })
        #expect(a.shortfalls.contains { $0.hasPrefix("guard retry_permanent caught in") })
        #expect(!report.passed)
        let e = try #require(a.expectations.first { $0.name == "before[1].success_rate" })
        #expect(e.falseFails.count == a.falseFails.count)
    }

    @Test func anEquivalentMutantIsNeverCaughtEvenWhereTheScenarioFailsAnyway() async throws {
        // Nothing hangs, so no_timeout changes nothing: whatever fails on a seed fails with and
        // without it, and a catch needs an expectation that held without the defect.
        let yaml = Self.outage.replacingOccurrences(of: "opens_within: 1m", with: "opens_within: 1ms")
        let report = try await Auditor.run(
            [try scenario(yaml)], plan: AuditPlan(seeds: 3, mutantSeeds: 3, mutants: .named([.noTimeout])),
            runner: BatchRunner(parallelism: 2))
        let a = try #require(report.scenarios.first)
        #expect(a.falseFails.count == 3)
        let m = try #require(a.mutants.first { $0.name == "no_timeout" })
        #expect(m.detected?.count == 0 && m.detected?.trials == 3)
        // Selection: the named one plus the scenario's guards, in declaration order.
        #expect(a.mutants.map(\.name) == ["half_open_flood", "breaker_never_trips", "no_breaker", "no_timeout"])
    }

    @Test func theReportIsTheSameForAnyParallelism() async throws {
        let s = try scenario(Self.outage)
        let p = AuditPlan(seeds: 4, mutantSeeds: 2, mutants: .listed)
        let one = try await Auditor.run([s], plan: p, runner: BatchRunner(parallelism: 1))
        let three = try await Auditor.run([s], plan: p, runner: BatchRunner(parallelism: 3))
        #expect(one == three)
        #expect(one.scenarios[0].mutants.map(\.name) == ["half_open_flood", "breaker_never_trips", "no_breaker"])
    }

    @Test func liveScenariosAreSkippedWithANote() async throws {
        var live = try scenario(Self.outage.replacingOccurrences(of: "name: outage", with: "name: live-one"))
        live.mode = .live
        var progress: [AuditProgress] = []
        let report = try await Auditor.run(
            [live, try scenario(Self.outage)], plan: AuditPlan(seeds: 2, mutantSeeds: 1, mutants: .listed),
            runner: BatchRunner(parallelism: 2)
        ) { progress.append($0) }
        #expect(report.skipped == [SkippedScenario(name: "live-one", reason: "mode: live (the audit runs the simulator)")])
        #expect(report.scenarios.map(\.name) == ["outage"])
        #expect(progress.count == 2 + 3)
        #expect(progress.last?.done == 5 && progress.last?.total == 5)
    }

    @Test func scenariosWithTheSameNameAreAuditedApart() async throws {
        let good = try scenario(Self.outage)
        let bad = try scenario(Self.outage.replacingOccurrences(of: "opens_within: 1m", with: "opens_within: 1ms"))
        let report = try await Auditor.run(
            [good, bad], plan: AuditPlan(seeds: 2, mutantSeeds: 1, mutants: .listed), runner: BatchRunner(parallelism: 2))
        #expect(report.scenarios.map(\.name) == ["outage", "outage"])
        #expect(report.scenarios.map(\.falseFails.count) == [0, 2])
        #expect(report.scenarios.map { $0.mutants.compactMap(\.detected?.trials) } == [[1, 1, 1], [1, 1, 1]])
    }

    @Test func theMutantsFlagIsParsedStrictly() throws {
        #expect(try MutantSelection.parse("all") == .all)
        #expect(try MutantSelection.parse("listed") == .listed)
        #expect(try MutantSelection.parse("no_jitter, no_breaker") == .named([.noJitter, .noBreaker]))
        #expect { try MutantSelection.parse("no_jiter") } throws: { error in
            let e = error as? ConfigError
            return e?.suggestion == "no_jitter" && e?.description.hasPrefix("--mutants: 'no_jiter' is not valid: expected all, listed") == true
        }
    }

    /// The bundled catalog together guards every planted defect (each listed by some simulator scenario).
    @Test func theCatalogGuardsEveryMutant() throws {
        var guarded = Set<Mutant>()
        for name in ScenarioCatalog.names {
            let s = try ScenarioCatalog.load(name)
            guard s.mode != .live else { continue }
            guarded.formUnion(s.guards)
        }
        #expect(Set(Mutant.allCases).subtracting(guarded).isEmpty, "unguarded: \(Set(Mutant.allCases).subtracting(guarded))")
    }

    /// The audit of every simulated catalog scenario at CI size: six seeds as written (no false fail
    /// allowed: the seeds are fixed, so this is deterministic) and three per guard, each caught every
    /// time. The full-size figures (200 seeds, 20 per mutant, every mutant) come from
    /// Benchmarks/audit/run.sh and Reports/audit/.
    @Test func theWholeSimulatedCatalogHoldsAndCatchesItsGuardsAtCISize() async throws {
        let names = try ScenarioCatalog.names.filter { try ScenarioCatalog.load($0).mode != .live }
        #expect(names.count >= 17)
        let scenarios = try names.map { try ScenarioCatalog.load($0) }
        let report = try await Auditor.run(
            scenarios, plan: AuditPlan(seeds: 6, mutantSeeds: 3, mutants: .listed), runner: BatchRunner(parallelism: 2))
        #expect(report.scenarios.map(\.name) == names)
        var guardsChecked = 0
        for a in report.scenarios {
            #expect(a.falseFails.count == 0, "\(a.name): \(a.falseFails.count) false fails in seeds 1...6")
            for m in a.mutants where m.guarded {
                guardsChecked += 1
                #expect(m.detected?.count == 3, "\(a.name): \(m.name) caught \(String(describing: m.detected))")
            }
        }
        #expect(guardsChecked >= Mutant.allCases.count)
        let outage = try #require(report.scenarios.first { $0.name == "provider-outage-breaker" })
        let never = try #require(outage.mutants.first { $0.name == "breaker_never_trips" })
        #expect(never.caughtBy.contains { $0.name == "breaker.opens_after" })
        let storm = try #require(report.scenarios.first { $0.name == "retry-storm-full-jitter" })
        let noJitter = try #require(storm.mutants.first { $0.name == "no_jitter" })
        #expect(noJitter.caughtBy.contains { $0.name == "retry_clustering" })
    }
}
