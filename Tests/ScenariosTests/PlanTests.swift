import Foundation
import Testing
import YAMLConfig

@testable import Scenarios

/// `squall plan`'s closed-form parts against hand computation, a level's limits arithmetic on a
/// scenario whose demand is exact, and the knee found by bisection against the simulator itself.
@Suite(.serialized) struct PlanTests {
    @Test func littlesLawAndRatesByHand() {
        // 10 tasks/s, each in the system 2.5 s on average: 25 in flight.
        #expect(CapacityMath.littlesLaw(arrivalsPerSecond: 10, meanSeconds: 2.5) == 25)
        #expect(CapacityMath.perSecond(perDay: 864_000) == 10)
        #expect(CapacityMath.perMinute(perDay: 14_400) == 10)
    }

    @Test func utilizationHeadroomAndTheBindingLimitByHand() {
        let rpm = LimitCheck(model: "m", limit: "rpm", value: 1000, demand: 750)
        #expect(rpm.utilization == 0.75 && rpm.headroom == 0.25)
        let tpm = LimitCheck(model: "m", limit: "tpm", value: 250_000, demand: 300_000)
        #expect(tpm.utilization == 1.2 && abs(tpm.headroom - -0.2) < 1e-12)
        let rpd = LimitCheck(model: "n", limit: "rpd", value: 500_000, demand: 100_000)
        #expect(CapacityMath.binding([rpm, tpm, rpd]) == tpm)
        #expect(CapacityMath.binding([rpm, rpd]) == rpm)
        // Ties go to the first given.
        let twin = LimitCheck(model: "n", limit: "rpm", value: 100, demand: 75)
        #expect(CapacityMath.binding([rpm, twin]) == rpm)
        #expect(CapacityMath.binding([]) == nil)
        #expect(CapacityMath.utilization(demand: 1, limit: 0) == .infinity)
    }

    @Test func replicasRoundUp() {
        #expect(CapacityMath.replicas(inFlight: 25, perReplica: 8) == 4)
        #expect(CapacityMath.replicas(inFlight: 32, perReplica: 8) == 4)
        #expect(CapacityMath.replicas(inFlight: 0.1, perReplica: 8) == 1)
        #expect(CapacityMath.replicas(inFlight: 0, perReplica: 8) == 1)
    }

    @Test func aLimitBindsInProportionFromTheLastLevelBelowIt() {
        let levels: [(load: Double, demand: Double)] = [(100, 50), (200, 100), (400, 250)]
        // Between 200 (100) and 400 (250): 200 × 150 / 100 = 300, inside the levels.
        #expect(CapacityMath.crossing(levels: levels, limit: 150)! == (300, false))
        // Above every level: 400 × 500 / 250 = 800, extrapolated.
        #expect(CapacityMath.crossing(levels: levels, limit: 500)! == (800, true))
        // Below every level: 100 × 40 / 50 = 80, extrapolated.
        #expect(CapacityMath.crossing(levels: levels, limit: 40)! == (80, true))
        #expect(CapacityMath.crossing(levels: [(100, 0)], limit: 40) == nil)
    }

    @Test func loadRangesAndLevels() throws {
        #expect(try LoadRange.parse("10k..1M/day") == LoadRange(lower: 10_000, upper: 1_000_000))
        #expect(try LoadRange.parse("1/s..2/s") == LoadRange(lower: 86_400, upper: 172_800))
        #expect(try LoadRange.parse("1000/day..2000/day") == LoadRange(lower: 1000, upper: 2000))
        #expect(throws: SweepValuesError.self) { try LoadRange.parse("0..5/day") }
        #expect(throws: SweepValuesError.self) { try LoadRange.parse("5..1/day") }
        #expect(throws: SweepValuesError.self) { try LoadRange.parse("1..5/week") }
        let levels = LoadRange(lower: 10_000, upper: 1_000_000).levels(3)
        #expect(levels[0] == 10_000 && abs(levels[1] - 100_000) < 1e-6 && levels[2] == 1_000_000)
        #expect(Planner.roundLoad(21_544.35) == 21_540)
    }

    static let exact = """
        name: exact-demand
        duration: 1h
        load:
          tasks_per_day: 14400
          arrival: constant
          prompts: [ { text: "What is the capital of France?" } ]
        llm:
          latency: 1500ms
          rate_limits:
            llama-3.1-8b-instant: { rpm: 100, tpm: 10000, rpd: 20000, tpd: 100000000 }
        expect:
          success_rate: ">= 99%"
        """

    @Test func aLevelsLimitsArithmeticMatchesHandComputation() async throws {
        let node = try ConfigNode.parse(Self.exact, file: "exact.yaml")
        let base = try ScenarioLoader.decode(node)
        let plan = try CapacityPlan.build(
            document: node, base: base,
            flags: PlanSpec(load: LoadRange(lower: 14_400, upper: 14_400), steps: 2, peakFactor: 2, replicaConcurrency: 1, seeds: 1))
        // "What is …" routes to llama-3.1-8b-instant with max_tokens 400: 400 tokens charged per call.
        #expect(plan.chargePerCall == ["llama-3.1-8b-instant": 400])
        let report = try await Planner.run(plan, runner: BatchRunner(parallelism: 1))
        let level = try #require(report.levels.first)
        // Peak: 14,400/day × 2 = 20 tasks/min, evenly spaced, no faults: 20 calls/min, 8,000 tokens/min.
        #expect(level.peakTasksPerDay == 28_800)
        #expect(abs(level.peak.callsPerMinute - 20) < 0.05)
        let tpm = try #require(level.limits.first { $0.limit == "tpm" })
        #expect(abs(tpm.demand - 8000) < 20 && abs(tpm.utilization - 0.8) < 0.002 && abs(tpm.headroom - 0.2) < 0.002)
        let rpm = try #require(level.limits.first { $0.limit == "rpm" })
        #expect(abs(rpm.utilization - 0.2) < 0.001)
        // Mean: 14,400 calls/day against 20,000 a day.
        let rpd = try #require(level.limits.first { $0.limit == "rpd" })
        #expect(abs(rpd.demand - 14_400) < 10 && abs(rpd.utilization - 0.72) < 0.001)
        #expect(level.binding?.limit == "tpm")
        // Little: λ = 20/60 per second, W = 1.5 s: 0.5 in flight; one replica of 1.
        #expect(abs(level.peak.inFlightLittle - 0.5) < 0.01)
        #expect(level.peak.replicas == 1)
        #expect(level.day.costPerMonth == level.day.cost * 30)
        // Crossings: TPM at 14,400 / 0.8 = 18,000/day (in proportion, extrapolated beyond the one level).
        let first = try #require(report.crossings.first)
        #expect(first.limit == "tpm" && abs(first.load - 18_000) < 50 && first.extrapolated)
    }

    @Test func perDayLimitsAreNotSimulated() throws {
        let node = try ConfigNode.parse(Self.exact, file: "exact.yaml")
        let plan = try CapacityPlan.build(document: node, base: try ScenarioLoader.decode(node), flags: PlanSpec(peakFactor: 3))
        let s = try plan.scenario(tasksPerDay: 50_000)
        let limits = try #require(s.llm.rateLimits["llama-3.1-8b-instant"])
        #expect(limits.rpd == nil && limits.tpd == nil && limits.rpm == 100 && limits.tpm == 10_000)
        #expect(abs(s.load.tasksPerDay - 50_000) < 1e-6)
        #expect(plan.settings.peakFactor == 3 && plan.settings.peakFactorSource == "--peak-factor")
        #expect(plan.settings.load == LoadRange(lower: 14_400, upper: 1_440_000))
    }

    @Test func aLevelThatDoesNotLoadIsRefusedNamingTheFlag() throws {
        let text = Self.exact + "\n" + "plan: { window: 10m }\n"
        let withWindow = text.replacingOccurrences(
            of: "  latency: 1500ms", with: "  latency: 1500ms\n  faults: [ { during: 20m..25m, status: 503 } ]")
        let node = try ConfigNode.parse(withWindow, file: "w.yaml")
        let base = try ScenarioLoader.decode(node)
        #expect(throws: ConfigError.self) { try CapacityPlan.build(document: node, base: base, flags: PlanSpec()) }
        do {
            _ = try CapacityPlan.build(document: node, base: base, flags: PlanSpec(window: .seconds(300)))
        } catch {
            #expect(error.description.hasPrefix("--window: the level of 14.4k tasks/day over 5m0s does not load: llm.faults[0].during"))
        }
        do {
            _ = try CapacityPlan.build(document: node, base: base, flags: PlanSpec())
        } catch {
            #expect(error.description.contains("plan.window: the level of"))
        }
    }

    static let knee = """
        name: knee
        duration: 20m
        load:
          tasks_per_day: 20000
          arrival: constant
          prompts: [ { text: "What is the capital of France?" } ]
        stack:
          retry: { attempts: 3, min: 200ms, max: 1s }
          breaker: off
        llm:
          latency: 100ms
          rate_limits: { "*": { rpm: 60 } }
        expect:
          success_rate: ">= 99.9%"
          latency_p99: "< 3s"
        plan: { load: 20k..200k/day, steps: 4, seeds: 2 }
        """

    @Test func theKneeIsWhereTheSimulatorsSLOsReallyBreak() async throws {
        let node = try ConfigNode.parse(Self.knee, file: "knee.yaml")
        let plan = try CapacityPlan.build(document: node, base: try ScenarioLoader.decode(node), flags: PlanSpec())
        let report = try await Planner.run(plan, runner: BatchRunner(parallelism: 2))
        #expect(report.knee.position == .within)
        let a = try #require(report.knee.highestPassing)
        let b = try #require(report.knee.lowestFailing)
        #expect(b / a <= 1 + report.settings.resolution + 1e-9)
        // 60 requests a minute is 86,400 a day: the knee is near it.
        #expect(a > 60_000 && a < 130_000)
        // Re-simulate on the same seeds, independently of the plan: just below holds, just above fails.
        func passes(_ load: Double) throws -> [Bool] {
            let s = try plan.scenario(tasksPerDay: load)
            return [UInt64(1), 2].map { BatchRunner.summary(of: BatchJob(configuration: "check", scenario: s, seed: $0), index: 0).passed }
        }
        #expect(try passes(a) == [true, true])
        #expect(try passes(b).contains(false))
        #expect(try passes(a * 0.9) == [true, true])
        #expect(try passes(b * 1.1).contains(false))
        // The levels around it agree with the bisection.
        let below = report.levels.filter { $0.tasksPerDay <= a }.map(\.passed)
        let above = report.levels.filter { $0.tasksPerDay >= b }.map(\.passed)
        #expect(!below.isEmpty && !below.contains(false))
        #expect(!above.isEmpty && !above.contains(true))
        // The RPM limit binds near the knee, in proportion from the last level below it.
        let rpm = try #require(report.crossings.first)
        #expect(rpm.limit == "rpm" && abs(rpm.load - 86_400) / 86_400 < 0.05)
    }
}
