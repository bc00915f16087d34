import AgentService
import CurlClient
import Foundation
import Glibc
import MockLLM
import RedisStore
import Reliability
import Testing

/// The service's edges (issue #12 item 6): health while Redis is down, and queued tasks at the end
/// of a drain in memory mode.
@Suite struct ServiceEdgeTests {
    /// A redis-server of this test's own on a free loopback port, killed and restarted at will.
    final class OwnRedis: @unchecked Sendable {
        let port: Int
        var process: Process?

        static var available: Bool { FileManager.default.isExecutableFile(atPath: path) }
        static var path: String {
            ["/usr/bin/redis-server", "/usr/local/bin/redis-server"].first { FileManager.default.isExecutableFile(atPath: $0) }
                ?? "/usr/bin/redis-server"
        }

        init() throws {
            // A free port: bind 0, read it, close (the server takes it a moment later).
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_addr.s_addr = inet_addr("127.0.0.1")
            var len = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
            _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
            port = Int(UInt16(bigEndian: addr.sin_port))
            close(fd)
        }

        var url: String { "redis://127.0.0.1:\(port)" }

        func start() async throws {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: Self.path)
            p.arguments = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            process = p
            var config = try RedisConfiguration(url: url)
            config.connectTimeout = .milliseconds(200)
            config.commandTimeout = .milliseconds(500)
            config.poolSize = 1
            for _ in 0..<200 {
                let client = RedisClient(configuration: config)
                defer { client.close() }
                if (try? await client.ping()) != nil { return }
                try await Task.sleep(for: .milliseconds(20))
            }
            Issue.record("redis-server did not start on port \(port)")
        }

        /// SIGKILL (Redis dying, not shutting down), then waits (bounded) until it is gone.
        func kill() async {
            guard let p = process else { return }
            Glibc.kill(p.processIdentifier, SIGKILL)
            for _ in 0..<500 where p.isRunning { try? await Task.sleep(for: .milliseconds(10)) }
            process = nil
        }

        deinit {
            if let p = process, p.isRunning { Glibc.kill(p.processIdentifier, SIGKILL) }
        }
    }

    @Test(.enabled(if: OwnRedis.available, "redis-server is not installed (scripts/setup installs it)"), .timeLimit(.minutes(1)))
    func healthTurns503WithAReasonWhileRedisIsDownAndRecovers() async throws {
        let redis = try OwnRedis()
        try await redis.start()
        var rc = try RedisConfiguration(url: redis.url)
        rc.commandTimeout = .seconds(1)
        let client = RedisClient(configuration: rc)
        defer { client.close() }
        let store = RedisBackedTaskStore(client: client, namespace: "squall-test:health")
        let s = try await RunningService.start(
            AgentServiceConfiguration(workers: 1), store: store, idempotency: RedisIdempotencyStore(client: client, prefix: "h:"),
            runner: FakeRunner())
        let http = try TestHTTP()
        #expect(try await http.get(s.base + "/health").status == 200)

        await redis.kill()  // Redis dies mid-run.
        let down = try await http.get(s.base + "/health")
        #expect(down.status == 503)
        let doc = try json(down)
        #expect(doc["status"] as? String == "degraded")
        #expect((doc["reason"] as? String)?.hasPrefix("task store unavailable") == true, "\(doc)")
        #expect(down.headers["Retry-After"] == "1")
        #expect(try await http.post(s.base + "/tasks", json: taskJSON("while down")).status == 503)

        try await redis.start()  // Back: the next command reconnects.
        var up = try await http.get(s.base + "/health")
        for _ in 0..<100 where up.status != 200 {
            try await Task.sleep(for: .milliseconds(50))
            up = try await http.get(s.base + "/health")
        }
        #expect(up.status == 200)
        #expect(try await http.post(s.base + "/tasks", json: taskJSON("after")).status == 202)
        await http.shutdown()
        try await s.shutdown()
        await redis.kill()
    }

    @Test(.timeLimit(.minutes(1)))
    func inMemoryTasksStillQueuedWhenTheDrainEndsAreFailedWithShutdown() async throws {
        // A slow LLM (8 s per call) and a short drain: two run, the rest wait in the queue.
        let mock = try await LiveStackTests.startMock("latency: 8s\n")
        let (runner, llm) = try LiveStackTests.runner(mock, attempts: 1)
        let store = InMemoryTaskStore()
        let s = try await RunningService.start(
            AgentServiceConfiguration(workers: 2, drainTimeout: .milliseconds(300)), store: store, runner: runner)
        let http = try TestHTTP()
        var accepted: [String] = []
        for i in 0..<10 {
            let r = try await http.post(s.base + "/tasks", json: taskJSON("task \(i)"))
            accepted.append(try #require(try json(r)["task_id"] as? String))
        }
        for _ in 0..<500 where s.service.engine.inFlight < 2 { try await Task.sleep(for: .milliseconds(5)) }
        await http.shutdown()
        try await s.shutdown()
        // Every accepted task reached a terminal state. Those that never started (still queued at the
        // deadline) failed with cause shutdown; the ones running then failed too (an 8 s LLM cannot
        // answer within the drain), with shutdown unless their call had already failed on its own —
        // which a loaded machine can cause, and which is not what this test is about.
        var failedShutdown = 0
        var neverStarted = 0
        for id in accepted {
            let r = try #require(store.get(id: id))
            #expect(r.status.isTerminal, "task \(id) is still \(r.status)")
            #expect(r.status == .failed, "task \(id) ended \(r.status)")
            if r.replica == nil {  // never taken by a worker (failPending sets startedAt, not replica)
                neverStarted += 1
                #expect(r.cause == "shutdown", "queued task \(id) ended with cause \(r.cause ?? "none")")
            }
            if r.status == .failed && r.cause == "shutdown" { failedShutdown += 1 }
        }
        #expect(neverStarted >= 8)
        #expect(failedShutdown >= neverStarted)
        #expect(store.pendingCount() == 0)
        let metrics = s.service.engine.metrics.render(queueDepth: 0, workers: 2)
        #expect(metrics.contains("squall_service_tasks_failed_total{cause=\"shutdown\"} \(failedShutdown)"))
        await llm.shutdown()
        await mock.stop()
    }
}
