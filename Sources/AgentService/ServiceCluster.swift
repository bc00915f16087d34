import LiveRuntime
import LoadGen
import CurlClient
import Foundation
import Logging
import RedisStore
import Reliability
import ServiceLifecycle

/// Several in-process replicas of the service on loopback ports, each with its own reliability stack
/// (breaker, retry budget) and all sharing one Redis (or, for a single replica, in-memory stores). What a
/// live scenario starts to drive LoadGen → service → LLM over real HTTP, and to shut one replica down
/// mid-load exactly as SIGTERM would (`shutdown(replica:)`).
public final class ServiceCluster: Sendable {
    /// One running replica.
    public struct Replica: Sendable {
        /// The replica's name (also written into task records).
        public let id: String
        /// Its base URL, e.g. `http://127.0.0.1:41234`.
        public let url: String
        /// The service (engine, metrics).
        public let service: AgentService
        let group: ServiceGroup
        let run: Task<Void, any Error>
    }

    /// The replicas, in start order.
    public let replicas: [Replica]
    /// The task store they share (read records through it after a replica is gone).
    public let store: any TaskStore
    private let redis: RedisClient?
    private let http: CurlHTTPClient

    private init(replicas: [Replica], store: any TaskStore, redis: RedisClient?, http: CurlHTTPClient) {
        self.replicas = replicas
        self.store = store
        self.redis = redis
        self.http = http
    }

    /// Starts `count` replicas on `127.0.0.1` with free ports. More than one replica needs `redis`.
    /// - Parameters:
    ///   - configuration: every replica's settings (host, port and replica id are set per replica).
    ///   - stack: the reliability stack each replica runs tasks through.
    ///   - llmURL: base URL of the OpenAI-compatible LLM.
    ///   - redis: shared stores; nil keeps a single replica's stores in memory.
    ///   - namespace: Redis key prefix. Default `squall`.
    ///   - timeScale: compresses the stack's durations. Default 1.
    ///   - timeline: the one timeline every replica's stack runs on (its scale wins over `timeScale`);
    ///     default a new one at `timeScale`.
    ///   - onEvent: receives every replica's stack events (replica index, event) at the instants they
    ///     happen, on `timeline`. Default none.
    public static func start(
        count: Int, configuration: AgentServiceConfiguration, stack: StackConfig, llmURL: String,
        redis: RedisConfiguration? = nil, namespace: String = "squall", timeScale: Double = 1,
        timeline: LiveTimeline? = nil, onEvent: (@Sendable (Int, LiveEvent) -> Void)? = nil,
        logger: Logger = Logger(label: "squall.service")
    ) async throws(ServeFailure) -> ServiceCluster {
        let timeline = timeline ?? LiveTimeline(scale: timeScale)
        guard count >= 1 else { throw ServeFailure("a cluster needs at least one replica") }
        guard count == 1 || redis != nil else { throw ServeFailure("\(count) replicas need Redis to share tasks and keys") }
        var redisClient: RedisClient?
        let store: any TaskStore
        let idempotency: any IdempotencyStore
        if let redis {
            do { redisClient = try await RedisClient.connect(redis) } catch { throw ServeFailure(error.description) }
            store = RedisBackedTaskStore(client: redisClient!, namespace: namespace, recordTTL: configuration.idempotencyTTL)
            idempotency = RedisIdempotencyStore(client: redisClient!, prefix: namespace + ":idem:")
        } else {
            store = InMemoryTaskStore()
            idempotency = InMemoryIdempotencyStore()
        }
        let http: CurlHTTPClient
        do { http = try CurlHTTPClient(configuration: HTTPClientConfiguration(maxConnections: max(16, configuration.workers * count * 2))) } catch {
            throw ServeFailure(error.description)
        }
        var replicas: [Replica] = []
        for i in 0..<count {
            var c = configuration
            c.host = "127.0.0.1"
            c.port = 0
            c.replicaID = "replica-\(i)"
            var replicaEvents: LiveEventHandler?
            if let onEvent {
                let replica = i
                replicaEvents = { event in onEvent(replica, event) }
            }
            let runner = LiveTaskRunner(
                config: stack, transport: HTTPLLMTransport(baseURL: llmURL, client: CurlLoadClient(client: http)),
                timeline: timeline, logger: logger, onEvent: replicaEvents)
            let service = AgentService(configuration: c, store: store, idempotency: idempotency, runner: runner, logger: logger)
            let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
            let group = service.makeServiceGroup(gracefulShutdownSignals: []) { port in
                continuation.yield(port)
                continuation.finish()
            }
            let run = Task {
                defer { continuation.finish() }
                try await group.run()
            }
            var port = 0
            for await p in ports { port = p }
            guard port > 0 else {
                for r in replicas { await r.group.triggerGracefulShutdown() }
                run.cancel()
                throw ServeFailure("replica \(i) could not listen on 127.0.0.1")
            }
            replicas.append(Replica(id: c.replicaID, url: "http://127.0.0.1:\(port)", service: service, group: group, run: run))
        }
        return ServiceCluster(replicas: replicas, store: store, redis: redisClient, http: http)
    }

    /// Shuts replica `index` down the way SIGTERM does and waits for its drain; returns the drain time in seconds.
    @discardableResult
    public func shutdown(replica index: Int) async -> Double? {
        let r = replicas[index]
        await r.group.triggerGracefulShutdown()
        _ = try? await r.run.value
        return r.service.engine.metrics.lastDrainSeconds
    }

    /// Shuts every replica down (last first), then closes the shared clients.
    public func stop() async {
        for i in replicas.indices.reversed() { await shutdown(replica: i) }
        await http.shutdown()
        redis?.close()
    }
}
