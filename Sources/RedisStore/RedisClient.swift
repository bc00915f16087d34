/// A small pool of blocking hiredis connections, each owned by a dedicated thread, with an async API.
/// Every command is bounded by `RedisConfiguration.commandTimeout`; a broken connection is re-established
/// on the next command. Arguments are binary-safe (`redisCommandArgv`).
public final class RedisClient: Sendable {
    /// Where the client connects.
    public let configuration: RedisConfiguration
    private let workers: [RedisWorkerThread]

    /// Creates a client; connections are opened lazily by the first commands.
    public init(configuration: RedisConfiguration) {
        self.configuration = configuration
        workers = (0..<configuration.poolSize).map {
            RedisWorkerThread(configuration: configuration, name: "squall-redis-\($0)")
        }
    }

    /// Creates a client and checks the server answers `PING`; throws `RedisError.connect` if it does not.
    public static func connect(_ configuration: RedisConfiguration) async throws(RedisError) -> RedisClient {
        let client = RedisClient(configuration: configuration)
        do {
            try await client.ping()
        } catch {
            client.close()
            switch error {
            case .connect: throw error
            default: throw .connect(host: configuration.host, port: configuration.port, message: error.description)
            }
        }
        return client
    }

    deinit { close() }

    /// Stops the connection threads once their queued commands have run.
    public func close() { workers.forEach { $0.close() } }

    /// Sends `PING` and expects `PONG`.
    public func ping() async throws(RedisError) {
        let reply = try await command(["PING"], idempotent: true)
        guard reply.string == "PONG" else { throw .unexpectedReply("PING answered \(reply)") }
    }

    /// Runs a command given as text arguments. `idempotent` commands are retried once on a fresh
    /// connection after an I/O failure.
    @discardableResult
    public func command(_ args: [String], idempotent: Bool = false) async throws(RedisError) -> RedisValue {
        try await command(bytes: args.map { Array($0.utf8) }, idempotent: idempotent)
    }

    /// Runs a command given as binary-safe arguments.
    @discardableResult
    public func command(bytes args: [[UInt8]], idempotent: Bool = false) async throws(RedisError) -> RedisValue {
        guard !args.isEmpty else { throw .unexpectedReply("empty command") }
        return try await leastBusy().run { connection throws(RedisError) in
            try connection.command(args, retryOnIOError: idempotent)
        }
    }

    /// Runs a Lua script with `EVAL` (atomic on the server).
    @discardableResult
    public func eval(_ script: String, keys: [String], args: [[UInt8]]) async throws(RedisError) -> RedisValue {
        var all: [[UInt8]] = [Array("EVAL".utf8), Array(script.utf8), Array(String(keys.count).utf8)]
        all += keys.map { Array($0.utf8) }
        all += args
        return try await command(bytes: all)
    }

    private func leastBusy() -> RedisWorkerThread {
        var best = workers[0]
        var bestLoad = best.load
        for w in workers.dropFirst() where bestLoad > 0 {
            let l = w.load
            if l < bestLoad {
                best = w
                bestLoad = l
            }
        }
        return best
    }
}
