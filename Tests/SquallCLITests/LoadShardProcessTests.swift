import Foundation
import LoadGen
import MockLLM
import Testing

/// `squall load --shard` with real processes (issue #13): two shard processes offer their slices
/// of one schedule to one loopback mock at the same time, and `squall merge` adds them up: the
/// merged counts are the sum of both shards' records, and `--expect` is evaluated on the merge
/// (its exit code is the verdict; a shard never gives one).
@Suite(.serialized) struct LoadShardProcessTests {
    static func load(_ shard: Int, url: String, expect: String) -> [String] {
        [
            "load", "--target", "raw", "--url", url, "--rate", "200/s", "--tasks", "200", "--shard", "\(shard)/2", "--out", "parts",
            "--csv", "shard-\(shard).csv", "--expect", expect,
        ]
    }

    @Test func twoShardProcessesAgainstOneMockMergeTheirCounts() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var config = MockServerConfig()
        config.port = 0
        config.threads = 1
        config.profile = try FaultProfile.parse("latency: 1ms", file: "load-shard")
        let server = try await MockServer.start(config)
        defer { Task { await server.stop() } }

        let shards = try (0..<2).map { try ChildProcess(Self.load($0, url: server.url, expect: "success_rate>=99%"), in: dir) }
        for (i, shard) in shards.enumerated() {
            #expect(await shard.exitCode() == 0, "shard \(i) stderr: \(shard.stderr)")
            #expect(shard.stdout.contains("shard \(i)/2: offered 100 of the schedule's 200 originals"), "\(shard.stdout)")
        }
        let merge = try ChildProcess(["merge", "parts/part-0-of-2", "parts/part-1-of-2", "--out", "merged"], in: dir)
        #expect(await merge.exitCode() == 0, "stderr: \(merge.stderr)")
        #expect(merge.stdout.contains("ok   success_rate>=99%"), "\(merge.stdout)")
        let data = try Data(contentsOf: dir.appendingPathComponent("merged/load/load.json"))
        let merged = try JSONDecoder().decode(LoadSummary.self, from: data)
        var rows = 0
        var indices = Set<Int>()
        for i in 0..<2 {
            let lines = try String(contentsOf: dir.appendingPathComponent("shard-\(i).csv"), encoding: .utf8).split(separator: "\n").dropFirst()
            rows += lines.count
            for l in lines { indices.insert(Int(l.split(separator: ",")[0])!) }
        }
        #expect(merged.recorded == rows && merged.offered == 200)
        #expect(indices == Set(0..<200))
        #expect(merged.latencyMicros.totalCount == UInt64(rows))
        #expect(server.state.stats.completions == 200)

        // A threshold that cannot hold fails on the merge: exit 1.
        let tight = try (0..<2).map { try ChildProcess(Self.load($0, url: server.url, expect: "latency_p50<1us") + ["--seed", "2"], in: dir) }
        for t in tight { #expect(await t.exitCode() == 0, "stderr: \(t.stderr)") }
        let failing = try ChildProcess(["merge", "parts/part-0-of-2", "parts/part-1-of-2", "--out", "m3"], in: dir)
        #expect(await failing.exitCode() == 1, "stdout: \(failing.stdout) stderr: \(failing.stderr)")
    }

    @Test func aShardedLoadNeedsOutAndASharedTarget() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let noOut = try ChildProcess(["load", "--target", "raw", "--url", "http://127.0.0.1:9", "--rate", "1/s", "--tasks", "2", "--shard", "0/2"], in: dir)
        #expect(await noOut.exitCode() == 2)
        #expect(noOut.stderr.contains("--out"), "\(noOut.stderr)")
        let stack = try ChildProcess(
            ["load", "--target", "stack", "--url", "http://127.0.0.1:9", "--rate", "1/s", "--tasks", "2", "--shard", "0/2", "--out", "p"],
            in: dir)
        #expect(await stack.exitCode() == 2)
        #expect(stack.stderr.contains("--target stack"), "\(stack.stderr)")
    }
}
