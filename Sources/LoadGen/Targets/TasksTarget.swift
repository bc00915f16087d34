import Foundation
import LiveRuntime
import OrderedCollections
import Reliability
import Synchronization

/// A task service as a target, driven by its `TaskContract` (default: `POST /tasks` with the key as
/// the `Idempotency-Key` header and the body's `idempotency_key` → `202 {"task_id": …}`, then
/// `GET /tasks/{id}` until `status` is `complete` or `failed`). The one tasks target of Squall:
/// `squall load --target tasks`, `squall run --target-url` and the reference service's replicas
/// (`service:`) all use it.
///
/// With several base URLs it is a small load balancer: an original goes to replica `index % n`
/// and its duplicate to the next one (duplicates split across replicas at the same instant); a
/// submission answered 503 (draining) or not answered goes to the next replica; polls move to
/// another replica when one stops answering, and read `fallback` (the shared store) when none does.
///
/// A submission that is not accepted fails with its own cause (`submit_timeout`, `submit_refused`,
/// `submit_error`); 409 is a conflict (a duplicate in flight), 422 a key mismatch. A duplicate is
/// deduplicated (`replayed`) when the service says so (`replayedHeader: true`), answers with an
/// already-finished task, or gives it the original's task id. An answer that does not match the
/// contract fails as `contract_id` (no id) or `contract_status` (no or an unknown status).
public struct TasksTarget: LoadTarget {
    /// A short name for summaries. Default `tasks`.
    public let name: String
    /// The service's base URLs (one per replica).
    public let urls: [String]
    /// The first base URL.
    public var baseURL: String { urls[0] }
    /// How the service is driven.
    public let contract: TaskContract
    /// Time between polls, scenario time. Default 1 s.
    public let pollInterval: Duration
    /// How long a task may take before the run gives up on it, scenario time. Default 10 min.
    public let taskTimeout: Duration
    /// Per-request timeout, real time. Default 30 s.
    public let requestTimeout: Duration
    /// Where the submissions' and polls' latencies are recorded (real time); nil for none.
    public let probe: ServiceLatencyProbe?
    /// What the target saw (accepted task ids, failovers); nil to keep nothing.
    public let ledger: TasksLedger?
    /// Reads a task's document when no replica answers its poll (e.g. from the replicas' shared
    /// store); nil for none.
    public let fallback: (@Sendable (String) async -> [UInt8]?)?
    /// Whether to stop polling a task no replica answers (e.g. the service process has exited); the
    /// task then fails with cause `shutdown`. Nil: poll until the task timeout.
    public let abandon: (@Sendable () -> Bool)?
    private let client: any LoadHTTPClient
    private let timeline: LiveTimeline
    private let originals = OriginalIDs()

    /// A target for the service at `baseURL`; see each property for its default.
    public init(
        baseURL: String, client: any LoadHTTPClient, timeline: LiveTimeline, contract: TaskContract = .reference,
        pollInterval: Duration = .seconds(1), taskTimeout: Duration = .seconds(600), requestTimeout: Duration = .seconds(30),
        probe: ServiceLatencyProbe? = nil
    ) {
        self.init(
            urls: [baseURL], client: client, timeline: timeline, contract: contract, pollInterval: pollInterval,
            taskTimeout: taskTimeout, requestTimeout: requestTimeout, probe: probe)
    }

    /// A target balancing over the replicas at `urls` (at least one); see each property for its default.
    public init(
        urls: [String], name: String = "tasks", client: any LoadHTTPClient, timeline: LiveTimeline, contract: TaskContract = .reference,
        pollInterval: Duration = .seconds(1), taskTimeout: Duration = .seconds(600), requestTimeout: Duration = .seconds(30),
        probe: ServiceLatencyProbe? = nil, ledger: TasksLedger? = nil, fallback: (@Sendable (String) async -> [UInt8]?)? = nil,
        abandon: (@Sendable () -> Bool)? = nil
    ) {
        self.abandon = abandon
        precondition(!urls.isEmpty, "a tasks target needs a base URL")
        self.name = name
        self.urls = urls.map(Self.trimmed)
        self.client = client
        self.timeline = timeline
        self.contract = contract
        self.pollInterval = pollInterval
        self.taskTimeout = taskTimeout
        self.requestTimeout = requestTimeout
        self.probe = probe
        self.ledger = ledger
        self.fallback = fallback
    }

    public func run(_ task: LoadTask) async -> TargetResult {
        // Submission and polling are separate functions, never inlined here: a task in flight
        // holds its async frames until it ends, and a frame keeps a slot for everything any path
        // holds across a suspension. While it polls (most of its life), a task holds only the
        // polling frame, not the submission's (see `LiveExecutor.run`).
        switch await submit(task) {
        case .ended(let result): return result
        case .poll(let id, let replica, let lastSeen): return await poll(task, id: id, replica: replica, lastSeen: lastSeen)
        }
    }

    /// How a submission ended: with the task's result, or accepted and to be polled.
    enum Submitted {
        case ended(TargetResult)
        case poll(id: String, replica: Int, lastSeen: String)
    }

    /// Submits the task (failing over to the next replica on a refusal or a 503) and reads the
    /// answer: a result when there is nothing to poll (refused, replayed, synchronous, finished at
    /// once, no id), else the accepted task's id.
    @inline(never)
    func submit(_ task: LoadTask) async -> Submitted {
        let n = urls.count
        let primary = (max(0, task.index) + (task.duplicate != nil ? 1 : 0)) % n
        var headers = [HTTPField("Content-Type", "application/json")]
        if let h = contract.keyHeader { headers.append(HTTPField(h, task.idempotencyKey)) }
        let body = Array(contract.body.render(task: task.prompt, key: task.idempotencyKey).utf8)
        // An original with a duplicate to come publishes its task id as soon as it is answered, so
        // the duplicate (possibly in flight at the same time) can compare its own with it.
        let publishesID = task.duplicate == nil && task.duplicatedAs != nil
        if publishesID { originals.expect(task.idempotencyKey) }
        var answer: HTTPReply?
        // Why no replica accepted: the last status (a 503) or transport failure.
        var unansweredStatus: Int?
        var unansweredFailure = TransportFailure.refused
        var replica = primary
        for step in 0..<n {
            replica = (primary + step) % n
            if step > 0 { ledger?.failover() }
            let post = HTTPCall(
                method: contract.method, url: urls[replica] + contract.path, headers: headers, body: body, timeout: requestTimeout)
            switch await send(.accept, post) {
            case .failure(let e):
                (unansweredStatus, unansweredFailure) = (nil, e.failure)
                continue  // refused, reset, timed out: the balancer tries the next replica
            case .success(let r):
                if r.status == 503, step < n - 1 {
                    unansweredStatus = 503
                    continue  // draining: the next replica
                }
                answer = r
            }
            break
        }
        guard let reply = answer, (200..<300).contains(reply.status) else {
            if publishesID { originals.resolve(task.idempotencyKey, nil) }
            if let refused = answer { return .ended(Self.submitRefusal(refused.status)!) }
            if let status = unansweredStatus { return .ended(Self.submitRefusal(status)!) }
            return .ended(Self.submitFailed(unansweredFailure))
        }
        let doc = Self.document(reply.body)
        let id = contract.id.text(in: doc)
        if publishesID { originals.resolve(task.idempotencyKey, id) }
        if let h = contract.replayedHeader, reply.header(h)?.lowercased() == "true" {
            // The service matched the key to an existing task and answered with it: deduplicated.
            return .ended(TargetResult(status: .replayed, attempts: 0, calls: 0, lastOutcome: "replay"))
        }
        if let id {
            if task.duplicate != nil, await originals.take(task.idempotencyKey) == id {
                // The same task as the original's: the service deduplicated the submission (the
                // ledger has the task already, from the original).
                return .ended(TargetResult(status: .replayed, attempts: 0, calls: 0, lastOutcome: "replay"))
            }
            ledger?.accept(id)
        }
        guard contract.pollPath != nil else {
            // A synchronous endpoint: its answer is the result (a 2xx without a status is a success),
            // so the task ended with it.
            let done: TargetResult
            switch contract.state(of: doc, requireStatus: false) {
            case .pending: done = result(.succeeded, doc)
            case .succeeded, .failed, .unknown: done = judge(doc, requireStatus: false) ?? result(.succeeded, doc)
            }
            if let id, done.cause != .contractStatus { ledger?.end(id) }
            return .ended(done)
        }
        guard let id else {
            return .ended(
                TargetResult(status: .failed, cause: .contractID, attempts: 0, calls: 0, lastOutcome: "no \(contract.id) in the answer"))
        }
        if let done = judge(doc, requireStatus: false) {
            if done.cause != .contractStatus { ledger?.end(id) }
            // Answered with a finished task at once: a replay of a stored result for a duplicate.
            return .ended(
                task.duplicate != nil && done.cause != .contractStatus
                    ? TargetResult(status: .replayed, attempts: 0, calls: 0, lastOutcome: "replay") : done)
        }
        return .poll(id: id, replica: replica, lastSeen: String(reply.status))
    }

    /// Polls the accepted task `id` until it finishes, the task timeout passes, or the run gives up on it.
    @inline(never)
    func poll(_ task: LoadTask, id: String, replica first: Int, lastSeen seen: String) async -> TargetResult {
        // The state is one object and every step a synchronous helper, so this frame, held while
        // the task is polled, stays small: 1.6 KB where `run`'s was 4 KB (`Benchmarks/load/frames.py`).
        let state = PollState(replica: first, lastSeen: seen)
        let url = contract.pollPath(id: id, key: task.idempotencyKey)!
        let giveUpAt = timeline.now() + taskTimeout
        while timeline.now() < giveUpAt {
            do { try await timeline.sleep(untilScenario: min(giveUpAt, timeline.now() + pollInterval)) } catch {
                state.stop(.shutdown)
                break
            }
            state.answered = false
            for step in 0..<urls.count {
                let r = (state.replica + step) % urls.count
                let reply = await send(.poll, HTTPCall(method: "GET", url: urls[r] + url, timeout: requestTimeout))
                if !observe(reply, replica: r, id: id, state) { break }
            }
            if state.result != nil { break }
            if !state.answered, let fallback, let bytes = await fallback(id), readStore(bytes, id: id, state) {
                // No replica answers (all shut down): read the shared store, as an operator would.
                break
            }
            if !state.answered, let abandon, abandon() {
                state.stop(.shutdown)
                break
            }
        }
        return state.result ?? state.failed(.deadlineExceeded)
    }

    /// A task being polled: the replica answering, the last status or failure seen, and the result once known.
    final class PollState {
        var replica: Int
        var lastSeen: String
        var answered = false
        var result: TargetResult?

        init(replica: Int, lastSeen: String) {
            self.replica = replica
            self.lastSeen = lastSeen
        }

        func failed(_ cause: FailureCause) -> TargetResult {
            TargetResult(status: .failed, cause: cause, attempts: 0, calls: 0, lastOutcome: lastSeen)
        }

        func stop(_ cause: FailureCause) { result = failed(cause) }
    }

    /// Takes one poll's answer from replica `r`; true to try the next replica (no 2xx answer).
    @inline(never)
    func observe(_ reply: Result<HTTPReply, TransportFailureError>, replica r: Int, id: String, _ state: PollState) -> Bool {
        switch reply {
        case .failure(let e):
            state.lastSeen = e.failure.rawValue
            return true
        case .success(let got):
            state.lastSeen = String(got.status)
            guard (200..<300).contains(got.status) else { return true }
            state.replica = r
            state.answered = true
            if let done = judge(Self.document(got.body), requireStatus: true) {
                if done.cause != .contractStatus { ledger?.end(id) }
                state.result = done
            }
            return false
        }
    }

    /// Reads the task's document from the shared store (`fallback`); true when it has finished.
    @inline(never)
    func readStore(_ bytes: [UInt8], id: String, _ state: PollState) -> Bool {
        guard let done = judge(Self.document(bytes), requireStatus: true) else { return false }
        ledger?.end(id)
        state.result = done
        return true
    }

    /// The result of a finished task document; nil while it is still running. A document outside
    /// the contract (no status where one is required, an unknown status) fails as `contract_status`.
    func judge(_ doc: Any?, requireStatus: Bool) -> TargetResult? {
        switch contract.state(of: doc, requireStatus: requireStatus) {
        case .pending: return nil
        case .succeeded: return result(.succeeded, doc)
        case .failed: return result(.failed, doc)
        case .unknown(let status):
            return TargetResult(
                status: .failed, cause: .contractStatus, attempts: 0, calls: 0,
                lastOutcome: status.map { "\(contract.status)=\($0)" } ?? "no \(contract.status)")
        }
    }

    func result(_ status: RecordStatus, _ doc: Any?) -> TargetResult {
        let attempts = (contract.attempts.value(in: doc) as? NSNumber)?.intValue ?? 0
        let model = contract.model.text(in: doc)
        if status == .succeeded {
            return TargetResult(status: .succeeded, attempts: attempts, calls: attempts, lastOutcome: "complete", model: model)
        }
        return TargetResult(
            status: .failed, cause: contract.cause.text(in: doc).flatMap(FailureCause.init(rawValue:)), attempts: attempts,
            calls: attempts, lastOutcome: "failed", model: model)
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

    static func document(_ body: [UInt8]) -> Any? {
        guard !body.isEmpty else { return nil }
        return try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed])
    }
}

/// What a tasks target saw: how many tasks the service accepted, those not yet seen in a terminal
/// state, and the submissions sent to another replica. Bounded by the tasks in flight: an id is
/// forgotten once its task is seen finished. With `keepsAccepted`, every accepted id is kept too,
/// for a caller that audits them all in a store afterwards (the in-process replicas, whose store
/// holds every task anyway).
public final class TasksLedger: Sendable {
    struct State {
        var acceptedCount = 0
        /// Accepted ids not yet seen finished, with their acceptance number.
        var open: [String: Int] = [:]
        /// Every accepted id in order, once each, when kept (`keepsAccepted`).
        var accepted: OrderedSet<String>?
        var failovers = 0
    }
    private let state: Mutex<State>

    /// An empty ledger; `keepsAccepted` keeps every accepted id (`acceptedIDs`). Default false.
    public init(keepsAccepted: Bool = false) {
        state = Mutex(State(accepted: keepsAccepted ? [] : nil))
    }

    /// A task the service accepted (each id once: a deduplicated duplicate is not a new task). An
    /// id seen again after its task finished, which the target could not match to its original
    /// (its record was forgotten), counts again unless the ledger keeps every id.
    func accept(_ id: String) {
        state.withLock { s in
            guard s.open[id] == nil, s.accepted?.append(id).inserted ?? true else { return }
            s.open[id] = s.acceptedCount
            s.acceptedCount += 1
        }
    }
    func failover() { state.withLock { $0.failovers += 1 } }
    /// The task was seen in a terminal state (`success` or `failure`).
    func end(_ id: String) { state.withLock { _ = $0.open.removeValue(forKey: id) } }

    /// Accepted task ids never seen in a terminal state, in the order they were accepted.
    public var unfinished: [String] {
        state.withLock { s in s.open.sorted { $0.value < $1.value }.map(\.key) }
    }

    /// Ids held: not yet seen finished, and kept for `acceptedIDs` (for tests: the ledger stays
    /// bounded by the tasks in flight unless it keeps every id).
    var sizes: (open: Int, kept: Int) { state.withLock { ($0.open.count, $0.accepted?.count ?? 0) } }

    /// Tasks accepted.
    public var acceptedCount: Int { state.withLock { $0.acceptedCount } }
    /// Every accepted id in order, when the ledger keeps them (`keepsAccepted`); nil otherwise.
    public var acceptedIDs: [String]? { state.withLock { $0.accepted.map(Array.init) } }
    /// Submissions sent to another replica after a 503 or no answer.
    public var failovers: Int { state.withLock { $0.failovers } }
}

/// The task ids of originals whose duplicate is still to come, by idempotency key. An original
/// registers (`expect`) before it submits and `resolve`s as soon as it is answered; a duplicate
/// `take`s the id, waiting while the original's submission is still in flight (bounded by its
/// request timeout). An entry serves every duplicate of its key; the table keeps the latest
/// `capacity` originals (the oldest is forgotten first), so it is bounded however long the run.
final class OriginalIDs: Sendable {
    enum Entry {
        case pending([CheckedContinuation<String?, Never>])
        case known(String)
    }
    /// Most originals remembered: the oldest is forgotten beyond this (its later duplicates are
    /// then not compared by id), so the table is bounded however long the run.
    static let capacity = 65_536
    struct Table {
        var entries: [String: Entry] = [:]
        /// Keys in the order they were added, from `head` on.
        var order: [String] = []
        var head = 0
    }
    private let table = Mutex(Table())

    func expect(_ key: String) {
        let evicted = table.withLock { t -> [CheckedContinuation<String?, Never>] in
            guard t.entries[key] == nil else { return [] }
            t.entries[key] = .pending([])
            t.order.append(key)
            var waiting: [CheckedContinuation<String?, Never>] = []
            while t.entries.count > Self.capacity, t.head < t.order.count {
                let old = t.order[t.head]
                t.head += 1
                if case .pending(let w)? = t.entries.removeValue(forKey: old) { waiting += w }
            }
            if t.head > 4096, t.head * 2 > t.order.count {
                t.order.removeFirst(t.head)
                t.head = 0
            }
            return waiting
        }
        for w in evicted { w.resume(returning: nil) }
    }

    func resolve(_ key: String, _ id: String?) {
        let waiters = table.withLock { t -> [CheckedContinuation<String?, Never>] in
            var waiting: [CheckedContinuation<String?, Never>] = []
            if case .pending(let w)? = t.entries[key] { waiting = w }
            // Kept for every duplicate of this key (waiting now or to come), until it is evicted.
            t.entries[key] = id.map(Entry.known)
            return waiting
        }
        for w in waiters { w.resume(returning: id) }
    }

    func take(_ key: String) async -> String? {
        await withCheckedContinuation { (c: CheckedContinuation<String?, Never>) in
            let now: String?? = table.withLock { t in
                switch t.entries[key] {
                case .known(let id)?:
                    return .some(id)
                case .pending(let w)?:
                    t.entries[key] = .pending(w + [c])
                    return nil
                case nil:
                    return .some(nil)
                }
            }
            if let now { c.resume(returning: now) }
        }
    }
}
