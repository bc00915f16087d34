import Foundation
import Testing
import YAMLConfig

@testable import Reporting
@testable import Scenarios

/// The sweep's and the plan's files: the same bytes whatever the parallelism, one CSV row per run
/// or level, well-formed SVG, and no timings.
@Suite(.serialized) struct SweepPlanFilesTests {
    static let yaml = """
        name: files-tune
        duration: 20m
        load: { tasks_per_day: 20000, arrival: constant }
        stack: { retry: { attempts: 2, min: 100ms, max: 1s, jitter: full }, breaker: off }
        llm:
          latency: 200ms
          faults: [ { rate: 5%, status: 503 } ]
          rate_limits: { "*": { rpm: 60, rpd: 50000 } }
        expect:
          success_rate: ">= 99%"
        """

    func temp() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("squall-files-tune-\(UUID().uuidString)")
    }

    func files(_ dir: URL) throws -> [String: Data] {
        var out: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: dir.path) {
            out[name] = try Data(contentsOf: dir.appendingPathComponent(name))
        }
        return out
    }

    @Test func sweepFilesAreTheSameBytesWhateverTheParallelism() async throws {
        let node = try ConfigNode.parse(Self.yaml, file: "s.yaml")
        let plan = try SweepPlan.build(
            document: node, base: try ScenarioLoader.decode(node),
            overrides: SweepOverrides(
                parameters: [
                    try SweepParameter.parseFlag("stack.retry.attempts=1..3"), try SweepParameter.parseFlag("stack.retry.jitter=none,full"),
                ],
                seeds: 2))
        let a = temp()
        let b = temp()
        defer {
            try? FileManager.default.removeItem(at: a)
            try? FileManager.default.removeItem(at: b)
        }
        let one = try SweepFiles.write(try await Sweeper.run(plan, runner: BatchRunner(parallelism: 1)), root: a)
        let two = try SweepFiles.write(try await Sweeper.run(plan, runner: BatchRunner(parallelism: 3)), root: b)
        let x = try files(one)
        let y = try files(two)
        #expect(Set(x.keys) == ["sweep.md", "sweep.csv", "sweep.json", "effect-stack.retry.attempts.svg", "effect-stack.retry.jitter.svg"])
        #expect(x == y)
        let csv = CSV.parse(String(decoding: x["sweep.csv"]!, as: UTF8.self))
        #expect(csv.count == 1 + 12)
        #expect(csv[0].prefix(6) == ["configuration", "index", "seed", "stack.retry.attempts", "stack.retry.jitter", "passed"])
        #expect(csv[1].prefix(6) == ["c00", "0", "1", "1", "none", "false"])
        let report = try ScenarioResult.makeDecoder().decode(SweepReport.self, from: x["sweep.json"]!)
        #expect(report.schemaVersion == 1 && report.runs.count == 12 && report.configurations.count == 6)
        for (name, data) in x where name.hasSuffix(".svg") {
            let svg = String(decoding: data, as: UTF8.self)
            #expect(svg.hasPrefix("<?xml") && svg.hasSuffix("</svg>\n") && !svg.contains("nan"), "\(name)")
        }
    }

    @Test func planFilesHoldEveryLevelAndProbe() async throws {
        let text = Self.yaml.replacingOccurrences(of: "attempts: 2", with: "attempts: 4")
        let n2 = try ConfigNode.parse(text, file: "p.yaml")
        let plan = try CapacityPlan.build(
            document: n2, base: try ScenarioLoader.decode(n2),
            flags: PlanSpec(load: try LoadRange.parse("20k..200k/day"), steps: 3, peakFactor: 1.5, replicaConcurrency: 4, seeds: 1))
        let report = try await Planner.run(plan, runner: BatchRunner(parallelism: 2))
        let dir = temp()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = try PlanFiles.write(report, root: dir)
        let x = try files(out)
        #expect(Set(x.keys) == ["plan.md", "plan.csv", "plan.json", "plan-slo.svg"])
        let csv = CSV.parse(String(decoding: x["plan.csv"]!, as: UTF8.self))
        #expect(csv.count == 1 + report.levels.count + report.bisection.count)
        #expect(Set(csv.map(\.count)).count == 1)
        let md = String(decoding: x["plan.md"]!, as: UTF8.self)
        #expect(md.contains("## Where the expectations stop holding") && md.contains("](plan-slo.svg)"))
        #expect(md.contains("RPD"))
        let decoded = try ScenarioResult.makeDecoder().decode(PlanReport.self, from: x["plan.json"]!)
        #expect(decoded == report)
        // One simulation at a time gives the same bytes, and rewriting swaps the set in whole.
        let serial = try await Planner.run(plan, runner: BatchRunner(parallelism: 1))
        #expect(try files(try PlanFiles.write(serial, root: dir)) == x)
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.deletingLastPathComponent().path) == [out.lastPathComponent])
    }

    @Test func aSweepSetIsSwappedInWholeAndAForeignFileStopsIt() throws {
        let node = try ConfigNode.parse(Self.yaml, file: "s.yaml")
        let base = try ScenarioLoader.decode(node)
        func report(_ flags: [String]) throws -> SweepReport {
            let plan = try SweepPlan.build(
                document: node, base: base,
                overrides: SweepOverrides(parameters: try flags.map { try SweepParameter.parseFlag($0) }, seeds: 1))
            return Sweeper.report(plan, runs: [], incomplete: true, reason: "not run")
        }
        let root = temp()
        defer { try? FileManager.default.removeItem(at: root) }
        let dir = try SweepFiles.write(try report(["stack.retry.attempts=1,2", "stack.retry.jitter=none,full"]), root: root)
        #expect(try files(dir).keys.contains("effect-stack.retry.jitter.svg"))
        _ = try SweepFiles.write(try report(["stack.retry.attempts=1,2"]), root: root)
        #expect(Set(try files(dir).keys) == ["sweep.md", "sweep.csv", "sweep.json", "effect-stack.retry.attempts.svg"])
        let siblings = try FileManager.default.contentsOfDirectory(atPath: dir.deletingLastPathComponent().path)
        #expect(siblings == [dir.lastPathComponent], "no staging directory is left behind")
        try Data("mine".utf8).write(to: dir.appendingPathComponent("notes.txt"))
        #expect(throws: ReportWriteError.self) { try SweepFiles.write(try report(["stack.retry.attempts=3"]), root: root) }
        #expect(try files(dir).keys.contains("notes.txt") && files(dir).keys.contains("effect-stack.retry.attempts.svg"))
    }
}
