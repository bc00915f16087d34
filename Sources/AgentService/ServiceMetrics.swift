import CoreMetrics
import Prometheus
import Synchronization

/// The service's counters, gauges and latency histograms, recorded through swift-metrics into a
/// Prometheus registry of this service's own (so replicas in one process do not mix) and rendered
/// by swift-prometheus at `GET /metrics`. The metric names are stable (a test pins them):
///
/// `squall_service_tasks_accepted_total`, `_tasks_duplicate_total`, `_tasks_rejected_total{reason}`,
/// `_tasks_started_total`, `_tasks_finished_total{status}`, `_tasks_failed_total{cause}`,
/// `_llm_attempts_total`, `_cost_usd_total`, `_store_unavailable_total`, histograms
/// `_task_duration_seconds` (run time) and `_task_queue_seconds` (wait for a worker), gauges
/// `_tasks_in_flight`, `_queue_depth`, `_workers`, `_draining`, `_last_drain_seconds`.
public final class ServiceMetrics: Sendable {
    struct State {
        var accepted = 0
        var inFlight = 0
        var lastDrainSeconds: Double?
    }
    private let state = Mutex(State())
    /// The Prometheus registry `render` emits.
    public let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory
    private let labelled = Mutex<[String: CoreMetrics.Counter]>([:])

    private let acceptedCounter: CoreMetrics.Counter
    private let duplicateCounter: CoreMetrics.Counter
    private let startedCounter: CoreMetrics.Counter
    private let attemptsCounter: CoreMetrics.Counter
    private let costCounter: FloatingPointCounter
    private let storeUnavailableCounter: CoreMetrics.Counter
    private let duration: CoreMetrics.Timer
    private let queueWait: CoreMetrics.Timer
    private let inFlightGauge: CoreMetrics.Gauge
    private let queueDepthGauge: CoreMetrics.Gauge
    private let workersGauge: CoreMetrics.Gauge
    private let drainingGauge: CoreMetrics.Gauge
    private let lastDrainGauge: CoreMetrics.Gauge

    /// Bucket bounds of both latency histograms: 10 ms to 5 min (a task is one or more LLM calls with backoff).
    public static let latencyBuckets: [Duration] = [
        .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
        .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30), .seconds(60),
        .seconds(120), .seconds(300),
    ]

    /// Fresh metrics in a registry of their own.
    public init() {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = Self.latencyBuckets
        self.registry = registry
        self.factory = factory
        let p = "squall_service_"
        acceptedCounter = Counter(label: p + "tasks_accepted_total", factory: factory)
        duplicateCounter = Counter(label: p + "tasks_duplicate_total", factory: factory)
        startedCounter = Counter(label: p + "tasks_started_total", factory: factory)
        attemptsCounter = Counter(label: p + "llm_attempts_total", factory: factory)
        costCounter = FloatingPointCounter(label: p + "cost_usd_total", factory: factory)
        storeUnavailableCounter = Counter(label: p + "store_unavailable_total", factory: factory)
        duration = Timer(label: p + "task_duration_seconds", factory: factory)
        queueWait = Timer(label: p + "task_queue_seconds", factory: factory)
        inFlightGauge = Gauge(label: p + "tasks_in_flight", factory: factory)
        queueDepthGauge = Gauge(label: p + "queue_depth", factory: factory)
        workersGauge = Gauge(label: p + "workers", factory: factory)
        drainingGauge = Gauge(label: p + "draining", factory: factory)
        lastDrainGauge = Gauge(label: p + "last_drain_seconds", factory: factory)
        inFlightGauge.record(0)
        drainingGauge.record(0)
        // The series dashboards alert on exist from the start, at 0.
        for reason in ["invalid", "queue_full", "draining"] { _ = counter("tasks_rejected_total", "reason", reason) }
        for status in ["complete", "failed"] { _ = counter("tasks_finished_total", "status", status) }
        _ = counter("tasks_failed_total", "cause", "shutdown")
    }

    /// One counter per (name, label, value); label values are bounded sets (reasons, statuses, causes).
    private func counter(_ name: String, _ label: String, _ value: String) -> CoreMetrics.Counter {
        labelled.withLock { table in
            let key = name + "\u{0}" + value
            if let c = table[key] { return c }
            let c = Counter(label: "squall_service_" + name, dimensions: [(label, value)], factory: factory)
            table[key] = c
            return c
        }
    }

    func accepted() {
        state.withLock { $0.accepted += 1 }
        acceptedCounter.increment()
    }
    func duplicate() { duplicateCounter.increment() }
    func rejected(_ reason: String) { counter("tasks_rejected_total", "reason", reason).increment() }
    func started() {
        let n = state.withLock { s in
            s.inFlight += 1
            return s.inFlight
        }
        startedCounter.increment()
        inFlightGauge.record(n)
    }
    func finished(_ record: TaskRecord) {
        let n = state.withLock { s in
            s.inFlight -= 1
            return s.inFlight
        }
        inFlightGauge.record(n)
        counter("tasks_finished_total", "status", record.status.rawValue).increment()
        if record.status == .failed { counter("tasks_failed_total", "cause", record.cause ?? "unknown").increment() }
        attemptsCounter.increment(by: record.attempts)
        if let cost = record.costUSD, cost > 0 { costCounter.increment(by: cost) }
        if let ms = record.durationMS, ms.isFinite, ms >= 0 { duration.recordNanoseconds(Int64(ms * 1e6)) }
        if let ms = record.queuedMS, ms.isFinite, ms >= 0 { queueWait.recordNanoseconds(Int64(ms * 1e6)) }
    }
    func endedWhilePending(_ count: Int) {
        guard count > 0 else { return }
        counter("tasks_finished_total", "status", "failed").increment(by: count)
        counter("tasks_failed_total", "cause", "shutdown").increment(by: count)
    }
    func storeUnavailable() { storeUnavailableCounter.increment() }
    func setDraining() { drainingGauge.record(1) }
    func drained(seconds: Double) {
        state.withLock { $0.lastDrainSeconds = seconds }
        lastDrainGauge.record(seconds)
    }

    /// Tasks running on this replica now.
    public var inFlight: Int { state.withLock { $0.inFlight } }

    /// Tasks accepted with 202 by this replica (duplicates not counted).
    public var acceptedCount: Int { state.withLock { $0.accepted } }

    /// Seconds the last drain took; nil before a shutdown finished draining.
    public var lastDrainSeconds: Double? { state.withLock { $0.lastDrainSeconds } }

    /// The Prometheus exposition text; `queueDepth` is read from the store by the caller (nil if unavailable).
    public func render(queueDepth: Int?, workers: Int) -> String {
        if let queueDepth { queueDepthGauge.record(queueDepth) }
        workersGauge.record(workers)
        return registry.emitToString()
    }
}
