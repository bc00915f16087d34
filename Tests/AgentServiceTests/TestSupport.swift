import AgentService
import CurlClient
import Foundation
import Logging
import Reliability
import ServiceLifecycle
import Synchronization
import Testing

/// A runner standing in for the LLM path: counts executions per task text, answers `answer: <task>`,
/// takes `delay` per task, and blocks tasks whose text contains "stuck" until cancelled (a task that
/// outlives the drain deadline).
final class FakeRunner: TaskRunner {
    private let counts = Mutex<[String: Int]>([:])
    private let running = Mutex(0)
    let delay: Duration

    init(delay: Duration = .milliseconds(5)) { self.delay = delay }

    func run(_ input: TaskInput) async -> TaskRunResult {
        counts.withLock { $0[input.task, default: 0] += 1 }
        running.withLock { $0 += 1 }
        defer { running.withLock { $0 -= 1 } }
        let wait = input.task.contains("stuck") ? Duration.seconds(3600) : delay
        do { try await Task.sleep(for: wait) } catch {
            return TaskRunResult(succeeded: false, error: "cancelled", cause: "attempts_exhausted", attempts: 1, model: "fake")
        }
        return TaskRunResult(succeeded: true, result: "answer: " + input.task, attempts: 1, model: "fake", costUSD: 0.001)
    }

    /// Executions so far, by task text.
    var executions: [String: Int] { counts.withLock { $0 } }
    /// Total executions.
    var total: Int { counts.withLock { $0.values.reduce(0, +) } }
    /// Tasks running now.
    var inFlight: Int { running.withLock { $0 } }
}

/// One service replica running in-process on a loopback port.
struct RunningService {
    let service: AgentService
    let group: ServiceGroup
    let run: Task<Void, any Error>
    let port: Int
    var base: String { "http://127.0.0.1:\(port)" }

    static func start(
        _ configuration: AgentServiceConfiguration, store: any TaskStore = InMemoryTaskStore(),
        idempotency: any IdempotencyStore = InMemoryIdempotencyStore(), runner: any TaskRunner
    ) async throws -> RunningService {
        var c = configuration
        c.host = "127.0.0.1"
        c.port = 0
        var logger = Logger(label: "squall.service.test")
        logger.logLevel = .warning
        let service = AgentService(configuration: c, store: store, idempotency: idempotency, runner: runner, logger: logger)
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let group = service.makeServiceGroup(gracefulShutdownSignals: []) { port in
            continuation.yield(port)
            continuation.finish()
        }
        let run = Task { try await group.run() }
        var port = 0
        for await p in ports { port = p }
        try #require(port > 0, "the service did not start listening")
        return RunningService(service: service, group: group, run: run, port: port)
    }

    /// Triggers a graceful shutdown (what SIGTERM does) and waits for the group to finish.
    func shutdown() async throws {
        await group.triggerGracefulShutdown()
        try await run.value
    }
}

/// A loopback HTTP client for the tests (libcurl).
struct TestHTTP {
    let client: CurlHTTPClient

    init() throws {
        client = try CurlHTTPClient(configuration: HTTPClientConfiguration(maxConnections: 64, requestTimeout: .seconds(10)))
    }

    func get(_ url: String) async throws -> HTTPResponse {
        try await client.send(HTTPRequest(method: .get, url: url, timeout: .seconds(10)))
    }

    func post(_ url: String, json: String, headers: HTTPHeaders = [:]) async throws -> HTTPResponse {
        try await client.send(.postJSON(url: url, json: json, headers: headers, timeout: .seconds(10)))
    }

    func post(_ url: String, bytes: [UInt8]) async throws -> HTTPResponse {
        try await client.send(
            HTTPRequest(method: .post, url: url, headers: ["Content-Type": "application/json"], body: bytes, timeout: .seconds(10)))
    }

    /// Polls `GET /tasks/{id}` until the task ends (bounded: 10 s).
    func waitForEnd(_ base: String, id: String) async throws -> [String: Any] {
        // Bounded by time (30 s), not by a poll count: a loaded machine makes each poll slower.
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            let doc = try json(try await get(base + "/tasks/" + id))
            if let s = doc["status"] as? String, s == "complete" || s == "failed" { return doc }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("task \(id) did not end within 30 s")
        return [:]
    }

    func shutdown() async { await client.shutdown() }
}

func json(_ response: HTTPResponse) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any], "not a JSON object: \(response.bodyText)")
}

func taskJSON(_ task: String, user: String = "u1", key: String? = nil) -> String {
    var object: [String: Any] = ["task": task, "user_id": user]
    if let key { object["idempotency_key"] = key }
    return String(decoding: try! JSONSerialization.data(withJSONObject: object), as: UTF8.self)
}

/// The Redis server for the cross-replica tests: `SQUALL_TEST_REDIS_URL` (set by scripts/test).
enum TestRedis {
    static let url = ProcessInfo.processInfo.environment["SQUALL_TEST_REDIS_URL"]
    static let isAvailable = url != nil
    static let reason: Comment =
        "SQUALL_TEST_REDIS_URL is not set: run scripts/test (it starts redis-server), or start one and export SQUALL_TEST_REDIS_URL=redis://127.0.0.1:PORT"
}

/// A value shared between test tasks.
final class Locked<Value: Sendable>: Sendable {
    private let m: Mutex<Value>
    init(_ value: Value) { m = Mutex(value) }
    func withLock<R: Sendable>(_ body: (inout Value) -> R) -> R { m.withLock { body(&$0) } }
}
