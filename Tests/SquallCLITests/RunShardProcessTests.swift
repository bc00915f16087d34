import Foundation
import Testing

/// `squall run --shard` with real processes (issue #13): three shard processes of one simulated
/// run write their parts, `squall merge` writes the report set, and its summary.json is the
/// unsharded run's byte for byte, with the unsharded exit code; tasks.csv holds the same rows.
/// Parts of another seed do not merge with these (exit 2, naming the part).
@Suite(.serialized) struct RunShardProcessTests {
    static let scenario = """
        name: run-shard-cli
        duration: 30m
        load: { tasks_per_day: 20000, duplicates: { rate: 5%, delay: 10s } }
        stack:
          retry: { attempts: 3, min: 1s, max: 4s, jitter: full }
          breaker: { failure_threshold: 5, window: 30s, recovery_timeout: 15s }
          idempotency: { ttl: 1h }
        llm:
          latency: 300ms
          faults: [ { during: 10m..15m, status: 503 } ]
        expect:
          breaker: { calls_while_open: 0 }
          before: { success_rate: ">= 99%" }
        """

    @Test func threeShardProcessesMergeIntoTheUnshardedReport() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.scenario.write(to: dir.appendingPathComponent("s.yaml"), atomically: true, encoding: .utf8)

        let whole = try ChildProcess(["run", "s.yaml", "--out", "whole"], in: dir)
        let wholeCode = await whole.exitCode()
        #expect(wholeCode == 0 || wholeCode == 1, "stderr: \(whole.stderr)")
        let shards = try (0..<3).map { i in try ChildProcess(["run", "s.yaml", "--shard", "\(i)/3", "--out", "parts"], in: dir) }
        for (i, shard) in shards.enumerated() {
            #expect(await shard.exitCode() == 0, "shard \(i) stderr: \(shard.stderr)")
        }
        let parts = (0..<3).map { "parts/part-\($0)-of-3" }
        let merge = try ChildProcess(["merge"] + parts + ["--out", "merged"], in: dir)
        #expect(await merge.exitCode() == wholeCode, "stderr: \(merge.stderr)")
        let a = try Data(contentsOf: dir.appendingPathComponent("whole/run-shard-cli/summary.json"))
        let b = try Data(contentsOf: dir.appendingPathComponent("merged/run-shard-cli/summary.json"))
        #expect(a == b)
        let rowsA = try String(contentsOf: dir.appendingPathComponent("whole/run-shard-cli/tasks.csv"), encoding: .utf8)
        let rowsB = try String(contentsOf: dir.appendingPathComponent("merged/run-shard-cli/tasks.csv"), encoding: .utf8)
        #expect(rowsA.split(separator: "\n").sorted() == rowsB.split(separator: "\n").sorted())

        // A part of another seed does not belong: exit 2 naming it.
        let other = try ChildProcess(["run", "s.yaml", "--seed", "9", "--shard", "2/3", "--out", "other"], in: dir)
        #expect(await other.exitCode() == 0, "stderr: \(other.stderr)")
        let mixed = try ChildProcess(["merge", parts[0], parts[1], "other/part-2-of-3", "--out", "mixed"], in: dir)
        #expect(await mixed.exitCode() == 2)
        #expect(mixed.stderr.contains("other/part-2-of-3 does not belong"), "stderr: \(mixed.stderr)")
    }

    @Test func aLiveScenarioOrTwoScenariosCannotBeSharded() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.scenario.write(to: dir.appendingPathComponent("s.yaml"), atomically: true, encoding: .utf8)
        let live = try ChildProcess(["run", "s.yaml", "--mode", "live", "--shard", "0/2", "--out", "p"], in: dir)
        #expect(await live.exitCode() == 2)
        #expect(live.stderr.contains("--shard"), "stderr: \(live.stderr)")
        let two = try ChildProcess(["run", "s.yaml", "provider-outage-breaker", "--shard", "0/2", "--out", "p"], in: dir)
        #expect(await two.exitCode() == 2)
        #expect(two.stderr.contains("exactly one scenario"), "stderr: \(two.stderr)")
    }
}
