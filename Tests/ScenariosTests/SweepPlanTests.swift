import Foundation
import Testing
import YAMLConfig
import Yams

@testable import Scenarios

/// Building a sweep: values written into the scenario's YAML and checked by the loader, errors at
/// the flag or at file:line:column, deterministic designs, the Pareto front, the best stack block.
@Suite struct SweepPlanTests {
    static let yaml = """
        name: tiny-sweep
        duration: 30m
        load: { tasks_per_day: 20000 }
        stack:
          retry: { attempts: 2, min: 100ms, max: 1s, jitter: full }
          breaker: { failure_threshold: 5, recovery_timeout: 10s }
        llm:
          latency: 200ms
          faults: [ { rate: 5%, status: 503 }, { rate: 1%, status: 429, retry_after: 1s } ]
        expect:
          success_rate: ">= 99%"
        """

    func document(_ text: String = yaml, file: String = "sweep.yaml") throws -> (ConfigNode, Scenario) {
        let node = try ConfigNode.parse(text, file: file)
        return (node, try ScenarioLoader.decode(node))
    }

    func build(_ flags: [String], text: String = yaml, sampling: SweepSampling? = nil, samples: Int? = nil, seeds: Int? = nil) throws
        -> SweepPlan
    {
        let (node, base) = try document(text)
        let parameters = try flags.map { try SweepParameter.parseFlag($0) }
        return try SweepPlan.build(
            document: node, base: base,
            overrides: SweepOverrides(parameters: parameters, sampling: sampling, samples: samples, seeds: seeds))
    }

    func error(_ flags: [String], text: String = yaml, sampling: SweepSampling? = nil, samples: Int? = nil) -> ConfigError? {
        do {
            _ = try build(flags, text: text, sampling: sampling, samples: samples)
            return nil
        } catch let e as ConfigError {
            return e
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    @Test func valuesAreWrittenIntoTheScenarioAndLoaded() throws {
        let plan = try build(["stack.retry.attempts=1,3", "stack.breaker.recovery_timeout=5s..15s/5s"], seeds: 2)
        #expect(plan.configurations.count == 6)
        #expect(plan.configurations.map(\.id) == ["c00", "c01", "c02", "c03", "c04", "c05"])
        // Grid: the first parameter varies slowest.
        #expect(plan.configurations[4].values == ["3", "10s"])
        #expect(plan.configurations[4].scenario.stack.retry.maxAttempts == 3)
        #expect(plan.configurations[4].scenario.stack.breaker?.recoveryTimeout == .seconds(10))
        // The rest of the stack is as written.
        #expect(plan.configurations[4].scenario.stack.retry.backoff.min == .milliseconds(100))
        // Jobs are addressable by index: configuration j / K on seed j % K + 1.
        #expect(plan.jobCount == 12)
        #expect(plan.job(at: 9).configuration == "c04" && plan.job(at: 9).seed == 2)
        #expect(Array(plan.jobs(3..<5)).map(\.configuration) == ["c01", "c02"])
    }

    @Test func absentKeysAndSectionsAreCreatedAndRateReplacesTasksPerDay() throws {
        let plan = try build(["stack.timeout=5s", "stack.retry_budget.token_bucket=aws", "load.rate=1/s", "llm.faults[1].rate=2%"])
        let s = plan.configurations[0].scenario
        #expect(s.stack.attemptTimeout == .seconds(5))
        #expect(s.stack.retryBudget != nil)
        #expect(s.load.ratePerSecond == 1)
        #expect(s.llm.faults[1].rate == 0.02)
    }

    @Test func anUnknownKeyIsRefusedAtTheFlagWithASuggestion() {
        let e = error(["stack.retry.atempts=3,5"])
        #expect(e?.description.hasPrefix("--vary stack.retry.atempts=3,5: stack.retry.atempts: unknown key 'atempts'") == true)
        #expect(e?.description.hasSuffix("(did you mean 'attempts'?)") == true)
    }

    @Test func anImpossibleValueIsRefusedAtTheFlag() {
        #expect(
            error(["stack.retry.attempts=0,3"])?.description.contains(
                "--vary stack.retry.attempts=0,3: stack.retry.attempts: 0 is out of range") == true)
        #expect(error(["stack.retry.jitter=none,fulll"])?.description.contains("(did you mean 'full'?)") == true)
        // A distribution is probed at both ends and the middle: 2.5 attempts is not a whole number.
        #expect(error(["stack.retry.attempts=uniform(2,8)"], sampling: .lhs)?.description.contains("expected a whole number") == true)
        #expect(error(["llm.faults[5].rate=1%"])?.description.contains("llm.faults has 2 items ([0]..[1]); there is no [5]") == true)
        #expect(error(["stack.retry=3"])?.description.contains("stack.retry is a mapping in the scenario") == true)
        #expect(error(["stack.retry.min=5s"])?.description.contains("min (5s) must not exceed max (1s)") == true)
    }

    @Test func aPathThroughAScalarIsRefused() {
        let text = Self.yaml.replacingOccurrences(of: "breaker: { failure_threshold: 5, recovery_timeout: 10s }", with: "breaker: off")
        #expect(
            error(["stack.breaker.recovery_timeout=5s"], text: text)?.description.contains(
                "stack.breaker is 'off' in the scenario, not a mapping") == true)
    }

    @Test func aCombinationThatDoesNotLoadNamesTheConfigurationAndItsValues() {
        let e = error(["stack.retry.min=100ms,500ms", "stack.retry.max=200ms,1s"])
        #expect(
            e?.description.hasPrefix(
                "--vary stack.retry.min=100ms,500ms --vary stack.retry.max=200ms,1s: stack.retry.min: configuration c02 (stack.retry.min=500ms, stack.retry.max=200ms) does not load"
            ) == true)
    }

    @Test func aSweepSectionErrorIsAtFileLineColumn() throws {
        let text =
            Self.yaml + """

                sweep:
                  vary:
                    stack.retry.attempts: 2..4
                    stack.retry.atempts: [3, 5]
                """
        #expect(throws: Never.self) { try document(text) }
        let e = error([], text: text)
        #expect(e?.file == "sweep.yaml")
        #expect(e?.line == 15 && e?.column == 26)
        #expect(e?.description.contains("sweep.vary: stack.retry.atempts: unknown key 'atempts'") == true)
        // A bad VALUES in the section fails when the file loads, at the value.
        let bad = Self.yaml + "\nsweep:\n  vary:\n    stack.retry.attempts: 1s..5s\n"
        #expect(loadError(bad)?.description.hasPrefix("bad.yaml:14:27: sweep.vary.stack.retry.attempts: '1s..5s': give a step") == true)
        #expect(
            loadError(Self.yaml + "\nsweep:\n  vary: { duration: 1h..2h/1h }\n")?.description.contains("cannot vary 'duration'") == true)
        #expect(
            loadError(Self.yaml + "\nsweep:\n  vary: { stack.timeout: 1s }\n  sampling: grd\n")?.description.contains(
                "(did you mean 'grid'?)") == true)
    }

    @Test func flagsOverrideAndExtendTheSweepSection() throws {
        let text = Self.yaml + "\nsweep:\n  vary:\n    stack.retry.attempts: 2..4\n    stack.timeout: [1s, 2s]\n  seeds: 5\n"
        let plan = try build(["stack.timeout=3s", "stack.breaker.failure_threshold=2"], text: text)
        #expect(
            plan.design.parameters.map(\.path.description) == ["stack.retry.attempts", "stack.timeout", "stack.breaker.failure_threshold"])
        #expect(plan.configurations.count == 3)
        #expect(plan.seeds == [1, 2, 3, 4, 5])
        #expect(plan.configurations.map { $0.values[1] } == ["3s", "3s", "3s"])
    }

    @Test func gridRefusesDistributionsAndSamples() {
        #expect(error(["stack.timeout=uniform(1s,5s)"], sampling: .grid)?.description.contains("needs random or lhs sampling") == true)
        #expect(error(["stack.timeout=1s,2s"], samples: 4)?.description.contains("samples apply to random and lhs") == true)
        #expect(error([])?.description.contains("nothing to vary") == true)
    }

    @Test func randomAndLatinHypercubeDesignsAreDeterministicPerIndex() throws {
        let flags = ["stack.timeout=uniform(1s,20s)", "stack.retry.jitter=none,full,equal", "stack.breaker.failure_threshold=int(1,9)"]
        for sampling in [SweepSampling.random, .lhs] {
            let a = try build(flags, sampling: sampling, samples: 20)
            let b = try build(flags, sampling: sampling, samples: 20)
            #expect(a.configurations.map(\.values) == b.configurations.map(\.values))
            #expect(Set(a.configurations.map(\.values)).count > 15)
            // Configuration i does not depend on how many others there are (random) …
            if sampling == .random {
                let more = try build(flags, sampling: sampling, samples: 30)
                #expect(Array(more.configurations.prefix(20)).map(\.values) == a.configurations.map(\.values))
            }
        }
        // … and a different sampling seed gives other values.
        let seeded = Self.yaml + "\nsweep:\n  vary: { stack.timeout: \"uniform(1s,20s)\" }\n  seed: 99\n"
        let c = try build([], text: seeded, sampling: .random, samples: 5)
        let d = try build(["stack.timeout=uniform(1s,20s)"], sampling: .random, samples: 5)
        #expect(c.configurations.map(\.values) != d.configurations.map(\.values))
    }

    @Test func latinHypercubeUsesEveryStratumOncePerParameter() throws {
        let p = [
            SweepParameter(
                path: try ParameterPath.parse("stack.timeout"), values: try SweepValues.parse("uniform(1s,2s)"), source: .flag("")),
            SweepParameter(
                path: try ParameterPath.parse("stack.retry.min"), values: try SweepValues.parse("loguniform(1ms,1s)"), source: .flag("")),
        ]
        let n = 50
        let design = try SweepDesign(parameters: p, sampling: .lhs, samples: n, seed: 7)
        for d in 0..<2 {
            let strata = (0..<n).map { Int(design.unit($0, d) * Double(n)) }
            #expect(Set(strata) == Set(0..<n))
        }
        // Random sampling has no such guarantee: with 50 draws some strata repeat (this seed).
        let random = try SweepDesign(parameters: p, sampling: .random, samples: n, seed: 7)
        #expect(Set((0..<n).map { Int(random.unit($0, 0) * Double(n)) }).count < n)
    }

    @Test func paretoFrontOfAHandMadeSet() {
        let points: [[Double]] = [
            [1, 5, 5],  // 0: front (best failures)
            [5, 1, 5],  // 1: front (best cost)
            [5, 5, 1],  // 2: front (best latency)
            [2, 6, 6],  // 3: dominated by 0
            [3, 3, 3],  // 4: front (balanced)
            [3, 3, 3],  // 5: equal to 4: stays
            [3, 3, 4],  // 6: dominated by 4
            [1, 5, 5.1],  // 7: dominated by 0
        ]
        #expect(ParetoFront.indices(points) == [0, 1, 2, 4, 5])
        #expect(ParetoFront.dominates([1, 1], [1, 2]))
        #expect(!ParetoFront.dominates([1, 2], [2, 1]))
        #expect(!ParetoFront.dominates([1, 1], [1, 1]))
    }

    @Test func theBestStackBlockLoadsAndReproducesTheConfiguration() async throws {
        let plan = try build(["stack.retry.attempts=1,4", "stack.retry.jitter=none,equal", "load.tasks_per_day=30000"], seeds: 2)
        let report = try await Sweeper.run(plan, runner: BatchRunner(parallelism: 2))
        let best = try #require(report.best)
        #expect(best.values[0] == "4")
        #expect(best.otherValues == ["load.tasks_per_day=30000"])
        #expect(best.stackYaml.hasPrefix("stack:\n"))
        // Paste the block over the file's stack: section (and keep the non-stack value).
        let pasted = try #require(try Yams.compose(yaml: best.stackYaml))
        let root = try #require(try ConfigNode.parse(Self.yaml, file: "sweep.yaml").yaml)
        guard case .mapping(let m) = root, case .mapping(let block) = pasted, let stack = block.first?.value else {
            Issue.record("not mappings")
            return
        }
        let pairs = m.map { pair -> (Node, Node) in (pair.key, pair.key.string == "stack" ? stack : pair.value) }
        let replaced = try ScenarioPatch.apply(try ParameterPath.parse("load.tasks_per_day"), "30000", to: .mapping(Node.Mapping(pairs)))
        let reloaded = try ScenarioLoader.decode(ConfigNode(yaml: replaced, file: "pasted.yaml"))
        let index = try #require(plan.configurations.firstIndex { $0.id == best.configuration })
        #expect(StackSummary.describe(reloaded.stack) == StackSummary.describe(plan.configurations[index].scenario.stack))
        let again = BatchRunner.summary(of: BatchJob(configuration: "x", scenario: reloaded, seed: 1), index: 0)
        let original = report.runs.first { $0.configuration == best.configuration && $0.seed == 1 }
        #expect(SweepFigures(again.figures) == original?.figures)
        #expect(again.passed)
    }

    @Test func aSweepRanksPassingConfigurationsFirst() async throws {
        let plan = try build(["stack.retry.attempts=1,2,4"], seeds: 2)
        let report = try await Sweeper.run(plan, runner: BatchRunner(parallelism: 2))
        #expect(report.runs.count == 6)
        #expect(report.runs.map(\.seed) == [1, 2, 1, 2, 1, 2])
        let one = try #require(report.configurations.first { $0.values == ["1"] })
        #expect(!one.passedAll && one.failing.first?.name == "success_rate")
        #expect(report.passing >= 1)
        #expect(report.configurations.first { $0.id == report.ranking[0] }?.passedAll == true)
        #expect(report.ranking.last == one.id)
        #expect(!report.incomplete)
    }

    @Test func aCancelledSweepKeepsWhatRanAndIsIncomplete() async throws {
        let plan = try build(["stack.retry.attempts=1..8"], seeds: 3)
        let task = Task {
            try await Sweeper.run(plan, runner: BatchRunner(parallelism: 1)) { p in
                if p.done == 2 { withUnsafeCurrentTask { $0?.cancel() } }
            }
        }
        let report = try await task.value
        #expect(report.incomplete)
        #expect(report.runs.count >= 2 && report.runs.count < 24)
        #expect(report.configurations.count == 8)
    }

    @Test func theBundledExamplesSweepAndPlanSectionsBuild() throws {
        let sweep = try ScenarioDocument.load("provider-outage-sweep")
        let plan = try SweepPlan.build(document: sweep.node, base: sweep.scenario, overrides: SweepOverrides())
        #expect(plan.design.sampling == .grid && plan.seeds == [1, 2, 3])
        #expect(
            plan.design.parameters.map(\.path.description) == [
                "stack.retry.attempts", "stack.retry.min", "stack.breaker.failure_threshold", "stack.breaker.recovery_timeout",
            ])
        #expect(plan.configurations.count == plan.design.parameters.reduce(1) { $0 * ($1.values.values?.count ?? 0) })
        #expect(plan.configurations.allSatisfy { $0.scenario.expectations.count == sweep.scenario.expectations.count })
        let groq = try ScenarioDocument.load("groq-capacity-plan")
        let capacity = try CapacityPlan.build(document: groq.node, base: groq.scenario, flags: PlanSpec())
        #expect(capacity.settings.load == LoadRange(lower: 10_000, upper: 1_000_000))
        #expect(capacity.settings.peakFactor == 2.5 && capacity.settings.replicaConcurrency == 32)
    }
}
