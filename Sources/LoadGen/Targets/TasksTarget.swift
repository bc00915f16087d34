import Foundation
import Reliability

/// An HTTP task service as a target. Contract: `POST /tasks` with the key both as the
/// `Idempotency-Key` header and the body's `idempotency_key` → `202 {"task_id": …}`; then
/// `GET /tasks/{id}` until `status` is `complete` (or `completed`/`succeeded`) or `failed`.
/// `409` answers a duplicate in flight, `422` a key reused with another payload; a POST answered
/// with `Idempotent-Replayed: true`, or a duplicate answered with an already-finished task, counts
/// as `replayed`.
public struct TasksTarget: LoadTarget {
    public var name: String { "tasks" }
    /// The service's base URL.
    public let baseURL: String
    /// Time between polls, scenario time. Default 1 s.
    public let pollInterval: Duration
    /// How long a task may take before the run gives up on it, scenario time. Default 10 min.
    public let taskTimeout: Duration
    /// Per-request timeout, real time. Default 30 s.
    public let requestTimeout: Duration
    /// Where the submissions' and polls' latencies are recorded (real time); nil for none.
    public let probe: ServiceLatencyProbe?
    private let client: any LoadHTTPClient
    private let timeline: LiveTimeline

    /// Creates the target; see each property for its default.
    public init(
        baseURL: String, client: any LoadHTTPClient, timeline: LiveTimeline, pollInterval: Duration = .seconds(1),
        taskTimeout: Duration = .seconds(600), requestTimeout: Duration = .seconds(30), probe: ServiceLatencyProbe? = nil
    ) {
        self.probe = probe
        self.baseURL = Self.trimmed(baseURL)
        self.client = client
        self.timeline = timeline
        self.pollInterval = pollInterval
        self.taskTimeout = taskTimeout
        self.requestTimeout = requestTimeout
    }

    public func run(_ task: LoadTask) async -> TargetResult {
        let body =
            "{\"task\":" + JSONText.quoted(task.prompt) + ",\"idempotency_key\":"
            + JSONText.quoted(task.idempotencyKey) + "}"
        let post = HTTPCall(
            method: "POST", url: baseURL + "/tasks",
            headers: [HTTPField("Content-Type", "application/json"), HTTPField("Idempotency-Key", task.idempotencyKey)],
            body: Array(body.utf8), timeout: requestTimeout)
        let reply: HTTPReply
        switch await send(.accept, post) {
        case .failure(let e): return Self.submitFailed(e.failure)
        case .success(let r): reply = r
        }
        if let refused = Self.submitRefusal(reply.status) { return refused }
        let first = Self.document(reply.body)
        if reply.header("Idempotent-Replayed")?.lowercased() == "true" {
            // The service matched the key to an existing task and answered with it: deduplicated.
            return TargetResult(status: .replayed, attempts: 0, calls: 0, lastOutcome: "replay")
        }
        if let terminal = Self.terminal(first) {
            // Answered with a finished task at once: a replay of a stored result.
            return task.duplicate != nil ? TargetResult(status: .replayed, attempts: 0, calls: 0, lastOutcome: "replay") : terminal
        }
        guard let id = (first?["task_id"] as? String) ?? (first?["id"] as? String) else {
            return TargetResult(status: .failed, attempts: 0, calls: 0, lastOutcome: "malformed")
        }
        let giveUpAt = timeline.now() + taskTimeout
        var lastSeen = String(reply.status)
        while timeline.now() < giveUpAt {
            do { try await timeline.sleep(untilScenario: min(giveUpAt, timeline.now() + pollInterval)) } catch {
                return TargetResult(status: .failed, cause: .shutdown, attempts: 0, calls: 0, lastOutcome: lastSeen)
            }
            switch await send(.poll, HTTPCall(method: "GET", url: baseURL + "/tasks/" + id, timeout: requestTimeout)) {
            case .failure(let e):
                lastSeen = e.failure.rawValue
            case .success(let r):
                lastSeen = String(r.status)
                guard (200..<300).contains(r.status) else { continue }
                if let done = Self.terminal(Self.document(r.body)) { return done }
            }
        }
        return TargetResult(status: .failed, cause: .deadlineExceeded, attempts: 0, calls: 0, lastOutcome: lastSeen)
    }

    /// `url` without trailing slashes.
    public static func trimmed(_ url: String) -> String {
        var b = url
        while b.hasSuffix("/") { b.removeLast() }
        return b
    }

    /// Sends `call`, timing it as `kind` when a probe is attached.
    func send(_ kind: ServiceRequestKind, _ call: HTTPCall) async -> Result<HTTPReply, TransportFailureError> {
        guard let probe else { return await client.send(call) }
        return await probe.timed(kind, call, client: client)
    }

    /// A submission that got no answer: `submit_timeout` (the service did not answer in time, e.g.
    /// a blocked event loop) or `submit_refused` (refused, reset, unreachable, broken answer) — the
    /// service never accepted the task, which is not a failure of the task itself.
    public static func submitFailed(_ failure: TransportFailure) -> TargetResult {
        TargetResult(
            status: .failed, cause: failure == .timeout ? .submitTimeout : .submitRefused, attempts: 0, calls: 0,
            lastOutcome: failure.rawValue)
    }

    /// The result of a submission answered with `status` when it is not an acceptance: 409 →
    /// conflict (a duplicate in flight), 422 → key mismatch, any other non-2xx → `submit_error`
    /// with the status as the last outcome; nil for a 2xx.
    public static func submitRefusal(_ status: Int) -> TargetResult? {
        switch status {
        case 409: return TargetResult(status: .conflict, attempts: 0, calls: 0, lastOutcome: "409")
        case 422: return TargetResult(status: .mismatch, cause: .idempotencyMismatch, attempts: 0, calls: 0, lastOutcome: "422")
        case 200..<300: return nil
        default: return TargetResult(status: .failed, cause: .submitError, attempts: 0, calls: 0, lastOutcome: String(status))
        }
    }

    static func document(_ body: [UInt8]) -> [String: Any]? {
        guard !body.isEmpty else { return nil }
        return (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
    }

    /// The result of a finished task document; nil while it is still running.
    static func terminal(_ doc: [String: Any]?) -> TargetResult? {
        guard let doc, let status = (doc["status"] as? String)?.lowercased() else { return nil }
        let attempts = doc["attempts"] as? Int ?? 1
        switch status {
        case "complete", "completed", "succeeded", "success", "done":
            return TargetResult(status: .succeeded, attempts: attempts, calls: attempts, lastOutcome: "complete")
        case "failed", "error":
            let causeText = (doc["cause"] as? String) ?? (doc["error"] as? String)
            return TargetResult(
                status: .failed, cause: causeText.flatMap(FailureCause.init(rawValue:)), attempts: attempts, calls: attempts,
                lastOutcome: "failed")
        default:
            return nil
        }
    }
}
