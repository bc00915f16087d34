import Foundation
import Testing
import Traffic

@testable import Scenarios

/// Sharded batches and audits (issue #13): every shard runs its slice, writes a part, and the
/// merge of all parts gives exactly the unsharded result; parts that do not belong together, or
/// are torn or damaged, are refused naming the part.
@Suite(.serialized) struct ShardMergeTests {
    static let yaml = """
        name: shard-outage
        duration: 30m
        load: { tasks_per_day: 20000 }
        stack:
          retry: { attempts: 3, min: 1s, max: 4s, jitter: full }
          breaker: { failure_threshold: 5, window: 30s, recovery_timeout: 15s }
        llm:
          latency: 300ms
          faults: [ { during: 10m..15m, status: 503 }, { rate: 2%, status: 500 } ]
        expect:
          breaker: { calls_while_open: 0 }
          before: { success_rate: ">= 99%" }
        guards: [no_breaker, breaker_never_trips]

        """
    static let plan = AuditPlan(seeds: 5, mutantSeeds: 2, mutants: .listed)
    static let settings = AuditSettings(seeds: 5, mutantSeeds: 2, mutants: "listed")

    /// A scratch directory holding the scenario file (parts record the file's text).
    static func workspace() throws -> (URL, Scenario) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("squall-shard-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let file = dir.appendingPathComponent("outage.yaml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        return (dir, try ScenarioLoader.load(path: file.path))
    }

    static func json(_ report: AuditReport) throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return try e.encode(report)
    }

    /// Writes the N parts of the audit of `s` under `root`; returns their directories.
    static func writeParts(_ s: Scenario, count: Int, root: URL) async throws -> [String] {
        let inputs = PartInputs(scenarios: try PartInputs.recording([s]), audit: settings)
        let total = AuditAssembly([s], plan: plan).total
        var dirs: [String] = []
        for i in 0..<count {
            let shard = try Shard(index: i, count: count)
            let writer = try PartWriter(root: root, shard: shard)
            _ = try await Auditor.run([s], plan: plan, runner: BatchRunner(parallelism: 2), shard: shard, part: writer)
            // A signal that arrives after the last run does not make a whole part incomplete.
            let m = try writer.finish(command: .audit, total: total, inputs: inputs, stopReason: "interrupted by SIGTERM")
            #expect(!m.incomplete && m.runs.written == shard.size(of: total))
            dirs.append(writer.directory.path)
        }
        return dirs
    }

    @Test func theShardsOfABatchTogetherAreTheUnshardedBatch() async throws {
        let (dir, s) = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: dir) }
        let jobs = (1...11).map { BatchJob(configuration: "c", scenario: s, seed: UInt64($0)) }
        let whole = try await BatchRunner(parallelism: 2).summaries(jobs)
        for count in [1, 2, 3, 7] {
            var union: [RunSummary] = []
            for i in 0..<count {
                let shard = try Shard(index: i, count: count)
                var mine: [RunSummary] = []
                _ = try await BatchRunner(parallelism: 2).run(jobs, shard: shard) { mine.append($0) }
                #expect(mine.map(\.index) == (0..<jobs.count).filter { shard.contains($0) })
                union += mine
            }
            #expect(union.sorted { $0.index < $1.index } == whole, "\(count) shards")
        }
    }

    @Test(arguments: [1, 2, 3, 7])
    func aMergedShardedAuditIsTheUnshardedAuditByteForByte(count: Int) async throws {
        let (dir, s) = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: dir) }
        let whole = try await Auditor.run([s], plan: Self.plan, runner: BatchRunner(parallelism: 2))
        #expect(!whole.incomplete)
        let dirs = try await Self.writeParts(s, count: count, root: dir.appendingPathComponent("parts"))
        let merged = try PartMerge.audit(try PartSet.open(dirs.reversed()))  // any order of arguments
        #expect(try Self.json(merged) == (try Self.json(whole)))
    }

    func refusal(_ paths: [String]) -> String {
        do {
            let set = try PartSet.open(paths)
            _ = try PartMerge.audit(set)
            return ""
        } catch { return error.message }
    }

    @Test func partsThatDoNotMakeOneWholeAreRefusedNamingThePart() async throws {
        let (dir, s) = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: dir) }
        let parts = dir.appendingPathComponent("parts")
        let dirs = try await Self.writeParts(s, count: 3, root: parts)
        #expect(refusal([dirs[0], dirs[2]]).contains("shard 1 of 3 missing"))
        #expect(refusal([dirs[0], dirs[1], dirs[1], dirs[2]]).contains("shard 1/3 is given twice"))
        #expect(refusal([]).contains("no parts given"))
        #expect(refusal([parts.path + "/part-*-of-5"]).contains("no part matches this pattern"))
        #expect(refusal([dirs[0] + "/manifest.json"]).contains("not a part directory"))

        // Another shard count of the same audit.
        let other = try await Self.writeParts(s, count: 2, root: dir.appendingPathComponent("other"))
        #expect(refusal([dirs[0], other[1], dirs[2]]).contains("does not belong with"))

        // A torn part: its shard died before the manifest.
        let torn = dir.appendingPathComponent("torn")
        try FileManager.default.copyItem(atPath: dirs[1], toPath: torn.path)
        try FileManager.default.removeItem(at: torn.appendingPathComponent(PartManifest.fileName))
        #expect(refusal([dirs[0], torn.path, dirs[2]]).contains("a torn part"))

        // A damaged summaries file: a line cut off, or one run fewer than the manifest says.
        let summaries = URL(fileURLWithPath: dirs[2]).appendingPathComponent(PartManifest.summariesFile)
        let original = try Data(contentsOf: summaries)
        try original.dropLast().write(to: summaries)
        #expect(refusal(dirs).contains("the last line is cut off"))
        let lines = original.split(separator: 0x0A)
        try Data(lines.dropLast().joined(separator: [0x0A]) + [0x0A]).write(to: summaries)
        #expect(refusal(dirs).contains("but its manifest says"))
        try Data("{\"x\":1}\n".utf8).write(to: summaries)
        #expect(refusal(dirs).contains("\(PartManifest.summariesFile):1: not a run summary"))
        try original.write(to: summaries)
        #expect(refusal(dirs) == "")

        // A manifest that says it is complete but wrote fewer runs than its shard has.
        let m2 = URL(fileURLWithPath: dirs[1]).appendingPathComponent(PartManifest.fileName)
        let text2 = try String(contentsOf: m2, encoding: .utf8)
        let written = try #require(text2.range(of: #""written" : \d+"#, options: .regularExpression))
        try text2.replacingCharacters(in: written, with: "\"written\" : 1").write(to: m2, atomically: true, encoding: .utf8)
        #expect(refusal(dirs).contains("run counts do not add up"))
        try text2.write(to: m2, atomically: true, encoding: .utf8)

        // A run index beyond the command's runs (a damaged line that still decodes).
        let last = try #require(String(data: original, encoding: .utf8)?.split(separator: "\n").last.map(String.init))
        let beyond = last.replacingOccurrences(of: #""index":\d+"#, with: "\"index\":1000002", options: .regularExpression)
        try Data((lines.dropLast().map { String(decoding: $0, as: UTF8.self) } + [beyond]).joined(separator: "\n").utf8 + [0x0A])
            .write(to: summaries)
        #expect(refusal(dirs).contains("does not belong to shard"))
        try original.write(to: summaries)
        #expect(refusal(dirs) == "")

        // Another format version.
        let manifest = URL(fileURLWithPath: dirs[0]).appendingPathComponent(PartManifest.fileName)
        let text = try String(contentsOf: manifest, encoding: .utf8)
        try text.replacingOccurrences(of: "\"version\" : 1", with: "\"version\" : 2").write(to: manifest, atomically: true, encoding: .utf8)
        #expect(refusal(dirs).contains("version 2; this squall reads version 1"))
    }

    @Test func aRewrittenPartReplacesTheOldOneWhole() async throws {
        let (dir, s) = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: dir) }
        let root = dir.appendingPathComponent("parts")
        _ = try await Self.writeParts(s, count: 2, root: root)
        // A retried shard: the old manifest goes first, so a crash before the new one leaves a torn part.
        let writer = try PartWriter(root: root, shard: try Shard(index: 1, count: 2))
        #expect(!FileManager.default.fileExists(atPath: writer.directory.appendingPathComponent(PartManifest.fileName).path))
        let m = try writer.finish(
            command: .audit, total: AuditAssembly([s], plan: Self.plan).total,
            inputs: PartInputs(scenarios: try PartInputs.recording([s]), audit: Self.settings), stopReason: "interrupted by SIGINT")
        #expect(m.incomplete && m.runs.written == 0 && m.incompleteReason == "interrupted by SIGINT")
        let set = try PartSet.open([root.appendingPathComponent("part-0-of-2").path, writer.directory.path])
        #expect(set.incomplete)
        #expect(try PartMerge.audit(set).incomplete)
    }

    @Test(arguments: [1, 2, 3])
    func aMergedShardedSweepIsTheUnshardedSweep(count: Int) async throws {
        let (dir, s) = try Self.workspace()
        defer { try? FileManager.default.removeItem(at: dir) }
        let settings = SweepSettings(
            vary: ["stack.retry.attempts=2,3", "stack.breaker.failure_threshold=5,50"], sampling: nil, samples: nil, seeds: 2)
        let document = try ScenarioDocument.load(s.source)
        let plan = try settings.plan(document)
        #expect(plan.jobCount == 8)
        let whole = try await Sweeper.run(plan, runner: BatchRunner(parallelism: 2))
        let root = dir.appendingPathComponent("parts")
        let inputs = PartInputs(scenarios: try PartInputs.recording([plan.base]), sweep: settings)
        var dirs: [String] = []
        for i in 0..<count {
            let shard = try Shard(index: i, count: count)
            let writer = try PartWriter(root: root, shard: shard)
            _ = try await Sweeper.run(plan, runner: BatchRunner(parallelism: 2), shard: shard, part: writer)
            _ = try writer.finish(command: .sweep, total: plan.jobCount, inputs: inputs, stopReason: nil)
            dirs.append(writer.directory.path)
        }
        let merged = try PartMerge.sweep(try PartSet.open(dirs))
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        #expect(try e.encode(merged) == (try e.encode(whole)))
        // Parts of a sweep are not an audit's.
        #expect(throws: ShardPartError.self) { try PartMerge.audit(try PartSet.open(dirs)) }
    }
}
