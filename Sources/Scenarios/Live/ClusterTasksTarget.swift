import AgentService
import Foundation
import LoadGen
import Reliability
import Synchronization

/// The replicas of an in-process `ServiceCluster` as one LoadGen target, behind a simple load
/// balancer: an original goes to replica `index % n` and its duplicate to the next replica (so
/// duplicates split across replicas at the same instant); a submission answered 503 (draining) or
/// refused goes to the next replica; polls move to another replica when one stops answering, and
/// read the shared store directly when none answers. Every task id accepted with 202 is recorded
/// so the run can check afterwards that none was lost.
struct ClusterTasksTarget: LoadTarget {
    var name: String { "service" }
    /// Replica base URLs, in replica order.
    let urls: [String]
    let client: any LoadHTTPClient
    let timeline: LiveTimeline
    /// The store the replicas share (read when no replica answers a poll).
    let store: any TaskStore
    /// Real time between polls.
    let pollInterval: Duration
    /// How long a task may take before the run gives up on it, scenario time.
    let taskTimeout: Duration
    /// Per-request timeout, real time.
    let requestTimeout: Duration
    let ledger = Ledger()
    /// Where submissions' and polls' latencies are recorded (real time).
    let probe: ServiceLatencyProbe

    /// What the target saw: accepted task ids and failovers.
    final class Ledger: Sendable {
        struct State {
            var accepted: [String] = []
            var seen = Set<String>()
            var failovers = 0
        }
        let state = Mutex(State())
        func accept(_ id: String) {
            state.withLock { s in if s.seen.insert(id).inserted { s.accepted.append(id) } }
        }
        func failover() { state.withLock { $0.failovers += 1 } }
        var accepted: [String] { state.withLock { $0.accepted } }
        var failovers: Int { state.withLock { $0.failovers } }
    }

    func run(_ task: LoadTask) async -> TargetResult {
        let n = urls.count
        let primary = (task.index + (task.duplicate != nil ? 1 : 0)) % n
        let body =
            "{\"task\":" + JSONText.quoted(task.prompt) + ",\"idempotency_key\":" + JSONText.quoted(task.idempotencyKey) + "}"
        var reply: HTTPReply?
        var replica = primary
        var last = ""
        for step in 0..<n {
            replica = (primary + step) % n
            if step > 0 { ledger.failover() }
            let post = HTTPCall(
                method: "POST", url: urls[replica] + "/tasks",
                headers: [HTTPField("Content-Type", "application/json"), HTTPField("Idempotency-Key", task.idempotencyKey)],
                body: Array(body.utf8), timeout: requestTimeout)
            switch await probe.timed(.accept, post, client: client) {
            case .failure(let e):
                last = e.failure.rawValue
                continue  // refused, reset, timed out: the balancer tries the next replica
            case .success(let r):
                last = String(r.status)
                if r.status == 503 { continue }
                reply = r
            }
            break
        }
        guard let reply else {
            if let status = Int(last) { return TasksTarget.submitRefusal(status)! }
            return TasksTarget.submitFailed(TransportFailure(rawValue: last) ?? .malformed)
        }
        if let refused = TasksTarget.submitRefusal(reply.status) { return refused }
        if reply.header("Idempotent-Replayed")?.lowercased() == "true" {
            // The service matched the key to an existing task (on any replica) and answered with it.
            return TargetResult(status: .replayed, attempts: 0, calls: 0, lastOutcome: "replay")
        }
        let doc = Self.document(reply.body)
        guard let id = doc?["task_id"] as? String else {
            return TargetResult(status: .failed, attempts: 0, calls: 0, lastOutcome: "malformed")
        }
        ledger.accept(id)
        if let done = Self.terminal(doc) { return done }
        let giveUpAt = timeline.now() + taskTimeout
        var lastSeen = String(reply.status)
        while timeline.now() < giveUpAt {
            do { try await Task.sleep(for: pollInterval) } catch {
                return TargetResult(status: .failed, cause: .shutdown, attempts: 0, calls: 0, lastOutcome: lastSeen)
            }
            var answered = false
            for step in 0..<n {
                let r = (replica + step) % n
                switch await probe.timed(.poll, HTTPCall(method: "GET", url: urls[r] + "/tasks/" + id, timeout: requestTimeout), client: client) {
                case .failure(let e):
                    lastSeen = e.failure.rawValue
                    continue
                case .success(let got):
                    lastSeen = String(got.status)
                    guard (200..<300).contains(got.status) else { continue }
                    replica = r
                    answered = true
                    if let done = Self.terminal(Self.document(got.body)) { return done }
                }
                break
            }
            if !answered, let record = try? await store.get(id: id), record.status.isTerminal {
                // No replica answers (all shut down): read the shared store, as an operator would.
                return Self.terminal(Self.document(record.jsonBytes()))
                    ?? TargetResult(status: .failed, attempts: 0, calls: 0, lastOutcome: "malformed")
            }
        }
        return TargetResult(status: .failed, cause: .deadlineExceeded, attempts: 0, calls: 0, lastOutcome: lastSeen)
    }

    static func document(_ body: [UInt8]) -> [String: Any]? {
        guard !body.isEmpty else { return nil }
        return (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
    }

    /// The result of a finished task document (`GET /tasks/{id}`); nil while it is pending or running.
    static func terminal(_ doc: [String: Any]?) -> TargetResult? {
        guard let doc, let status = doc["status"] as? String else { return nil }
        let attempts = doc["attempts"] as? Int ?? 0
        let model = doc["model"] as? String
        switch status {
        case "complete":
            return TargetResult(status: .succeeded, attempts: attempts, calls: attempts, lastOutcome: "complete", model: model)
        case "failed":
            return TargetResult(
                status: .failed, cause: (doc["cause"] as? String).flatMap(FailureCause.init(rawValue:)), attempts: attempts,
                calls: attempts, lastOutcome: "failed", model: model)
        default:
            return nil
        }
    }
}
