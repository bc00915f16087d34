import Foundation
import RedisStore
import Testing

/// The Redis server the tests use: `SQUALL_TEST_REDIS_URL` (scripts/test starts one and sets it).
enum RedisTestEnvironment {
    static let url = ProcessInfo.processInfo.environment["SQUALL_TEST_REDIS_URL"]
    static let isAvailable = url != nil
    static let reason: Comment =
        "SQUALL_TEST_REDIS_URL is not set: run scripts/test (it starts redis-server), or start one and export SQUALL_TEST_REDIS_URL=redis://127.0.0.1:PORT"

    static func configuration(poolSize: Int = 2) throws -> RedisConfiguration {
        var c = try RedisConfiguration(url: url ?? "redis://127.0.0.1:6379")
        c.poolSize = poolSize
        c.commandTimeout = .seconds(5)
        return c
    }

    static func client(poolSize: Int = 2) throws -> RedisClient {
        RedisClient(configuration: try configuration(poolSize: poolSize))
    }

    /// A namespace no other test uses.
    static func uniqueNamespace(_ name: String) -> String { "squall-test:\(name):\(UUID().uuidString)" }
}

