import RedisStore
import Testing

@Suite struct RedisConfigurationTests {
    @Test func parsesHostPortPasswordAndDatabase() throws {
        let c = try RedisConfiguration(url: "redis://:s3cret@redis.internal:6380/2")
        #expect(c.host == "redis.internal")
        #expect(c.port == 6380)
        #expect(c.password == "s3cret")
        #expect(c.database == 2)
    }

    @Test func defaultsPortAndDatabase() throws {
        let c = try RedisConfiguration(url: "redis://127.0.0.1")
        #expect(c.port == 6379)
        #expect(c.database == 0)
        #expect(c.password == nil)
    }

    @Test func rejectsOtherSchemesAndBadPorts() {
        #expect(throws: RedisError.self) { try RedisConfiguration(url: "http://127.0.0.1:6379") }
        #expect(throws: RedisError.self) { try RedisConfiguration(url: "redis://127.0.0.1:99999") }
        #expect(throws: RedisError.self) { try RedisConfiguration(url: "redis://:6379") }
        #expect(throws: RedisError.self) { try RedisConfiguration(url: "redis://h:1/x") }
    }

    @Test func connectingToAClosedPortFailsWithConnectError() async throws {
        // Port 1 on loopback has nothing listening: the connection is refused at once.
        var c = try RedisConfiguration(url: "redis://127.0.0.1:1")
        c.connectTimeout = .seconds(1)
        do {
            _ = try await RedisClient.connect(c)
            Issue.record("connected to a closed port")
        } catch {
            guard case .connect(let host, let port, _) = error else {
                Issue.record("expected .connect, got \(error)")
                return
            }
            #expect(host == "127.0.0.1")
            #expect(port == 1)
        }
    }
}
