import AgentService
import CurlClient
import Foundation
import RedisStore
import Reliability
import Testing

@Suite(.enabled(if: TestRedis.isAvailable, TestRedis.reason))
struct RedisReplicaTests {
    struct Shared {
        let client: RedisClient
        let namespace: String
        var store: RedisBackedTaskStore { RedisBackedTaskStore(client: client, namespace: namespace) }
        var idempotency: RedisIdempotencyStore { RedisIdempotencyStore(client: client, prefix: namespace + ":idem:") }

        init() throws {
            var c = try RedisConfiguration(url: TestRedis.url!)
            c.poolSize = 4
            client = RedisClient(configuration: c)
            namespace = "squall-test:service:\(UUID().uuidString)"
        }
    }

    @Test func duplicatesSentToTwoReplicasAtTheSameInstantExecuteOnce() async throws {
        let shared = try Shared()
        let runner = FakeRunner(delay: .milliseconds(10))
        let config = AgentServiceConfiguration(workers: 4)
        let a = try await RunningService.start(config, store: shared.store, idempotency: shared.idempotency, runner: runner)
        let b = try await RunningService.start(config, store: shared.store, idempotency: shared.idempotency, runner: runner)
        let http = try TestHTTP()
        let keys = (0..<20).map { "dup-\($0)" }
        // Every key is posted to both replicas concurrently (40 requests in flight together).
        let answers = try await withThrowingTaskGroup(of: (String, Int, String?).self) { group in
            for key in keys {
                for base in [a.base, b.base] {
                    group.addTask {
                        let r = try await http.post(base + "/tasks", json: taskJSON("task for \(key)", key: key))
                        return (key, r.status, try? json(r)["task_id"] as? String)
                    }
                }
            }
            var all: [(String, Int, String?)] = []
            for try await x in group { all.append(x) }
            return all
        }
        #expect(answers.allSatisfy { $0.1 == 202 })
        var idsByKey: [String: Set<String>] = [:]
        for (key, _, id) in answers { idsByKey[key, default: []].insert(id ?? "missing") }
        #expect(idsByKey.values.allSatisfy { $0.count == 1 && !$0.contains("missing") })
        // Both replicas see every task, whichever ran it; each ends complete.
        for (key, ids) in idsByKey {
            let id = ids.first!
            let doc = try await http.waitForEnd(key.hasSuffix("0") ? a.base : b.base, id: id)
            #expect(doc["status"] as? String == "complete")
        }
        #expect(runner.total == keys.count)
        #expect(runner.executions.values.allSatisfy { $0 == 1 })
        await http.shutdown()
        try await a.shutdown()
        try await b.shutdown()
        shared.client.close()
    }

    @Test func tasksPendingAtShutdownArePickedUpByAnotherReplica() async throws {
        let shared = try Shared()
        let runner = FakeRunner(delay: .milliseconds(5))
        let a = try await RunningService.start(
            AgentServiceConfiguration(workers: 1, drainTimeout: .milliseconds(200), replicaID: "replica-a"),
            store: shared.store, idempotency: shared.idempotency, runner: runner)
        let http = try TestHTTP()
        let stuck = try #require(try json(try await http.post(a.base + "/tasks", json: taskJSON("stuck on a")))["task_id"] as? String)
        for _ in 0..<500 where runner.inFlight == 0 { try await Task.sleep(for: .milliseconds(5)) }
        var waiting: [String] = []
        for i in 0..<3 {
            let r = try await http.post(a.base + "/tasks", json: taskJSON("left pending \(i)"))
            waiting.append(try #require(try json(r)["task_id"] as? String))
        }
        try await a.shutdown()
        // Replica A is gone: its running task ended with shutdown; the queued ones still wait in Redis.
        #expect(try await shared.store.get(id: stuck)?.cause == "shutdown")
        for id in waiting { #expect(try await shared.store.get(id: id)?.status == .pending) }
        #expect(try await shared.store.pendingCount() == 3)

        let b = try await RunningService.start(
            AgentServiceConfiguration(workers: 2, replicaID: "replica-b"), store: shared.store,
            idempotency: shared.idempotency, runner: runner)
        for id in waiting {
            let doc = try await http.waitForEnd(b.base, id: id)
            #expect(doc["status"] as? String == "complete")
            #expect(doc["replica"] as? String == "replica-b")
        }
        await http.shutdown()
        try await b.shutdown()
        shared.client.close()
    }

    @Test func aLongTaskKeepsItsLeaseSoNoOtherReplicaRunsItAgain() async throws {
        let shared = try Shared()
        let runner = FakeRunner(delay: .milliseconds(4500))
        // Leases of 2 s, renewed every 2/3 s while the task runs; the other replica polls every 20 ms and
        // would take the task over as soon as its lease expired, which without renewal happens twice
        // during the 4.5 s task. (A lease far longer than the renewal period: a renewal delayed by a
        // busy machine must not look like a dead replica — 300 ms leases failed under CI load.)
        let config = AgentServiceConfiguration(workers: 2, lease: .seconds(2), pollInterval: .milliseconds(20))
        let a = try await RunningService.start(config, store: shared.store, idempotency: shared.idempotency, runner: runner)
        let b = try await RunningService.start(config, store: shared.store, idempotency: shared.idempotency, runner: runner)
        let http = try TestHTTP()
        let id = try #require(try json(try await http.post(a.base + "/tasks", json: taskJSON("long task")))["task_id"] as? String)
        let doc = try await http.waitForEnd(b.base, id: id)
        #expect(doc["status"] as? String == "complete")
        #expect(runner.executions["long task"] == 1)
        await http.shutdown()
        try await a.shutdown()
        try await b.shutdown()
        shared.client.close()
    }
}
