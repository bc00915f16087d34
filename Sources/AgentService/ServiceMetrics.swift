import Synchronization

/// The service's counters and gauges, rendered in the Prometheus text format at `GET /metrics`.
public final class ServiceMetrics: Sendable {
    struct State {
        var accepted = 0
        var duplicates = 0
        var rejected: [String: Int] = [:]
        var started = 0
        var finished: [String: Int] = [:]
        var failedByCause: [String: Int] = [:]
        var attempts = 0
        var costUSD = 0.0
        var durationSum = 0.0
        var durationCount = 0
        var inFlight = 0
        var draining = false
        var lastDrainSeconds: Double?
        var storeUnavailable = 0
    }
    private let state = Mutex(State())

    /// Fresh metrics.
    public init() {}

    func accepted() { state.withLock { $0.accepted += 1 } }
    func duplicate() { state.withLock { $0.duplicates += 1 } }
    func rejected(_ reason: String) { state.withLock { $0.rejected[reason, default: 0] += 1 } }
    func started() {
        state.withLock {
            $0.started += 1
            $0.inFlight += 1
        }
    }
    func finished(_ record: TaskRecord) {
        state.withLock { s in
            s.inFlight -= 1
            s.finished[record.status.rawValue, default: 0] += 1
            if record.status == .failed { s.failedByCause[record.cause ?? "unknown", default: 0] += 1 }
            s.attempts += record.attempts
            s.costUSD += record.costUSD ?? 0
            if let d = record.durationMS {
                s.durationSum += d / 1000
                s.durationCount += 1
            }
        }
    }
    func endedWhilePending(_ count: Int) {
        guard count > 0 else { return }
        state.withLock { s in
            s.finished["failed", default: 0] += count
            s.failedByCause["shutdown", default: 0] += count
        }
    }
    func storeUnavailable() { state.withLock { $0.storeUnavailable += 1 } }
    func setDraining() { state.withLock { $0.draining = true } }
    func drained(seconds: Double) { state.withLock { $0.lastDrainSeconds = seconds } }

    /// Tasks running on this replica now.
    public var inFlight: Int { state.withLock { $0.inFlight } }

    /// Tasks accepted with 202 by this replica (duplicates not counted).
    public var acceptedCount: Int { state.withLock { $0.accepted } }

    /// Seconds the last drain took; nil before a shutdown finished draining.
    public var lastDrainSeconds: Double? { state.withLock { $0.lastDrainSeconds } }

    /// The Prometheus exposition text; `queueDepth` is read from the store by the caller (nil if unavailable).
    public func render(queueDepth: Int?, workers: Int) -> String {
        let s = state.withLock { $0 }
        var out = ""
        func metric(_ name: String, _ type: String, _ help: String, _ samples: [(String, Double)]) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for (labels, v) in samples { out += "\(name)\(labels) \(format(v))\n" }
        }
        metric("squall_service_tasks_accepted_total", "counter", "Tasks accepted with 202 (new tasks).", [("", Double(s.accepted))])
        metric(
            "squall_service_tasks_duplicate_total", "counter", "Submissions answered with an existing task (idempotency key).",
            [("", Double(s.duplicates))])
        metric(
            "squall_service_tasks_rejected_total", "counter", "Submissions refused, by reason.",
            s.rejected.sorted { $0.key < $1.key }.map { ("{reason=\"\($0.key)\"}", Double($0.value)) })
        metric("squall_service_tasks_started_total", "counter", "Task runs started on this replica.", [("", Double(s.started))])
        metric(
            "squall_service_tasks_finished_total", "counter", "Tasks finished on this replica, by status.",
            s.finished.sorted { $0.key < $1.key }.map { ("{status=\"\($0.key)\"}", Double($0.value)) })
        metric(
            "squall_service_tasks_failed_total", "counter", "Failed tasks by cause.",
            s.failedByCause.sorted { $0.key < $1.key }.map { ("{cause=\"\($0.key)\"}", Double($0.value)) })
        metric("squall_service_llm_attempts_total", "counter", "LLM attempts made by finished tasks.", [("", Double(s.attempts))])
        metric("squall_service_cost_usd_total", "counter", "Dollars spent on LLM tokens.", [("", s.costUSD)])
        metric(
            "squall_service_task_duration_seconds", "summary", "Run time of finished tasks.",
            [("_sum", s.durationSum), ("_count", Double(s.durationCount))])
        metric("squall_service_tasks_in_flight", "gauge", "Tasks running on this replica.", [("", Double(s.inFlight))])
        if let queueDepth {
            metric("squall_service_queue_depth", "gauge", "Tasks waiting for a worker.", [("", Double(queueDepth))])
        }
        metric("squall_service_workers", "gauge", "Size of the worker pool.", [("", Double(workers))])
        metric("squall_service_draining", "gauge", "1 while shutting down.", [("", s.draining ? 1 : 0)])
        if let d = s.lastDrainSeconds {
            metric("squall_service_last_drain_seconds", "gauge", "How long the last drain took.", [("", d)])
        }
        return out
    }

    private func format(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(v)
    }
}
