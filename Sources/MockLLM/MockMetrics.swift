import CoreMetrics
import NIOCore
import Prometheus
import Synchronization

/// The mock's `/metrics`: swift-metrics types backed by a swift-prometheus registry of its own (not
/// the process-wide `MetricsSystem`, so several mocks — and the service — can live in one process).
/// A reset or run start replaces the whole instance, so the series start again from zero.
///
/// Metric names are stable (`MockMetrics.names`, pinned by a test):
/// - `squall_mock_requests_total{path,model,status,action}`, `squall_mock_completions_total`,
///   `squall_mock_duplicate_executions_total`, `squall_mock_idempotency_keys_evicted_total`,
///   `squall_mock_models_folded_total`, `squall_mock_connections_refused_total` (counters);
/// - `squall_mock_idempotency_keys`, `squall_mock_call_log_records` (gauges);
/// - `squall_mock_response_seconds{path}`: real time from a completion request's last byte to its
///   response's last byte (histogram; buckets 1 ms … 60 s).
///
/// Counters are exported from the exact aggregates `MockStats` already keeps under the state lock:
/// at each scrape every counter is advanced by what it lacks. Incrementing a second, atomic copy of
/// each counter per request would count everything twice on the hot path for the same numbers (an
/// extra dictionary lookup and atomic add per request, about 0.1 µs of the ~18 µs a request costs);
/// the latency histogram, which no aggregate holds, is recorded per request.
public final class MockMetrics: Sendable {
    /// Every metric name the mock exports.
    public static let names = [
        "squall_mock_requests_total", "squall_mock_completions_total", "squall_mock_duplicate_executions_total",
        "squall_mock_idempotency_keys_evicted_total", "squall_mock_models_folded_total",
        "squall_mock_connections_refused_total", "squall_mock_idempotency_keys", "squall_mock_call_log_records",
        "squall_mock_response_seconds",
    ]

    /// Buckets of `squall_mock_response_seconds`.
    static let buckets: [Duration] = [
        .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5),
        .seconds(10), .seconds(30), .seconds(60),
    ]

    private let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory
    /// `squall_mock_response_seconds` of `/v1/chat/completions` and of `/openai/v1/chat/completions`.
    private let openAITimer: CoreMetrics.Timer
    private let groqTimer: CoreMetrics.Timer
    private let exported = Mutex(Exported())

    /// What each counter was advanced to at the last scrape.
    private struct Exported: @unchecked Sendable {
        var requests: [MockStats.Labels: (counter: CoreMetrics.Counter, value: Int)] = [:]
        var scalars: [String: (counter: CoreMetrics.Counter, value: Int)] = [:]
        var gauges: [String: CoreMetrics.Gauge] = [:]
    }

    /// A fresh registry with the histograms registered.
    public init() {
        var f = PrometheusMetricsFactory(registry: registry)
        f.durationHistogramBuckets["squall_mock_response_seconds"] = Self.buckets
        factory = f
        openAITimer = CoreMetrics.Timer(
            label: "squall_mock_response_seconds", dimensions: [("path", "/v1/chat/completions")], factory: f)
        groqTimer = CoreMetrics.Timer(
            label: "squall_mock_response_seconds", dimensions: [("path", "/openai/v1/chat/completions")], factory: f)
    }

    /// Records one completion response's real duration (the hot path: one histogram observation;
    /// the timer is picked by comparing the path, not by hashing it).
    func recordResponse(path: String, since start: NIODeadline) {
        let timer: CoreMetrics.Timer
        switch path {
        case "/v1/chat/completions": timer = openAITimer
        case "/openai/v1/chat/completions": timer = groqTimer
        default: return
        }
        timer.recordNanoseconds((NIODeadline.now() - start).nanoseconds)
    }

    /// The Prometheus text exposition, counters brought up to `stats` first.
    func exposition(stats: MockStats, callLogRecords: Int) -> String {
        exported.withLock { e in
            for (labels, n) in stats.series {
                let entry =
                    e.requests[labels]
                    ?? (
                        CoreMetrics.Counter(
                            label: "squall_mock_requests_total",
                            dimensions: [
                                ("path", labels.path), ("model", labels.model), ("status", labels.status),
                                ("action", labels.action),
                            ], factory: factory), 0
                    )
                if n > entry.value { entry.counter.increment(by: n - entry.value) }
                e.requests[labels] = (entry.counter, max(n, entry.value))
            }
            let scalars: [(String, Int)] = [
                ("squall_mock_completions_total", stats.completions),
                ("squall_mock_duplicate_executions_total", stats.duplicateExecutions),
                ("squall_mock_idempotency_keys_evicted_total", stats.keysEvicted),
                ("squall_mock_models_folded_total", stats.modelsFolded),
                ("squall_mock_connections_refused_total", stats.connectionsRefused),
            ]
            for (name, n) in scalars {
                let entry = e.scalars[name] ?? (CoreMetrics.Counter(label: name, factory: factory), 0)
                if n > entry.value { entry.counter.increment(by: n - entry.value) }
                e.scalars[name] = (entry.counter, max(n, entry.value))
            }
            for (name, value) in [("squall_mock_idempotency_keys", stats.keysTracked), ("squall_mock_call_log_records", callLogRecords)] {
                let gauge = e.gauges[name] ?? CoreMetrics.Gauge(label: name, factory: factory)
                gauge.record(value)
                e.gauges[name] = gauge
            }
        }
        return registry.emitToString()
    }
}
