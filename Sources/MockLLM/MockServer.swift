import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization
#if canImport(Glibc)
    import Glibc
#endif

/// Why a `MockServer` could not start.
public struct MockServerError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, naming the address.
    public var message: String
    /// The message.
    public var description: String { message }
}

/// The OpenAI/Groq-compatible chaos server: SwiftNIO HTTP/1.1 with keep-alive.
///
///     let server = try await MockServer.start(config)
///     print(server.url)        // http://127.0.0.1:54321
///     await server.stop()
public final class MockServer: Sendable {
    /// The configuration it was started with.
    public let config: MockServerConfig
    /// The shared state: profile, fault plan, stats.
    public let state: MockState
    /// The port actually bound (the ephemeral one when `config.port` was 0).
    public let port: Int
    private let group: MultiThreadedEventLoopGroup
    private let channel: Channel
    private let stopped = Mutex(false)

    private init(config: MockServerConfig, state: MockState, port: Int, group: MultiThreadedEventLoopGroup, channel: Channel) {
        self.config = config
        self.state = state
        self.port = port
        self.group = group
        self.channel = channel
    }

    /// The base URL, e.g. `http://127.0.0.1:8080` (IPv6 hosts in brackets).
    public var url: String {
        let h = config.host.contains(":") ? "[\(config.host)]" : config.host
        return "http://\(h):\(port)"
    }

    /// Binds and starts serving. Throws `MockServerError` when the address cannot be bound (e.g. port in use).
    /// An invalid configuration (`MockServerConfig.validate()`) is refused before binding.
    public static func start(_ config: MockServerConfig) async throws(MockServerError) -> MockServer {
        do { try config.validate() } catch { throw MockServerError(message: error.description) }
        let state = MockState(
            profile: config.profile, profileText: config.profileText, seed: config.seed, timeScale: config.timeScale,
            maxKeys: config.maxKeys, callLogCapacity: config.callLogCapacity, shards: max(1, config.threads))
        let settings = HandlerSettings(
            controlToken: config.controlToken, insecureControl: config.insecureControl,
            allowFaultHeader: config.allowFaultHeader,
            maxBodyBytes: config.maxBodyBytes, idleTimeout: Self.amount(config.idleTimeout),
            maxHang: Self.amount(config.maxHang))
        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, config.threads))
        let limit = config.maxConnections ?? Self.defaultMaxConnections(threads: config.threads)
        let open = Self.OpenConnections()
        // One reusable output buffer and one request-series shard per event loop (each written only on its loop).
        var scratches: [ObjectIdentifier: OutputScratch] = [:]
        var loopShards: [ObjectIdentifier: StatsShard] = [:]
        for (i, loop) in group.makeIterator().enumerated() {
            scratches[ObjectIdentifier(loop)] = OutputScratch()
            loopShards[ObjectIdentifier(loop)] = state.shard(i)
        }
        let outputScratch = scratches
        let shards = loopShards
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    // Over the connection limit: answer 503 and close at once (the limit keeps the
                    // process below its file-descriptor limit, so accept never fails and never spins).
                    guard open.add(limit: limit) else {
                        state.recordRefusedConnection()
                        try channel.pipeline.syncOperations.addHandler(ConnectionLimitRefusal(limit: limit))
                        return
                    }
                    channel.closeFuture.whenComplete { _ in open.remove() }
                    // Request decoding only (the common request by hand, anything unusual by NIO's
                    // decoder): the handler serializes responses itself and serves pipelined requests in order.
                    let progress = RequestProgress()
                    try channel.pipeline.syncOperations.addHandler(FastRequestDecoder(progress: progress))
                    try channel.pipeline.syncOperations.addHandler(
                        MockConnectionHandler(
                            state: state, settings: settings, progress: progress,
                            scratch: outputScratch[ObjectIdentifier(channel.eventLoop)],
                            shard: shards[ObjectIdentifier(channel.eventLoop)] ?? state.shard(0)))
                }
            }
        do {
            let channel = try await bootstrap.bind(host: config.host, port: config.port).get()
            let port = channel.localAddress?.port ?? config.port
            return MockServer(config: config, state: state, port: port, group: group, channel: channel)
        } catch {
            try? await group.shutdownGracefully()
            throw MockServerError(message: "cannot listen on \(config.host):\(config.port): \(error)")
        }
    }

    /// The call-log records after `after` (the in-process equivalent of `GET /_squall/calls`; the
    /// same records, the same cursor semantics).
    public func calls(after: UInt64, limit: Int = CallLog.defaultPage) -> CallLogPage {
        state.calls(after: after, limit: limit)
    }

    /// Starts a run atomically (the in-process equivalent of `POST /_squall/run`).
    @discardableResult
    public func startRun(_ start: RunStart) -> RunStarted { state.startRun(start) }

    /// Stops accepting, closes every connection and releases the threads. Safe to call twice.
    public func stop() async {
        let first = stopped.withLock { s in
            defer { s = true }
            return !s
        }
        guard first else { return }
        try? await channel.close()
        try? await group.shutdownGracefully()
    }

    /// Completes when the listening socket closes.
    public func waitUntilClosed() async {
        try? await channel.closeFuture.get()
    }

    /// Connections open now, against the limit.
    final class OpenConnections: Sendable {
        private let count = Atomic<Int>(0)
        /// Counts one more connection unless `limit` are open.
        func add(limit: Int) -> Bool {
            while true {
                let n = count.load(ordering: .relaxed)
                guard n < limit else { return false }
                if count.compareExchange(expected: n, desired: n + 1, ordering: .relaxed).exchanged { return true }
            }
        }
        /// One connection closed.
        func remove() { count.subtract(1, ordering: .relaxed) }
    }

    /// The connection limit when none is configured: the soft file-descriptor limit less a reserve
    /// for the event loops (3 descriptors each), the listening socket, log and profile files.
    public static func defaultMaxConnections(threads: Int) -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max else { return 1 << 20 }
        let reserve = 32 + 4 * max(1, threads)
        return max(8, Int(min(limit.rlim_cur, 1 << 20)) - reserve)
    }

    static func amount(_ d: Duration) -> TimeAmount {
        let c = d.components
        return .nanoseconds(c.seconds * 1_000_000_000 + c.attoseconds / 1_000_000_000)
    }
}
