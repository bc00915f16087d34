import Foundation
import MockLLM
import Testing

/// `squall run --mode live --shard I/N` with real processes (issue #13): N shard processes drive
/// one mock (external to them) together — joining one run, each sending its keys' submissions and
/// counting its keys' calls — and `squall merge` writes the report set with the verdict. Over a
/// healthy mock the merged counts equal the unsharded live run's (N = 1, 2, 3). What cannot be
/// sharded is exit 2 before anything runs, naming the flag or the expectation.
@Suite(.serialized) struct LiveRunShardProcessTests {
    static let scenario = """
        name: live-shard-cli
        mode: live
        seed: 5
        duration: 5m
        time_scale: 100
        load: { tasks_per_day: 50000, duplicates: { rate: 15%, delay: 2m..4m } }
        stack:
          timeout: 10m
          retry: { attempts: 3, min: 1s, max: 4s }
          idempotency: { ttl: 1h }
        llm:
          latency: 50ms
        expect:
          success_rate: ">= 99%"
          duplicate_executions: 0
        """

    static func json(_ dir: URL, _ path: String) throws -> [String: Any] {
        let data = try Data(contentsOf: dir.appendingPathComponent(path))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// The figures that must agree: every count, not timings (latencies, fidelity, end time).
    static func counts(_ s: [String: Any]) throws -> String {
        let usage = s["usage"] as? [String: Any] ?? [:]
        let attempts = s["attempts"] as? [String: Any] ?? [:]
        let picked: [String: Any] = [
            "totals": s["totals"] ?? NSNull(), "duplicates": s["duplicates"] ?? NSNull(),
            "failures_by_cause": s["failures_by_cause"] ?? NSNull(), "attempt_outcomes": s["attempt_outcomes"] ?? NSNull(),
            "llm_calls": usage["llm_calls"] ?? NSNull(), "prompt_tokens": usage["prompt_tokens"] ?? NSNull(),
            "executions": usage["executions"] ?? NSNull(), "histogram": attempts["histogram"] ?? NSNull(),
        ]
        let data = try JSONSerialization.data(withJSONObject: picked, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    @Test func oneTwoAndThreeShardProcessesMergeIntoTheUnshardedCounts() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.scenario.write(to: dir.appendingPathComponent("s.yaml"), atomically: true, encoding: .utf8)
        var config = MockServerConfig()
        config.port = 0
        config.threads = 1
        let mock = try await MockServer.start(config)
        defer { Task { await mock.stop() } }

        let whole = try ChildProcess(["run", "s.yaml", "--llm-url", mock.url, "--out", "whole"], in: dir)
        let wholeCode = await whole.exitCode()
        #expect(wholeCode == 0, "stdout: \(whole.stdout) stderr: \(whole.stderr)")
        let expected = try Self.counts(try Self.json(dir, "whole/live-shard-cli/summary.json"))
        let wholeRows = try String(contentsOf: dir.appendingPathComponent("whole/live-shard-cli/tasks.csv"), encoding: .utf8)
            .split(separator: "\n").count

        for n in 1...3 {
            let shards = try (0..<n).map { i in
                // The last shard of three reads its index as a Kubernetes Indexed Job's pod does.
                n == 3 && i == 2
                    ? try ChildProcess(
                        ["run", "s.yaml", "--llm-url", mock.url, "--shards", "3", "--run-id", "pipeline-\(n)", "--start-delay", "1s",
                         "--out", "parts\(n)"], in: dir, set: ["JOB_COMPLETION_INDEX": "2"])
                    : try ChildProcess(
                        ["run", "s.yaml", "--llm-url", mock.url, "--shard", "\(i)/\(n)", "--run-id", "pipeline-\(n)", "--start-delay", "1s",
                         "--out", "parts\(n)"], in: dir)
            }
            for (i, shard) in shards.enumerated() {
                #expect(await shard.exitCode() == 0, "N=\(n) shard \(i) stdout: \(shard.stdout) stderr: \(shard.stderr)")
                #expect(shard.stdout.contains("shard \(i)/\(n): sent the submissions of"), "\(shard.stdout)")
            }
            let merge = try ChildProcess(["merge"] + (0..<n).map { "parts\(n)/part-\($0)-of-\(n)" } + ["--out", "merged\(n)"], in: dir)
            #expect(await merge.exitCode() == wholeCode, "N=\(n) stdout: \(merge.stdout) stderr: \(merge.stderr)")
            #expect(merge.stdout.contains("(live, run "), "\(merge.stdout)")
            let merged = try Self.json(dir, "merged\(n)/live-shard-cli/summary.json")
            #expect(try Self.counts(merged) == expected, "N=\(n)")
            #expect(merged["mode"] as? String == "live")
            let rows = try String(contentsOf: dir.appendingPathComponent("merged\(n)/live-shard-cli/tasks.csv"), encoding: .utf8)
                .split(separator: "\n").count
            #expect(rows == wholeRows, "N=\(n): one tasks.csv row per submission")
        }
        // A part of another run id does not belong with these: exit 2 naming it.
        let stray = try ChildProcess(
            ["run", "s.yaml", "--llm-url", mock.url, "--shard", "1/2", "--run-id", "other", "--start-delay", "0s", "--out", "stray"], in: dir)
        #expect(await stray.exitCode() == 0, "stderr: \(stray.stderr)")
        let mixed = try ChildProcess(["merge", "parts2/part-0-of-2", "stray/part-1-of-2", "--out", "mixed"], in: dir)
        #expect(await mixed.exitCode() == 2)
        #expect(mixed.stderr.contains("stray/part-1-of-2 does not belong"), "stderr: \(mixed.stderr)")
    }

    @Test func whatCannotBeShardedIsBadInputNamingTheFlagOrExpectation() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.scenario.write(to: dir.appendingPathComponent("s.yaml"), atomically: true, encoding: .utf8)
        let breaker = Self.scenario.replacingOccurrences(of: "  idempotency: { ttl: 1h }", with: "  idempotency: { ttl: 1h }\n  breaker: { failure_threshold: 5, window: 30s, recovery_timeout: 15s }")
            .replacingOccurrences(of: "  duplicate_executions: 0", with: "  duplicate_executions: 0\n  breaker: { calls_while_open: 0 }")
        try breaker.write(to: dir.appendingPathComponent("b.yaml"), atomically: true, encoding: .utf8)
        let url = "http://127.0.0.1:9"
        let cases: [([String], String)] = [
            (["run", "s.yaml", "--shard", "0/2", "--run-id", "x", "--out", "p"], "needs --llm-url"),
            (["run", "s.yaml", "--llm-url", url, "--mock-port", "7001", "--shard", "0/2", "--run-id", "x", "--out", "p"], "--mock-port"),
            (["run", "s.yaml", "--llm-url", url, "--shard", "0/2", "--out", "p"], "needs --run-id"),
            (["run", "s.yaml", "--llm-url", url, "--shard", "0/2", "--run-id", "a b", "--out", "p"], "--run-id 'a b'"),
            (["run", "s.yaml", "--llm-url", url, "--shard", "0/2", "--run-id", "x", "--start-delay", "11m", "--out", "p"], "--start-delay 11m"),
            (["run", "s.yaml", "--llm-url", url, "--shard", "0/2", "--run-id", "x", "--time-scale", "auto", "--out", "p"], "--time-scale auto"),
            (["run", "b.yaml", "--llm-url", url, "--shard", "0/2", "--run-id", "x", "--out", "p"], "breaker.calls_while_open cannot be judged"),
            (["run", "s.yaml", "--llm-url", url, "--run-id", "x", "--out", "p"], "--run-id applies only to a sharded live run"),
        ]
        for (arguments, message) in cases {
            let p = try ChildProcess(arguments, in: dir)
            #expect(await p.exitCode() == 2, "\(arguments): \(p.stderr)")
            #expect(p.stderr.contains(message), "\(arguments): \(p.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("p").path), "nothing was written")
    }
}
