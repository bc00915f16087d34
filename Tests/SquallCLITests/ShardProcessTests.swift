import Foundation
import Testing

/// The whole sharded flow with real processes on this machine, as a Kubernetes Indexed Job runs
/// it: N `squall audit --shards N` processes (each with its JOB_COMPLETION_INDEX) write their
/// parts, `squall merge` puts them together, and the merged audit is the unsharded one, byte for
/// byte, with the unsharded exit code. Shard exit codes are 0 (part written) or 2 (bad input).
@Suite(.serialized) struct ShardProcessTests {
    static let scenario = """
        name: shard-cli
        duration: 30m
        load: { tasks_per_day: 20000 }
        stack:
          retry: { attempts: 3, min: 1s, max: 4s, jitter: full }
          breaker: { failure_threshold: 5, window: 30s, recovery_timeout: 15s }
        llm:
          latency: 300ms
          faults: [ { during: 10m..15m, status: 503 } ]
        expect:
          breaker: { calls_while_open: 0 }
        guards: [no_breaker]
        """

    static let audit = ["audit", "s.yaml", "--seeds", "4", "--mutant-seeds", "2", "--mutants", "listed", "--jobs", "1"]

    @Test func twoShardProcessesMergeIntoTheUnshardedAudit() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.scenario.write(to: dir.appendingPathComponent("s.yaml"), atomically: true, encoding: .utf8)

        let whole = try ChildProcess(Self.audit + ["--out", "whole"], in: dir)
        let wholeCode = await whole.exitCode()
        #expect(wholeCode == 0 || wholeCode == 1, "stderr: \(whole.stderr)")

        let shards = try (0..<2).map { i in
            try ChildProcess(Self.audit + ["--shards", "2", "--out", "parts"], in: dir, set: ["JOB_COMPLETION_INDEX": "\(i)"])
        }
        for (i, shard) in shards.enumerated() {
            #expect(await shard.exitCode() == 0, "shard \(i) stderr: \(shard.stderr)")
            #expect(shard.stdout.contains("shard \(i)/2:"))
        }
        let parts = ["parts/part-0-of-2", "parts/part-1-of-2"]
        let merge = try ChildProcess(["merge"] + parts + ["--out", "merged"], in: dir)
        #expect(await merge.exitCode() == wholeCode, "stderr: \(merge.stderr)")
        let a = try Data(contentsOf: dir.appendingPathComponent("whole/audit/audit.json"))
        let b = try Data(contentsOf: dir.appendingPathComponent("merged/audit/audit.json"))
        #expect(a == b)

        // One part short: exit 2 naming the missing shard; nothing is written.
        let short = try ChildProcess(["merge", parts[0], "--out", "short"], in: dir)
        #expect(await short.exitCode() == 2)
        #expect(short.stderr.contains("shard 1 of 2 missing"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("short").path))
    }

    @Test func aShardWithoutItsIndexIsBadInput() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.scenario.write(to: dir.appendingPathComponent("s.yaml"), atomically: true, encoding: .utf8)
        let child = try ChildProcess(Self.audit + ["--shards", "2"], in: dir, unset: ["JOB_COMPLETION_INDEX"])
        #expect(await child.exitCode() == 2)
        #expect(child.stderr.contains("JOB_COMPLETION_INDEX is not set"))
    }

    @Test func aSignalStopsAShardWhosePartIsWrittenMarkedIncomplete() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // A long audit (hundreds of runs one at a time) stopped early by SIGINT.
        let child = try ChildProcess(
            ["audit", "provider-outage-breaker", "--seeds", "200", "--jobs", "1", "--shard", "0/2", "--out", "parts"], in: dir)
        let summaries = dir.appendingPathComponent("parts/part-0-of-2/summaries.jsonl")
        var started = false
        for _ in 0..<3000 where !started {
            started = ((try? Data(contentsOf: summaries))?.count ?? 0) > 0
            if !child.process.isRunning { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(started, "stderr: \(child.stderr)")
        child.send(SIGINT)
        #expect(await child.exitCode(limit: .seconds(60)) == 4, "stderr: \(child.stderr)")
        let manifest = try String(contentsOf: dir.appendingPathComponent("parts/part-0-of-2/manifest.json"), encoding: .utf8)
        #expect(manifest.contains("\"incomplete\" : true"))
        #expect(manifest.contains("interrupted by SIGINT"))
    }
}

/// `squall sweep --shards N` processes and `squall merge`: the unsharded sweep's files, byte for byte.
@Suite(.serialized) struct SweepShardProcessTests {
    @Test func twoSweepShardsMergeIntoTheUnshardedSweep() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try ShardProcessTests.scenario.write(to: dir.appendingPathComponent("s.yaml"), atomically: true, encoding: .utf8)
        let sweep = ["sweep", "s.yaml", "--vary", "stack.retry.attempts=2,3", "--seeds", "2", "--jobs", "1"]
        let whole = try ChildProcess(sweep + ["--out", "whole"], in: dir)
        let wholeCode = await whole.exitCode()
        #expect(wholeCode == 0 || wholeCode == 1, "stderr: \(whole.stderr)")
        let shards = try (0..<2).map { i in
            try ChildProcess(sweep + ["--shards", "2", "--out", "parts"], in: dir, set: ["JOB_COMPLETION_INDEX": "\(i)"])
        }
        for shard in shards { #expect(await shard.exitCode() == 0, "stderr: \(shard.stderr)") }
        let merge = try ChildProcess(["merge", "parts/part-0-of-2", "parts/part-1-of-2", "--out", "merged"], in: dir)
        #expect(await merge.exitCode() == wholeCode, "stderr: \(merge.stderr)")
        for file in ["sweep.json", "sweep.csv", "sweep.md"] {
            let a = try Data(contentsOf: dir.appendingPathComponent("whole/sweep/shard-cli/\(file)"))
            let b = try Data(contentsOf: dir.appendingPathComponent("merged/sweep/shard-cli/\(file)"))
            #expect(a == b, "\(file)")
        }
    }
}
