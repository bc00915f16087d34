import RedisStore
import Testing

@Suite(.enabled(if: RedisTestEnvironment.isAvailable, RedisTestEnvironment.reason))
struct RedisClientTests {
    @Test func binaryValuesRoundTripUnchanged() async throws {
        let client = try RedisTestEnvironment.client()
        defer { client.close() }
        let key = RedisTestEnvironment.uniqueNamespace("binary")
        let value: [UInt8] = [0, 13, 10, 255, 36, 42, 0, 1]
        try await client.command(bytes: [Array("SET".utf8), Array(key.utf8), value, Array("PX".utf8), Array("60000".utf8)])
        let got = try await client.command(bytes: [Array("GET".utf8), Array(key.utf8)])
        #expect(got == .bulk(value))
    }

    @Test func serverErrorsAreRaised() async throws {
        let client = try RedisTestEnvironment.client()
        defer { client.close() }
        await #expect(throws: RedisError.self) { try await client.command(["NOSUCHCOMMAND"]) }
    }

    @Test func reconnectsAfterTheServerDropsTheConnection() async throws {
        let client = try RedisTestEnvironment.client(poolSize: 1)
        let admin = try RedisTestEnvironment.client(poolSize: 1)
        defer {
            client.close()
            admin.close()
        }
        let id = try #require(try await client.command(["CLIENT", "ID"]).int)
        try await admin.command(["CLIENT", "KILL", "ID", String(id)])
        // A non-idempotent command on the dead connection fails with an I/O error...
        await #expect(throws: RedisError.self) { try await client.command(["INCR", RedisTestEnvironment.uniqueNamespace("n")]) }
        // ...and the next one runs on a fresh connection.
        let newID = try #require(try await client.command(["CLIENT", "ID"]).int)
        #expect(newID != id)
        // An idempotent command is retried once transparently after a drop.
        try await admin.command(["CLIENT", "KILL", "ID", String(newID)])
        try await client.ping()
    }
}
