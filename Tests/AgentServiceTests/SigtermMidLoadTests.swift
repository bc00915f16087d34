import AgentService
import CurlClient
import Foundation
import MockLLM
import RedisStore
import Reliability
import Synchronization
import Testing

/// SIGTERM in the middle of load, through the whole path (HTTP → two replicas on Redis → live stack → MockLLM).
@Suite(.enabled(if: TestRedis.isAvailable, TestRedis.reason))
struct SigtermMidLoadTests {
    @Test func everyAcceptedTaskEndsAndNoneIsLostWhenAReplicaIsShutDownMidLoad() async throws {
        let mock = try await LiveStackTests.startMock("latency: 20ms\n")
        var rc = try RedisConfiguration(url: TestRedis.url!)
        rc.poolSize = 4
        let stack = StackConfig(
            attemptTimeout: .seconds(5), retry: RetryPolicy(maxAttempts: 3, backoff: Backoff(min: .zero, max: .milliseconds(20))),
            breaker: nil)
        let cluster = try await ServiceCluster.start(
            count: 2, configuration: AgentServiceConfiguration(workers: 2, drainTimeout: .seconds(2)), stack: stack,
            llmURL: mock.url, redis: rc, namespace: "squall-test:sigterm:\(UUID().uuidString)")
        let http = try TestHTTP()
        let urls = cluster.replicas.map(\.url)
        let accepted = Locked<[String]>([])
        let redirected = Locked(0)
        let drain = Locked<Double?>(nil)

        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<80 {
                if i == 40 {
                    // SIGTERM replica 0 while load keeps arriving.
                    group.addTask {
                        let d = await cluster.shutdown(replica: 0)
                        drain.withLock { $0 = d }
                    }
                }
                group.addTask {
                    // A load balancer's behaviour: a 503 (draining) or refused connection goes to the other replica.
                    for attempt in 0..<2 {
                        let base = urls[(i + attempt) % 2]
                        guard let r = try? await http.post(base + "/tasks", json: taskJSON("task \(i)", key: "mid-load-\(i)")) else {
                            redirected.withLock { $0 += 1 }
                            continue
                        }
                        if r.status == 202, let id = try json(r)["task_id"] as? String {
                            accepted.withLock { $0.append(id) }
                            return
                        }
                        #expect(r.status == 503)
                        redirected.withLock { $0 += 1 }
                    }
                }
                try await Task.sleep(for: .milliseconds(5))
            }
            try await group.waitForAll()
        }
        let ids = accepted.withLock { $0 }
        #expect(ids.count == 80)
        // Every accepted task ends complete, or failed with cause shutdown; none is missing.
        var complete = 0
        for id in ids {
            var record: TaskRecord?
            for _ in 0..<1000 {
                record = try await cluster.store.get(id: id)
                if record?.status.isTerminal == true { break }
                try await Task.sleep(for: .milliseconds(10))
            }
            let r = try #require(record, "task \(id) was lost")
            #expect(r.status == .complete || (r.status == .failed && r.cause == "shutdown"))
            if r.status == .complete { complete += 1 }
        }
        #expect(mock.state.stats.executionsByKey.values.allSatisfy { $0 == 1 })
        let drained = try #require(drain.withLock { $0 })
        print(
            "SIGTERM mid-load: \(ids.count) accepted, \(complete) complete, \(ids.count - complete) failed(shutdown), "
                + "\(redirected.withLock { $0 }) submissions redirected, replica 0 drained in \(String(format: "%.3f", drained)) s")
        await http.shutdown()
        await cluster.stop()
        await mock.stop()
    }
}
