import Foundation
import Histogram
import LoadGen
import MockLLM
import Reliability
import Testing
import Traffic

@testable import Scenarios

/// `squall load --shard I/N` (issue #13): two shards of one open-loop schedule, run side by side
/// against one loopback mock, offer disjoint slices whose union is the schedule (each original
/// with its duplicates, keeping its unsharded index); their parts merge to counts that are the sum
/// of every record and latency histograms equal to a histogram of all records.
@Suite("Sharded loads", .serialized) struct LoadShardTests {
    static let tasks = 240

    static func options(url: String, shard: Shard?) throws -> LoadRunOptions {
        var o = LoadRunOptions(
            target: .raw, url: url, model: .open(try ArrivalSchedule.constant(rate: 400)), limit: ArrivalLimit(count: tasks),
            timeScale: 1, seed: 3, duplicates: DuplicatePlan(fraction: 0.05, delay: DurationRange(.zero, .milliseconds(50))), collectRecords: true)
        o.shard = shard
        o.runID = "shardtst"
        return o
    }

    @Test func twoShardsSplitTheScheduleAndMergeExactly() async throws {
        var config = MockServerConfig()
        config.port = 0
        config.threads = 1
        config.profile = try FaultProfile.parse("latency: 2ms\nfaults: [ { rate: 10%, status: 503 } ]", file: "shard-profile")
        let server = try await MockServer.start(config)
        let client = try CurlLoadClient(maxConnections: 16)
        let url = server.url
        async let a = LoadRun.run(try Self.options(url: url, shard: try Shard(index: 0, count: 2)), client: client)
        async let b = LoadRun.run(try Self.options(url: url, shard: try Shard(index: 1, count: 2)), client: client)
        let results = try await [a, b]
        await client.shutdown()
        await server.stop()

        // Disjoint slices of the one schedule; every original of it offered exactly once.
        let originals = results.map { Set($0.records.filter { $0.task.duplicate == nil }.map(\.task.index)) }
        #expect(originals[0].isDisjoint(with: originals[1]))
        #expect(originals[0].union(originals[1]) == Set(0..<Self.tasks))
        #expect(originals[0].allSatisfy { $0 % 2 == 0 } && originals[1].allSatisfy { $0 % 2 == 1 })
        let duplicates = results.flatMap(\.records).filter { $0.task.duplicate != nil }
        #expect(!duplicates.isEmpty)

        let root = FileManager.default.temporaryDirectory.appendingPathComponent("squall-loadshard-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let inputs = PartInputs(scenarios: [], load: LoadPartSettings(arguments: ["--rate", "400/s"], expect: ["failures<=0"]))
        var dirs: [String] = []
        for (i, r) in results.enumerated() {
            let (dir, manifest) = try LoadPart.write(
                r.summary, root: root, shard: try Shard(index: i, count: 2), scheduled: Self.tasks, inputs: inputs, stopReason: nil)
            #expect(!manifest.incomplete && manifest.runs.written == Self.tasks / 2)
            dirs.append(dir.path)
        }
        let merged = try PartMerge.load(try PartSet.open(dirs.reversed()))
        let all = results.flatMap(\.records)
        #expect(merged.summary.recorded == all.count)
        #expect(merged.summary.offered == Self.tasks)
        #expect(merged.summary.calls == all.reduce(0) { $0 + $1.result.calls })
        var byStatus: [RecordStatus: Int] = [:]
        for r in all { byStatus[r.result.status, default: 0] += 1 }
        #expect(merged.summary.byStatus == byStatus)
        // The merged histogram is the histogram of every record (the recorder's microseconds).
        var latency = Histogram<UInt64>(numberOfSignificantValueDigits: .three)
        latency.autoResize = true
        for r in all where r.result.status != .dropped { _ = latency.record(UInt64(max(0, r.latency.seconds * 1e6).rounded())) }
        #expect(merged.summary.latencyMicros.totalCount == latency.totalCount)
        #expect(Array(merged.summary.latencyMicros.recordedValues().map { [$0.value, $0.count] })
            == Array(latency.recordedValues().map { [$0.value, $0.count] }))
        // The threshold is evaluated on the merge (10% of calls fail: some task fails).
        #expect(merged.verdicts.count == 1)
        #expect(merged.verdicts[0].passed == ((byStatus[.failed] ?? 0) == 0))
    }

    @Test func loadPartsOfDifferentArgumentsDoNotBelongTogether() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("squall-loadshard-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let summary = LoadRecorderSummaries.empty()
        let a = PartInputs(scenarios: [], load: LoadPartSettings(arguments: ["--rate", "400/s"], expect: []))
        let b = PartInputs(scenarios: [], load: LoadPartSettings(arguments: ["--rate", "500/s"], expect: []))
        let (d0, _) = try LoadPart.write(summary, root: root, shard: try Shard(index: 0, count: 2), scheduled: 0, inputs: a, stopReason: nil)
        let (d1, _) = try LoadPart.write(summary, root: root, shard: try Shard(index: 1, count: 2), scheduled: 0, inputs: b, stopReason: nil)
        #expect(throws: ShardPartError.self) { try PartSet.open([d0.path, d1.path]) }
        #expect(LoadPartSettings.identity(["--rate", "4/s", "--shard", "0/2", "--out=p", "--csv", "x.csv", "--seed", "2"]) == ["--rate", "4/s", "--seed", "2"])
    }
}

/// An empty load summary.
enum LoadRecorderSummaries {
    static func empty() -> LoadSummary {
        (try! LoadRecorder()).summary(target: "raw", timeScale: 1, realElapsed: .zero, offered: 0, breaker: nil)
    }
}
