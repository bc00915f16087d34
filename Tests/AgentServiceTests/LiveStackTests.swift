import LoadGen
import AgentService
import CurlClient
import Foundation
import MockLLM
import RedisStore
import Reliability
import Testing

/// The whole path over real loopback: HTTP → service → live reliability stack → libcurl → MockLLM.
@Suite struct LiveStackTests {
    static func startMock(_ yaml: String) async throws -> MockServer {
        var c = MockServerConfig()
        c.port = 0
        c.threads = 1
        c.profile = try FaultProfile.parse(yaml, file: "test-profile.yaml")
        c.profileText = yaml
        return try await MockServer.start(c)
    }

    static func runner(_ mock: MockServer, attempts: Int = 3) throws -> (LiveTaskRunner, CurlHTTPClient) {
        let client = try CurlHTTPClient()
        let stack = StackConfig(
            attemptTimeout: .seconds(5),
            retry: RetryPolicy(maxAttempts: attempts, backoff: Backoff(multiplier: 0.01, min: .zero, max: .milliseconds(20))),
            breaker: nil)
        return (LiveTaskRunner(config: stack, transport: HTTPLLMTransport(baseURL: mock.url, client: CurlLoadClient(client: client))), client)
    }

    @Test func taskRunsThroughTheStackToTheLLMAndReportsModelAndCost() async throws {
        let mock = try await Self.startMock("latency: 1ms\n")
        let (runner, llm) = try Self.runner(mock)
        let s = try await RunningService.start(AgentServiceConfiguration(), runner: runner)
        let http = try TestHTTP()
        let id = try #require(try json(try await http.post(s.base + "/tasks", json: taskJSON("What is the capital of France?")))["task_id"] as? String)
        let doc = try await http.waitForEnd(s.base, id: id)
        #expect(doc["status"] as? String == "complete")
        #expect(doc["model"] as? String == "llama-3.1-8b-instant")  // routed as a simple question
        #expect((doc["result"] as? String)?.isEmpty == false)
        #expect((doc["cost_usd"] as? Double ?? 0) > 0)
        #expect(doc["attempts"] as? Int == 1)
        #expect(mock.state.stats.completions == 1)
        await http.shutdown()
        try await s.shutdown()
        await llm.shutdown()
        await mock.stop()
    }

    @Test func failingLLMEndsTheTaskFailedAfterEveryAttempt() async throws {
        let mock = try await Self.startMock("latency: 1ms\nfaults:\n  - { status: 500 }\n")
        let (runner, llm) = try Self.runner(mock, attempts: 3)
        let s = try await RunningService.start(AgentServiceConfiguration(), runner: runner)
        let http = try TestHTTP()
        let id = try #require(try json(try await http.post(s.base + "/tasks", json: taskJSON("Draft a migration plan")))["task_id"] as? String)
        let doc = try await http.waitForEnd(s.base, id: id)
        #expect(doc["status"] as? String == "failed")
        #expect(doc["cause"] as? String == "attempts_exhausted")
        #expect(doc["attempts"] as? Int == 3)
        #expect((doc["error"] as? String)?.contains("500") == true)
        #expect(mock.state.stats.total == 3)
        await http.shutdown()
        try await s.shutdown()
        await llm.shutdown()
        await mock.stop()
    }

    @Test func shutdownCancelsLLMCallsInFlightAndEndsThemWithShutdown() async throws {
        let mock = try await Self.startMock("latency: 30s\n")
        let (runner, llm) = try Self.runner(mock)
        let store = InMemoryTaskStore()
        let s = try await RunningService.start(
            AgentServiceConfiguration(workers: 2, drainTimeout: .milliseconds(300)), store: store, runner: runner)
        let http = try TestHTTP()
        var ids: [String] = []
        for i in 0..<3 {
            ids.append(try #require(try json(try await http.post(s.base + "/tasks", json: taskJSON("slow \(i)")))["task_id"] as? String))
        }
        for _ in 0..<500 where mock.state.stats.total < 2 { try await Task.sleep(for: .milliseconds(5)) }
        await http.shutdown()
        try await s.shutdown()  // returns after ~300 ms, not 30 s: the calls were cancelled
        for id in ids {
            let r = try #require(store.get(id: id))
            #expect(r.status == .failed)
            #expect(r.cause == "shutdown")
        }
        await llm.shutdown()
        await mock.stop()
    }

    @Test(.enabled(if: TestRedis.isAvailable, TestRedis.reason))
    func duplicatesAcrossTwoReplicasOnRedisReachTheLLMOnce() async throws {
        let mock = try await Self.startMock("latency: 5ms\n")
        let (runner, llm) = try Self.runner(mock)
        var rc = try RedisConfiguration(url: TestRedis.url!)
        rc.poolSize = 4
        let redis = RedisClient(configuration: rc)
        let ns = "squall-test:live:\(UUID().uuidString)"
        let store = RedisBackedTaskStore(client: redis, namespace: ns)
        let idem = RedisIdempotencyStore(client: redis, prefix: ns + ":idem:")
        let a = try await RunningService.start(AgentServiceConfiguration(workers: 4), store: store, idempotency: idem, runner: runner)
        let b = try await RunningService.start(AgentServiceConfiguration(workers: 4), store: store, idempotency: idem, runner: runner)
        let http = try TestHTTP()
        let keys = (0..<15).map { "live-dup-\($0)" }
        let ids = try await withThrowingTaskGroup(of: (String, String?).self) { group in
            for key in keys {
                for base in [a.base, b.base] {
                    group.addTask {
                        let r = try await http.post(base + "/tasks", json: taskJSON("Explain \(key)", key: key))
                        return (key, try? json(r)["task_id"] as? String)
                    }
                }
            }
            var byKey: [String: Set<String?>] = [:]
            for try await (k, id) in group { byKey[k, default: []].insert(id) }
            return byKey
        }
        #expect(ids.values.allSatisfy { $0.count == 1 && !$0.contains(nil) })
        for set in ids.values {
            let doc = try await http.waitForEnd(a.base, id: set.first!!)
            #expect(doc["status"] as? String == "complete")
        }
        let stats = mock.state.stats
        #expect(stats.completions == keys.count)
        #expect(stats.executionsByKey.count == keys.count)
        #expect(stats.executionsByKey.values.allSatisfy { $0 == 1 })
        await http.shutdown()
        try await a.shutdown()
        try await b.shutdown()
        redis.close()
        await llm.shutdown()
        await mock.stop()
    }
}

@Suite struct ServeLauncherTests {
    func resolved(port: Int, redis: String? = nil) throws -> ServeOptions.Resolved {
        try ServeOptions.parse(["--port", "\(port)", "--llm-url", "http://127.0.0.1:9"] + (redis.map { ["--redis", $0] } ?? []))
            .resolve()
    }

    @Test func portInUseIsAServeFailure() async throws {
        let s = try await RunningService.start(AgentServiceConfiguration(), runner: FakeRunner())
        let options = try resolved(port: s.port)
        do {
            try await ServeLauncher.run(options, signals: [])
            Issue.record("a second service bound the same port")
        } catch {
            #expect(error.message.contains("cannot listen on 127.0.0.1:\(s.port)"))
        }
        try await s.shutdown()
    }

    @Test(.enabled(if: TestRedis.isAvailable, TestRedis.reason))
    func aReplicaThatCannotListenTakesNoSharedTask() async throws {
        let ns = "squall-test:bindfail:\(UUID().uuidString)"
        let redis = RedisClient(configuration: try RedisConfiguration(url: TestRedis.url!))
        let store = RedisBackedTaskStore(client: redis, namespace: ns)
        let record = TaskRecord(id: "t_waiting", task: "waiting", userID: "u", idempotencyKey: nil, createdAt: 0)
        #expect(try await store.submit(record, queueLimit: -1))
        let occupied = try await RunningService.start(AgentServiceConfiguration(), runner: FakeRunner())
        let options = try ServeOptions.parse([
            "--port", "\(occupied.port)", "--llm-url", "http://127.0.0.1:9", "--redis", TestRedis.url!, "--redis-namespace", ns,
        ]).resolve()
        await #expect(throws: ServeFailure.self) { try await ServeLauncher.run(options, signals: []) }
        #expect(try await store.pendingCount() == 1)
        #expect(try await store.get(id: "t_waiting")?.status == .pending)
        try await occupied.shutdown()
        redis.close()
    }

    @Test func unreachableRedisIsAServeFailure() async throws {
        let options = try resolved(port: 0, redis: "redis://127.0.0.1:1")
        do {
            try await ServeLauncher.run(options, signals: [])
            Issue.record("started without Redis")
        } catch {
            #expect(error.message.contains("cannot connect to Redis at 127.0.0.1:1"))
        }
    }

    @Test func badFlagsNameTheFlag() {
        func message(_ flags: String...) -> String {
            do {
                _ = try ServeOptions.parse(["--llm-url", "http://127.0.0.1:8080"] + flags)
                return "ok"
            } catch { return ServeOptions.message(for: error) }
        }
        #expect(message() == "ok")
        #expect(message("--llm-url", "").hasPrefix("--llm-url"))
        #expect(message("--llm-url", "ftp://x").hasPrefix("--llm-url 'ftp://x': expected an http:// or https:// URL"))
        #expect(message("--llm-url", "notaurl").hasPrefix("--llm-url 'notaurl': expected an http:// or https:// URL"))
        #expect(message("--drain-timeout", "soon").hasPrefix("--drain-timeout"))
        #expect(message("--drain-timeout", "-1s") == "--drain-timeout '-1s': must not be negative")
        #expect(message("--retry-after", "-2s") == "--retry-after '-2s': must not be negative")
        #expect(message("--attempt-timeout", "0s") == "--attempt-timeout '0s': must be more than 0s")
        #expect(message("--workers", "0").hasPrefix("--workers"))
        #expect(message("--workers", "-3").hasPrefix("--workers"))
        #expect(message("--queue", "-1").hasPrefix("--queue"))
        #expect(message("--port", "70000").hasPrefix("--port"))
        #expect(message("--jitter", "lots").hasPrefix("--jitter"))
        #expect(message("--redis", "localhost:6379").hasPrefix("--redis"))
        #expect(message("--attempts", "0").hasPrefix("--attempts"))
        #expect(message("--backoff-min", "2m", "--backoff-max", "1m").hasPrefix("--backoff-min"))
        #expect(message("--time-scale", "-1").hasPrefix("--time-scale -1.0: expected a number above 0"))
        #expect(message("--log-level", "loud").hasPrefix("--log-level loud"))
    }

    @Test func defaultsAreTheLibrarysOwn() throws {
        let r = try ServeOptions.parse(["--llm-url", "http://127.0.0.1:8080"]).resolve()
        #expect(r.stack.retry == ServeOptions.baseStack.retry)
        #expect(r.service.workers == AgentServiceConfiguration().workers)
        #expect(r.service.drainTimeout == AgentServiceConfiguration().drainTimeout)
        #expect(r.timeScale == 1)
    }
}
