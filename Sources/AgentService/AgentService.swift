import HTTPTypes
import Hummingbird
import NIOCore
import Logging
import Reliability
import ServiceLifecycle
import UnixSignals

/// The reference production task service: `POST /tasks`, `GET /tasks/{id}`, `GET /health`,
/// `GET /metrics` on Hummingbird, a bounded worker pool, and graceful shutdown through
/// swift-service-lifecycle. Run `makeServiceGroup(...).run()`; SIGTERM/SIGINT (or
/// `triggerGracefulShutdown()`) drain it.
public struct AgentService: Sendable {
    /// The endpoints' logic.
    public let api: TaskAPI
    /// The worker pool.
    public var engine: TaskEngine { api.engine }
    /// The configuration.
    public var configuration: AgentServiceConfiguration { api.engine.configuration }
    private let logger: Logger

    /// Creates a service over a store, an idempotency store and a runner.
    public init(
        configuration: AgentServiceConfiguration, store: any TaskStore, idempotency: any IdempotencyStore,
        runner: any TaskRunner, logger: Logger = Logger(label: "squall.service")
    ) {
        let engine = TaskEngine(
            configuration: configuration, store: store, runner: runner, logger: logger, startsWhenListening: true)
        api = TaskAPI(engine: engine, idempotency: idempotency, logger: logger)
        self.logger = logger
    }

    /// The Hummingbird router with the four endpoints.
    public func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        let api = self.api
        let maxBody = configuration.maxBodyBytes
        router.post("/tasks") { request, _ -> Response in
            var request = request
            let body: [UInt8]
            do {
                let buffer = try await request.collectBody(upTo: maxBody)
                body = Array(buffer.readableBytesView)
            } catch is NIOTooManyBytesError {
                api.engine.metrics.rejected("invalid")
                return Self.wire(.error(APIError(status: 413, field: "body", message: "request body exceeds \(maxBody) bytes")))
            } catch {
                api.engine.metrics.rejected("invalid")
                return Self.wire(.error(APIError(status: 400, field: "body", message: "request body could not be read: it ended early or broke off")))
            }
            let key = request.headers[HTTPField.Name("Idempotency-Key")!]
            return Self.wire(await api.submit(body: body, headerKey: key))
        }
        router.get("/tasks/:id") { _, context -> Response in
            Self.wire(await api.task(id: context.parameters.get("id") ?? ""))
        }
        router.get("/health") { _, _ -> Response in Self.wire(await api.health()) }
        router.get("/metrics") { _, _ -> Response in Self.wire(await api.metrics()) }
        return router
    }

    /// The service group: the worker pool and the HTTP server, shut down in reverse order (so the
    /// server keeps answering polls and 503s while the workers drain). `onListening` receives the bound port.
    public func makeServiceGroup(
        gracefulShutdownSignals: [UnixSignal] = [.sigterm, .sigint],
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> ServiceGroup {
        let app = Application(
            router: makeRouter(),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            onServerRunning: { [engine] channel in
                engine.markListening()
                await onListening(channel.localAddress?.port ?? 0)
            },
            logger: logger)
        return ServiceGroup(
            configuration: .init(
                services: [
                    .init(service: app),
                    .init(service: engine),
                ],
                gracefulShutdownSignals: gracefulShutdownSignals, logger: logger))
    }

    static func wire(_ r: APIResponse) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = r.contentType
        for (name, value) in r.headers {
            if let n = HTTPField.Name(name) { headers[n] = value }
        }
        return Response(
            status: HTTPResponse.Status(code: r.status), headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: r.body)))
    }
}
