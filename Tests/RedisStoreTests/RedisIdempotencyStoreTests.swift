import Reliability
import RedisStore
import Testing

@Suite(.enabled(if: RedisTestEnvironment.isAvailable, RedisTestEnvironment.reason))
struct RedisIdempotencyStoreTests {
    let ttl = Duration.seconds(60)

    func makeStore(_ client: RedisClient) -> RedisIdempotencyStore {
        RedisIdempotencyStore(client: client, prefix: RedisTestEnvironment.uniqueNamespace("idem") + ":")
    }

    @Test func firstClaimWinsAndDuplicatesSeeInFlight() async throws {
        let client = try RedisTestEnvironment.client()
        defer { client.close() }
        let store = makeStore(client)
        #expect(try await store.claim(key: "k1", fingerprint: "fp", now: .zero, ttl: ttl) == .claimed)
        #expect(try await store.claim(key: "k1", fingerprint: "fp", now: .zero, ttl: ttl) == .inFlight)
        #expect(try await store.claim(key: "k1", fingerprint: "other", now: .zero, ttl: ttl) == .mismatch)
    }

    @Test func completedKeysReplayTheStoredResultAndKeepTheFingerprint() async throws {
        let client = try RedisTestEnvironment.client()
        defer { client.close() }
        let store = makeStore(client)
        #expect(try await store.claim(key: "k", fingerprint: "fp|1", now: .zero, ttl: ttl) == .claimed)
        let result = StoredResult(succeeded: false, body: "{\"error\":\"x:1\"}")
        try await store.complete(key: "k", fingerprint: "fp|1", result: result, now: .zero, ttl: ttl)
        #expect(try await store.claim(key: "k", fingerprint: "fp|1", now: .zero, ttl: ttl) == .completed(result))
        #expect(try await store.claim(key: "k", fingerprint: "fp|2", now: .zero, ttl: ttl) == .mismatch)
    }

    @Test func releaseFreesAnInFlightClaimButNeverACompletedOne() async throws {
        let client = try RedisTestEnvironment.client()
        defer { client.close() }
        let store = makeStore(client)
        #expect(try await store.claim(key: "a", fingerprint: "fp", now: .zero, ttl: ttl) == .claimed)
        try await store.release(key: "a")
        #expect(try await store.claim(key: "a", fingerprint: "fp", now: .zero, ttl: ttl) == .claimed)

        let result = StoredResult(succeeded: true, body: "done")
        try await store.complete(key: "a", fingerprint: "fp", result: result, now: .zero, ttl: ttl)
        try await store.release(key: "a")
        #expect(try await store.claim(key: "a", fingerprint: "fp", now: .zero, ttl: ttl) == .completed(result))
    }

    @Test func claimsAndResultsCarryTheTTL() async throws {
        let client = try RedisTestEnvironment.client()
        defer { client.close() }
        let prefix = RedisTestEnvironment.uniqueNamespace("ttl") + ":"
        let store = RedisIdempotencyStore(client: client, prefix: prefix)
        #expect(try await store.claim(key: "t", fingerprint: "fp", now: .zero, ttl: .seconds(30)) == .claimed)
        let claimTTL = try #require(try await client.command(["PTTL", prefix + "t"]).int)
        #expect(claimTTL > 0 && claimTTL <= 30_000)
        try await store.complete(
            key: "t", fingerprint: "fp", result: StoredResult(succeeded: true, body: "r"), now: .zero, ttl: .seconds(90))
        let resultTTL = try #require(try await client.command(["PTTL", prefix + "t"]).int)
        #expect(resultTTL > 30_000 && resultTTL <= 90_000)
    }

    @Test func invalidKeysAreRejectedBeforeReachingRedis() async throws {
        let client = try RedisTestEnvironment.client()
        defer { client.close() }
        let store = makeStore(client)
        await #expect(throws: IdempotencyStoreError.self) {
            try await store.claim(key: "", fingerprint: "fp", now: .zero, ttl: .seconds(1))
        }
        await #expect(throws: IdempotencyStoreError.self) {
            try await store.claim(key: String(repeating: "k", count: 256), fingerprint: "fp", now: .zero, ttl: .seconds(1))
        }
    }

    @Test func concurrentClaimsFromTwoClientsHaveExactlyOneWinner() async throws {
        let a = try RedisTestEnvironment.client(poolSize: 4)
        let b = try RedisTestEnvironment.client(poolSize: 4)
        defer {
            a.close()
            b.close()
        }
        let prefix = RedisTestEnvironment.uniqueNamespace("race") + ":"
        let stores = [RedisIdempotencyStore(client: a, prefix: prefix), RedisIdempotencyStore(client: b, prefix: prefix)]
        for round in 0..<10 {
            let results = try await withThrowingTaskGroup(of: ClaimResult.self) { group in
                for i in 0..<16 {
                    let store = stores[i % 2]
                    group.addTask { try await store.claim(key: "race-\(round)", fingerprint: "fp", now: .zero, ttl: .seconds(60)) }
                }
                var all: [ClaimResult] = []
                for try await r in group { all.append(r) }
                return all
            }
            #expect(results.filter { $0 == .claimed }.count == 1)
            #expect(results.filter { $0 == .inFlight }.count == 15)
        }
    }
}
