import Foundation
import RedisStore
import Testing

@Suite(.enabled(if: RedisTestEnvironment.isAvailable, RedisTestEnvironment.reason))
struct RedisTaskStoreTests {
    let ttl = Duration.seconds(60)

    @Test func submittedTasksAreClaimedFirstInFirstOut() async throws {
        let client = try RedisTestEnvironment.client()
        defer { client.close() }
        let store = RedisTaskStore(client: client, namespace: RedisTestEnvironment.uniqueNamespace("fifo"))
        for id in ["t1", "t2", "t3"] {
            #expect(try await store.submit(id: id, record: Array(id.utf8), ttl: ttl, queueLimit: 10))
        }
        #expect(try await store.pendingCount() == 3)
        #expect(try await store.claim(lease: .seconds(30)) == "t1")
        #expect(try await store.claim(lease: .seconds(30)) == "t2")
        #expect(try await store.get(id: "t2") == Array("t2".utf8))
        #expect(try await store.leasedCount() == 2)
        #expect(try await store.pendingCount() == 1)
    }

    @Test func submitRefusesWhenTheQueueIsFull() async throws {
        let client = try RedisTestEnvironment.client()
        defer { client.close() }
        let store = RedisTaskStore(client: client, namespace: RedisTestEnvironment.uniqueNamespace("full"))
        #expect(try await store.submit(id: "a", record: [1], ttl: ttl, queueLimit: 2))
        #expect(try await store.submit(id: "b", record: [2], ttl: ttl, queueLimit: 2))
        #expect(try await store.submit(id: "c", record: [3], ttl: ttl, queueLimit: 2) == false)
        #expect(try await store.get(id: "c") == nil)
        _ = try await store.claim(lease: .seconds(30))
        #expect(try await store.submit(id: "c", record: [3], ttl: ttl, queueLimit: 2))
    }

    @Test func anExpiredLeaseReturnsTheTaskToTheHeadOfTheQueue() async throws {
        let client = try RedisTestEnvironment.client()
        defer { client.close() }
        let store = RedisTaskStore(client: client, namespace: RedisTestEnvironment.uniqueNamespace("lease"))
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(try await store.submit(id: "first", record: [1], ttl: ttl, queueLimit: -1))
        #expect(try await store.submit(id: "second", record: [2], ttl: ttl, queueLimit: -1))
        #expect(try await store.claim(lease: .seconds(10), now: t0) == "first")
        // A replica that claimed "first" vanished: 9 s later the lease still holds...
        #expect(try await store.claim(lease: .seconds(10), now: t0 + 9) == "second")
        #expect(try await store.claim(lease: .seconds(10), now: t0 + 9.5) == nil)
        // ...at 10 s it has expired and another replica picks the task up.
        #expect(try await store.claim(lease: .seconds(10), now: t0 + 10) == "first")
    }

    @Test func renewedLeasesDoNotExpire() async throws {
        let client = try RedisTestEnvironment.client()
        defer { client.close() }
        let store = RedisTaskStore(client: client, namespace: RedisTestEnvironment.uniqueNamespace("renew"))
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(try await store.submit(id: "x", record: [1], ttl: ttl, queueLimit: -1))
        #expect(try await store.claim(lease: .seconds(10), now: t0) == "x")
        try await store.renew(ids: ["x"], lease: .seconds(10), now: t0 + 8)
        #expect(try await store.claim(lease: .seconds(10), now: t0 + 12) == nil)
        #expect(try await store.claim(lease: .seconds(10), now: t0 + 18) == "x")
    }

    @Test func finishStoresTheRecordAndDropsTheLease() async throws {
        let client = try RedisTestEnvironment.client()
        defer { client.close() }
        let store = RedisTaskStore(client: client, namespace: RedisTestEnvironment.uniqueNamespace("finish"))
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(try await store.submit(id: "x", record: Array("pending".utf8), ttl: ttl, queueLimit: -1))
        #expect(try await store.claim(lease: .seconds(10), now: t0) == "x")
        try await store.finish(id: "x", record: Array("complete".utf8), ttl: ttl)
        #expect(try await store.get(id: "x") == Array("complete".utf8))
        #expect(try await store.leasedCount() == 0)
        // Finished tasks are never handed out again, even long after.
        #expect(try await store.claim(lease: .seconds(10), now: t0 + 3600) == nil)
    }

    @Test func requeuePutsAClaimedTaskBackFirst() async throws {
        let client = try RedisTestEnvironment.client()
        defer { client.close() }
        let store = RedisTaskStore(client: client, namespace: RedisTestEnvironment.uniqueNamespace("requeue"))
        #expect(try await store.submit(id: "a", record: [1], ttl: ttl, queueLimit: -1))
        #expect(try await store.submit(id: "b", record: [2], ttl: ttl, queueLimit: -1))
        #expect(try await store.claim(lease: .seconds(10)) == "a")
        #expect(try await store.requeue(id: "a"))
        #expect(try await store.requeue(id: "a") == false)
        #expect(try await store.claim(lease: .seconds(10)) == "a")
    }

    @Test func recordsCarryTheirTTL() async throws {
        let client = try RedisTestEnvironment.client()
        defer { client.close() }
        let ns = RedisTestEnvironment.uniqueNamespace("ttl")
        let store = RedisTaskStore(client: client, namespace: ns)
        #expect(try await store.submit(id: "x", record: [1], ttl: .seconds(45), queueLimit: -1))
        let pttl = try #require(try await client.command(["PTTL", "\(ns):task:x"]).int)
        #expect(pttl > 0 && pttl <= 45_000)
    }
}
