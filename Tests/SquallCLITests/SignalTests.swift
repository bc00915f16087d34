import Foundation
import MockLLM
import Testing

/// SIGINT/SIGTERM sent to a real `squall` child process: the first stops the run and the report is
/// written marked incomplete (exit 4); a second exits at once (128 + N) and leaves no temporary file.
@Suite(.serialized) struct SignalTests {
    /// A live scenario (in-process mock, the in-process stack) that would run for a minute.
    static func liveScenario(latency: String) -> String {
        """
        name: interrupted-live
        description: Offered for a minute; interrupted in the middle.
        mode: live
        seed: 3
        duration: 60s
        load: { rate: 20/s, arrival: constant }
        stack: { timeout: 120s, retry: { attempts: 2, min: 10ms, max: 20ms }, breaker: { failure_threshold: 1000 } }
        llm: { latency: { fixed: \(latency) } }
        expect: { success_rate: ">= 99%" }
        """
    }

    /// Waits until the run has started: its report staging directory exists under `out`.
    static func waitForStaging(_ out: URL, _ child: ChildProcess) async -> Bool {
        for _ in 0..<3000 {
            if allPaths(under: out).contains(where: { $0.contains(".staging.") }) { return true }
            if !child.process.isRunning { return false }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return false
    }

    static func leftovers(_ out: URL) -> [String] {
        allPaths(under: out).filter { $0.contains(".staging.") || $0.hasSuffix(".tmp") }
    }

    @Test func sigintDuringALiveRunWritesTheReportMarkedIncompleteAndExits4() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.liveScenario(latency: "20ms").write(to: dir.appendingPathComponent("s.yaml"), atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("out")
        let child = try ChildProcess(["run", "s.yaml", "--out", out.path, "--grace", "2s"], in: dir)
        #expect(await Self.waitForStaging(out, child))
        try await Task.sleep(for: .milliseconds(500))
        child.send(SIGINT)
        #expect(await child.exitCode() == 4, "stderr: \(child.stderr)")
        let summary = try String(contentsOf: out.appendingPathComponent("interrupted-live/summary.json"), encoding: .utf8)
        #expect(summary.contains("\"incomplete\" : true"))
        #expect(summary.contains("interrupted by SIGINT"))
        let report = try String(contentsOf: out.appendingPathComponent("interrupted-live/report.md"), encoding: .utf8)
        #expect(report.contains("INCOMPLETE"))
        #expect(child.stdout.contains("INCOMPLETE interrupted-live"))
        #expect(child.stderr.contains("squall: SIGINT: stopping"))
        #expect(Self.leftovers(out).isEmpty)
    }

    @Test func aSecondSignalExitsAtOnceAndLeavesNoTemporaryFiles() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Every call takes a minute, so the tasks in flight hold the 10-minute grace period open.
        try Self.liveScenario(latency: "60s").write(to: dir.appendingPathComponent("s.yaml"), atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("out")
        let child = try ChildProcess(["run", "s.yaml", "--out", out.path, "--grace", "10m"], in: dir)
        #expect(await Self.waitForStaging(out, child))
        try await Task.sleep(for: .milliseconds(300))
        child.send(SIGTERM)
        #expect(await child.waitForOutput("SIGTERM: stopping"))
        child.send(SIGTERM)
        #expect(await child.exitCode(limit: .seconds(30)) == 128 + SIGTERM, "stderr: \(child.stderr)")
        #expect(child.stderr.contains("SIGTERM again: exiting at once"))
        #expect(Self.leftovers(out).isEmpty, "left: \(Self.leftovers(out))")
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("interrupted-live").path))
    }

    /// The pids of running `redis-server` processes whose parent is `parent` (from /proc).
    static func redisChildren(of parent: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { Int32($0) }.filter { pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return false }
            // After "pid (comm)": state, then ppid.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 2, Int32(fields[1]) == parent, fields[0] != "Z" else { return false }
            return stat.contains("(redis-server)")
        }
    }

    static func isAlive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
        guard let close = stat.lastIndex(of: ")") else { return false }
        return !stat[stat.index(after: close)...].hasPrefix(" Z")
    }

    @Test(.enabled(if: RedisProvisionCheck.redisServerOnPath, "needs redis-server on PATH (scripts/setup installs it)"))
    func aSecondSignalAlsoStopsTheRedisServerTheRunStarted() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Two replicas share a Redis; with no Redis named in the environment the run starts its own
        // redis-server child. Every call takes a minute, so the grace period stays open.
        let scenario = """
            name: interrupted-replicas
            mode: live
            time_scale: 1
            seed: 5
            duration: 60s
            load: { rate: 5/s, arrival: constant }
            stack: { timeout: 120s, retry: { attempts: 1 }, idempotency: { ttl: 1h } }
            llm: { latency: { fixed: 60s } }
            service: { replicas: 2, redis: true, workers: 8 }
            expect: { success_rate: ">= 99%" }
            """
        try scenario.write(to: dir.appendingPathComponent("s.yaml"), atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("out")
        let child = try ChildProcess(
            ["run", "s.yaml", "--out", out.path, "--grace", "10m"], in: dir, unset: ["SQUALL_REDIS_URL", "SQUALL_TEST_REDIS_URL"])
        #expect(await Self.waitForStaging(out, child), "stderr: \(child.stderr)")
        var redis: [Int32] = []
        for _ in 0..<500 where redis.isEmpty {
            redis = Self.redisChildren(of: child.process.processIdentifier)
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(redis.count == 1, "redis-server children: \(redis)")
        child.send(SIGTERM)
        #expect(await child.waitForOutput("SIGTERM: stopping"))
        child.send(SIGTERM)
        #expect(await child.exitCode(limit: .seconds(30)) == 128 + SIGTERM, "stderr: \(child.stderr)")
        #expect(child.stderr.contains("1 child process stopped"), "stderr: \(child.stderr)")
        // The orphan would be re-parented and keep running; it must end (bounded wait).
        for pid in redis {
            var alive = Self.isAlive(pid)
            for _ in 0..<500 where alive {
                try await Task.sleep(for: .milliseconds(10))
                alive = Self.isAlive(pid)
            }
            #expect(!alive, "redis-server \(pid) outlived squall")
        }
    }

    @Test func sigtermDuringASimulationWritesTheReportMarkedIncomplete() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        // Six hours at 2/s (43,200 tasks, seconds of a debug build even on a loaded machine). The signal is
        // sent as the run starts (its staging directory appears); the simulator stops when its
        // task is cancelled (or, before it checks for cancellation, finishes) and the report is marked incomplete.
        let yaml = """
            name: interrupted-sim
            seed: 5
            duration: 6h
            load: { rate: 2/s }
            expect: { success_rate: ">= 99%" }
            """
        try yaml.write(to: dir.appendingPathComponent("s.yaml"), atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("out")
        let child = try ChildProcess(["run", "s.yaml", "--out", out.path], in: dir)
        #expect(await Self.waitForStaging(out, child))
        child.send(SIGTERM)
        #expect(await child.exitCode(limit: .seconds(300)) == 4, "stderr: \(child.stderr)")
        let summary = try String(contentsOf: out.appendingPathComponent("interrupted-sim/summary.json"), encoding: .utf8)
        #expect(summary.contains("\"incomplete\" : true"))
        #expect(Self.leftovers(out).isEmpty)
    }

    static func startMock(latency: String) async throws -> MockServer {
        var c = MockServerConfig()
        c.port = 0
        c.threads = 1
        let yaml = "latency: \(latency)\n"
        c.profile = try FaultProfile.parse(yaml, file: "test-profile.yaml")
        c.profileText = yaml
        return try await MockServer.start(c)
    }

    @Test func sigtermDuringLoadStopsOfferingPrintsTheSummaryAndExits4() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let mock = try await Self.startMock(latency: "5ms")
        defer { Task { await mock.stop() } }
        let child = try ChildProcess(
            ["load", "--target", "stack", "--url", mock.url, "--rate", "50/s", "--duration", "60s", "--csv", "tasks.csv"], in: dir)
        for _ in 0..<3000 where mock.state.stats.total < 10 && child.process.isRunning {
            try await Task.sleep(for: .milliseconds(10))
        }
        child.send(SIGTERM)
        #expect(await child.exitCode() == 4, "stderr: \(child.stderr)")
        #expect(child.stdout.contains("interrupted by SIGTERM"))
        #expect(child.stdout.contains("tasks: "))
        let rows = try String(contentsOf: dir.appendingPathComponent("tasks.csv"), encoding: .utf8).split(separator: "\n")
        #expect(rows.count >= 10)  // the header and the 9 tasks the mock saw besides the preflight
        #expect(rows.count < 3000)
    }

    @Test func aSecondSignalDuringLoadExitsAtOnce() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let mock = try await Self.startMock(latency: "60s")
        defer { Task { await mock.stop() } }
        let child = try ChildProcess(
            ["load", "--target", "raw", "--url", mock.url, "--rate", "20/s", "--duration", "60s", "--grace", "10m"], in: dir)
        for _ in 0..<3000 where mock.state.stats.total < 5 && child.process.isRunning {
            try await Task.sleep(for: .milliseconds(10))
        }
        child.send(SIGINT)
        #expect(await child.waitForOutput("SIGINT: stopping"))
        child.send(SIGINT)
        #expect(await child.exitCode(limit: .seconds(30)) == 128 + SIGINT)
    }
}

/// Whether `redis-server` is on PATH (the test that needs the run to start its own Redis).
enum RedisProvisionCheck {
    static var redisServerOnPath: Bool {
        (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").contains {
            FileManager.default.isExecutableFile(atPath: "\($0)/redis-server")
        }
    }
}
