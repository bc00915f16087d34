import Foundation
import Logging
import Reliability

/// An HTTP answer before it is put on the wire.
public struct APIResponse: Sendable, Hashable {
    /// Status code.
    public var status: Int
    /// Extra headers (besides `Content-Type`).
    public var headers: [String: String]
    /// Content type. Default JSON.
    public var contentType: String
    /// Body bytes.
    public var body: [UInt8]

    /// A JSON answer.
    public static func json(_ status: Int, _ body: [UInt8], headers: [String: String] = [:]) -> APIResponse {
        APIResponse(status: status, headers: headers, contentType: "application/json", body: body)
    }

    /// An error answer, with `Retry-After` when the error carries one.
    public static func error(_ e: APIError) -> APIResponse {
        var headers: [String: String] = [:]
        if let s = e.retryAfterSeconds { headers["Retry-After"] = String(s) }
        return .json(e.status, e.jsonBytes, headers: headers)
    }
}

/// The endpoints' logic, independent of the HTTP framework: submission with idempotency, lookup,
/// health and metrics.
public struct TaskAPI: Sendable {
    /// The worker pool (admission, drain state).
    public let engine: TaskEngine
    /// Idempotency keys → task ids, atomic across replicas when shared.
    public let idempotency: any IdempotencyStore
    private let logger: Logger
    private let origin = ContinuousClock.now

    /// Creates the API.
    public init(engine: TaskEngine, idempotency: any IdempotencyStore, logger: Logger = Logger(label: "squall.service")) {
        self.engine = engine
        self.idempotency = idempotency
        self.logger = logger
    }

    var configuration: AgentServiceConfiguration { engine.configuration }
    var retryAfterSeconds: Int {
        let (s, a) = configuration.retryAfter.components
        return Int(s) + (a > 0 ? 1 : 0)
    }

    private func elapsed() -> Duration { origin.duration(to: .now) }

    private var drainingError: APIError {
        APIError(status: 503, message: "the service is shutting down; retry on another replica", retryAfterSeconds: retryAfterSeconds)
    }

    private func unavailable(_ error: any Error) -> APIError {
        logger.error("Store unavailable", metadata: ["error": "\(error)"])
        return APIError(status: 503, message: "task store unavailable: \(error)", retryAfterSeconds: retryAfterSeconds)
    }

    /// `POST /tasks`.
    public func submit(body: [UInt8], headerKey: String?) async -> APIResponse {
        if engine.isDraining {
            engine.metrics.rejected("draining")
            return .error(drainingError)
        }
        let submission: TaskSubmission
        do { submission = try TaskSubmission.parse(body: body, headerKey: headerKey, configuration: configuration) } catch {
            engine.metrics.rejected("invalid")
            return .error(error)
        }
        do {
            if let key = submission.idempotencyKey {
                return try await submitIdempotent(submission, key: key)
            }
            return try await submitNew(submission).response
        } catch let e as APIError {
            return .error(e)
        } catch {
            return .error(unavailable(error))
        }
    }

    private func submitNew(_ s: TaskSubmission) async throws -> (response: APIResponse, accepted: Bool, id: String) {
        let record = TaskRecord(
            id: Self.newTaskID(), task: s.task, userID: s.userID, idempotencyKey: s.idempotencyKey,
            createdAt: Date().timeIntervalSince1970)
        switch try await engine.submit(record) {
        case .accepted:
            engine.metrics.accepted()
            return (.json(202, Self.acceptedBody(record.id)), true, record.id)
        case .queueFull:
            engine.metrics.rejected("queue_full")
            let e = APIError(
                status: 429, message: "the task queue is full (\(configuration.queueLimit) waiting); retry later",
                retryAfterSeconds: retryAfterSeconds)
            return (.error(e), false, record.id)
        case .draining:
            engine.metrics.rejected("draining")
            return (.error(drainingError), false, record.id)
        }
    }

    private func submitIdempotent(_ s: TaskSubmission, key: String) async throws -> APIResponse {
        let giveUp = ContinuousClock.now + configuration.idempotencyWait
        while true {
            let claim = try await idempotency.claim(
                key: key, fingerprint: s.fingerprint, now: elapsed(), ttl: configuration.idempotencyClaimTTL)
            switch claim {
            case .claimed:
                let created: (response: APIResponse, accepted: Bool, id: String)
                do { created = try await submitNew(s) } catch {
                    try? await idempotency.release(key: key)
                    throw error
                }
                guard created.accepted else {
                    try? await idempotency.release(key: key)
                    return created.response
                }
                do {
                    try await idempotency.complete(
                        key: key, fingerprint: s.fingerprint, result: StoredResult(succeeded: true, body: created.id),
                        now: elapsed(), ttl: configuration.idempotencyTTL)
                } catch {
                    logger.error(
                        "Could not record the idempotency key's task; the claim expires by itself",
                        metadata: ["key": "\(key)", "task": "\(created.id)", "error": "\(error)"])
                }
                return created.response
            case .completed(let stored):
                engine.metrics.duplicate()
                let id = stored.body
                var headers = ["Idempotent-Replayed": "true"]
                headers["Location"] = "/tasks/" + id
                if let record = try await engine.store.get(id: id) {
                    return .json(202, record.jsonBytes(), headers: headers)
                }
                return .json(202, Self.acceptedBody(id, status: "unknown"), headers: headers)
            case .inFlight:
                // Another replica is creating the task this very moment; its id appears within milliseconds.
                if ContinuousClock.now >= giveUp {
                    engine.metrics.rejected("conflict")
                    throw APIError(
                        status: 409, field: "idempotency_key",
                        message: "a request with this idempotency key is still being accepted; retry", retryAfterSeconds: 1)
                }
                try? await Task.sleep(for: .milliseconds(5))
            case .mismatch:
                engine.metrics.rejected("idempotency_mismatch")
                throw APIError(
                    status: 422, field: "idempotency_key",
                    message: "this idempotency key was used with a different task or user_id")
            }
        }
    }

    /// `GET /tasks/{id}`.
    public func task(id: String) async -> APIResponse {
        guard (1...128).contains(id.utf8.count), id.utf8.allSatisfy({ Self.idByte($0) }) else {
            return .error(APIError(status: 400, field: "id", message: "task ids are 1 to 128 characters of A-Z a-z 0-9 - _"))
        }
        do {
            guard let record = try await engine.store.get(id: id) else {
                return .error(APIError(status: 404, field: "id", message: "no task with id \(id)"))
            }
            return .json(200, record.jsonBytes())
        } catch {
            return .error(unavailable(error))
        }
    }

    /// `GET /health`: 200 `{"status":"ok",…}`; 503 `{"status":"draining",…}` during shutdown; 503
    /// `{"status":"degraded","reason":…}` while the task store (Redis) does not answer — every
    /// submission would get 503 then, so a load balancer should send traffic elsewhere.
    public func health() async -> APIResponse {
        let draining = engine.isDraining
        var status = draining ? "draining" : "ok"
        var reason: String?
        if !draining {
            do { try await engine.store.checkHealth() } catch {
                status = "degraded"
                reason = "task store unavailable: \(error)"
                engine.metrics.storeUnavailable()
            }
        }
        var object: [String: Any] = [
            "status": status, "tasks_in_flight": engine.inFlight, "replica": configuration.replicaID,
        ]
        if let reason { object["reason"] = reason }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        let healthy = status == "ok"
        return .json(healthy ? 200 : 503, Array(data), headers: healthy ? [:] : ["Retry-After": String(retryAfterSeconds)])
    }

    /// `GET /metrics` in the Prometheus text format.
    public func metrics() async -> APIResponse {
        let depth = try? await engine.store.pendingCount()
        let text = engine.metrics.render(queueDepth: depth, workers: configuration.workers)
        return APIResponse(status: 200, headers: [:], contentType: "text/plain; version=0.0.4", body: Array(text.utf8))
    }

    static func acceptedBody(_ id: String, status: String = "pending") -> [UInt8] {
        Array("{\"status\":\"\(status)\",\"task_id\":\"\(id)\"}".utf8)
    }

    static func newTaskID() -> String {
        "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
    }

    static func idByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D || b == 0x5F
    }
}
