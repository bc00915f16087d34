import LiveRuntime
import LoadGen
import CurlClient
import Foundation
import Logging
import RedisStore
import Reliability
import ServiceLifecycle
import Synchronization
import UnixSignals

/// The service could not be started or kept running (port in use, Redis unreachable): the CLI exits 3.
public struct ServeFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, for a person.
    public var message: String
    /// Creates a failure.
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Wires `squall serve`: stores (memory or Redis), the libcurl LLM transport, the live reliability stack,
/// and the service group with SIGTERM/SIGINT as graceful shutdown.
public enum ServeLauncher {
    /// Runs until a shutdown signal has drained the service. `onListening` receives the bound port.
    public static func run(
        _ resolved: ServeOptions.Resolved, apiKey: String? = nil, logger: Logger = Logger(label: "squall.service"),
        signals: [UnixSignal] = [.sigterm, .sigint], onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws(ServeFailure) {
        let config = resolved.service
        var redisClient: RedisClient?
        let store: any TaskStore
        let idempotency: any IdempotencyStore
        if let url = resolved.redis {
            let redisConfig: RedisConfiguration
            do { redisConfig = try RedisConfiguration(url: url) } catch { throw ServeFailure(error.description) }
            do {
                let client = try await RedisClient.connect(redisConfig)
                redisClient = client
                store = RedisBackedTaskStore(
                    client: client, namespace: resolved.redisNamespace, recordTTL: config.idempotencyTTL)
                idempotency = RedisIdempotencyStore(client: client, prefix: resolved.redisNamespace + ":idem:")
            } catch {
                throw ServeFailure(error.description)
            }
        } else {
            store = InMemoryTaskStore()
            idempotency = InMemoryIdempotencyStore()
        }
        let http: CurlHTTPClient
        do {
            http = try CurlHTTPClient(
                configuration: HTTPClientConfiguration(maxConnections: max(16, config.workers * 2)))
        } catch {
            throw ServeFailure(error.description)
        }
        let transport = HTTPLLMTransport(
            baseURL: resolved.llmURL, client: CurlLoadClient(client: http),
            extraHeaders: apiKey.map { [HTTPField("Authorization", "Bearer " + $0)] } ?? [])
        let runner = LiveTaskRunner(
            config: resolved.stack, transport: transport, timeline: LiveTimeline(scale: resolved.timeScale), logger: logger)
        let service = AgentService(
            configuration: config, store: store, idempotency: idempotency, runner: runner, logger: logger)
        let listening = Mutex(false)
        let group = service.makeServiceGroup(gracefulShutdownSignals: signals) { port in
            listening.withLock { $0 = true }
            logger.notice(
                "squall serve: listening on http://\(config.host):\(port) (llm \(transport.url), store \(resolved.redis ?? "memory"), workers \(config.workers), queue \(config.queueLimit), replica \(config.replicaID))")
            await onListening(port)
        }
        defer { redisClient?.close() }
        do {
            try await group.run()
        } catch {
            await http.shutdown()
            if !listening.withLock({ $0 }) {
                throw ServeFailure("cannot listen on \(config.host):\(config.port): \(error)")
            }
            throw ServeFailure("the service stopped: \(error)")
        }
        await http.shutdown()
    }
}
