import Histogram
import Reliability
import Synchronization

/// A request Squall makes to a task service whose latency it measures.
public enum ServiceRequestKind: String, Sendable, Hashable, CaseIterable, Codable {
    /// The submission (`POST /tasks` by default): from sending it to the service's answer (202).
    case accept
    /// One poll of a task (`GET /tasks/{id}` by default).
    case poll
    /// One `GET /health`, sampled at a fixed real interval through the run.
    case health
}

/// The latency distribution of one kind of service request, in seconds of **real** time (the
/// service's own speed is not compressed by `--time-scale`). Requests that timed out are recorded
/// at the time waited (a lower bound of their latency) and counted in `timeouts`; requests that
/// got no answer for another reason (refused, reset) are counted in `failures` and not recorded.
public struct ServiceLatencyFigure: Sendable, Codable, Hashable {
    /// Latencies recorded (answered requests and timeouts).
    public var count: Int
    /// Of those, requests that timed out.
    public var timeouts: Int
    /// Requests without an answer other than a timeout (refused, reset, unreachable); not in `count`.
    public var failures: Int
    /// Health samples answered outside 200–399 (a failed probe, as Kubernetes' `httpGet` probe
    /// judges it; a 404 on every sample means the service has no health endpoint at that path).
    /// Their latency is in `count`. Always 0 for submissions and polls.
    public var unhealthy: Int
    /// Median, seconds.
    public var p50: Double
    /// 90th percentile, seconds.
    public var p90: Double
    /// 99th percentile, seconds.
    public var p99: Double
    /// Largest, seconds.
    public var max: Double

    /// Creates a figure.
    public init(
        count: Int, timeouts: Int, failures: Int, p50: Double, p90: Double, p99: Double, max: Double, unhealthy: Int = 0
    ) {
        self.count = count
        self.timeouts = timeouts
        self.failures = failures
        self.unhealthy = unhealthy
        self.p50 = p50
        self.p90 = p90
        self.p99 = p99
        self.max = max
    }

    /// Whether these are health samples that were answered but never healthily: every answer failed
    /// the probe (typically 404, no endpoint at that path), so the latency says nothing about the
    /// service's health endpoint and a `health_*` threshold has no evidence.
    public var answeredOnlyUnhealthy: Bool { unhealthy > 0 && unhealthy == count - timeouts }

    enum CodingKeys: String, CodingKey { case count, timeouts, failures, unhealthy, p50, p90, p99, max }

    /// Decodes a figure; `unhealthy` is absent in results written before it existed (read as 0).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        count = try c.decode(Int.self, forKey: .count)
        timeouts = try c.decode(Int.self, forKey: .timeouts)
        failures = try c.decode(Int.self, forKey: .failures)
        unhealthy = try c.decodeIfPresent(Int.self, forKey: .unhealthy) ?? 0
        p50 = try c.decode(Double.self, forKey: .p50)
        p90 = try c.decode(Double.self, forKey: .p90)
        p99 = try c.decode(Double.self, forKey: .p99)
        max = try c.decode(Double.self, forKey: .max)
    }

    /// No requests.
    public static let empty = ServiceLatencyFigure(count: 0, timeouts: 0, failures: 0, p50: 0, p90: 0, p99: 0, max: 0)
}

/// The task service's latency as Squall measured it through the service's API, real time:
/// time to accept, poll latency and `/health` latency (sampled every `healthIntervalSeconds`).
public struct ServiceLatencySummary: Sendable, Codable, Hashable {
    /// Submissions: send → the service's answer.
    public var accept: ServiceLatencyFigure
    /// Polls of a task.
    public var poll: ServiceLatencyFigure
    /// `GET /health` samples.
    public var health: ServiceLatencyFigure
    /// The real interval between `/health` samples, seconds (0 when not sampled).
    public var healthIntervalSeconds: Double

    /// Creates a summary.
    public init(
        accept: ServiceLatencyFigure, poll: ServiceLatencyFigure, health: ServiceLatencyFigure, healthIntervalSeconds: Double
    ) {
        self.accept = accept
        self.poll = poll
        self.health = health
        self.healthIntervalSeconds = healthIntervalSeconds
    }

    /// The figure of `kind`.
    public func figure(_ kind: ServiceRequestKind) -> ServiceLatencyFigure {
        switch kind {
        case .accept: return accept
        case .poll: return poll
        case .health: return health
        }
    }
}

/// Collects a task service's request latencies while a run goes on: one HDR histogram (µs, 3
/// significant digits) per request kind, plus timeout and failure counts. Thread-safe; memory does
/// not grow with the number of requests.
public final class ServiceLatencyProbe: Sendable {
    struct Series: Sendable {
        var histogram = Histogram<UInt64>(numberOfSignificantValueDigits: .three)
        var timeouts = 0
        var failures = 0
        var unhealthy = 0
        init() { histogram.autoResize = true }
    }

    private let state = Mutex([Series](repeating: Series(), count: ServiceRequestKind.allCases.count))
    /// The real interval the health sampler uses (reported with the figures).
    public let healthInterval: Duration

    /// A probe; `healthInterval` is what `HealthSampler` will use (default 250 ms).
    public init(healthInterval: Duration = .milliseconds(250)) {
        self.healthInterval = healthInterval
    }

    /// Whether a health sample's answer passes, as Kubernetes' `httpGet` probe judges it: 200–399.
    public static func healthy(status: Int) -> Bool { (200..<400).contains(status) }

    /// Records one request of `kind` that took `elapsed` (real time) and ended with `failure`
    /// (nil when the service answered, whatever the status); `unhealthy` marks a health sample
    /// answered outside 200–399.
    public func record(_ kind: ServiceRequestKind, elapsed: Duration, failure: TransportFailure?, unhealthy: Bool = false) {
        let index = ServiceRequestKind.allCases.firstIndex(of: kind)!
        let micros = UInt64(Swift.max(1, (elapsed.seconds * 1e6).rounded()))
        state.withLock { s in
            switch failure {
            case nil:
                _ = s[index].histogram.record(micros)
                if unhealthy { s[index].unhealthy += 1 }
            case .timeout?:
                _ = s[index].histogram.record(micros)
                s[index].timeouts += 1
            case .some:
                s[index].failures += 1
            }
        }
    }

    /// Sends `call` through `client`, recording its latency as `kind` — unless the calling task was
    /// cancelled meanwhile (the run ended under it: its time says nothing about the service).
    public func timed(
        _ kind: ServiceRequestKind, _ call: HTTPCall, client: any LoadHTTPClient, clock: ContinuousClock = ContinuousClock()
    ) async -> Result<HTTPReply, TransportFailureError> {
        let start = clock.now
        let result = await client.send(call)
        if Task.isCancelled { return result }
        var failure: TransportFailure?
        var unhealthy = false
        switch result {
        case .failure(let e): failure = e.failure
        case .success(let reply): unhealthy = kind == .health && !Self.healthy(status: reply.status)
        }
        record(kind, elapsed: clock.now - start, failure: failure, unhealthy: unhealthy)
        return result
    }

    /// The figures so far.
    public func summary() -> ServiceLatencySummary {
        state.withLock { s in
            func figure(_ k: ServiceRequestKind) -> ServiceLatencyFigure {
                let x = s[ServiceRequestKind.allCases.firstIndex(of: k)!]
                let n = Int(x.histogram.totalCount)
                func q(_ p: Double) -> Double { n == 0 ? 0 : Double(x.histogram.valueAtPercentile(p)) / 1e6 }
                return ServiceLatencyFigure(
                    count: n, timeouts: x.timeouts, failures: x.failures, p50: q(50), p90: q(90), p99: q(99),
                    max: n == 0 ? 0 : Double(x.histogram.max) / 1e6, unhealthy: x.unhealthy)
            }
            return ServiceLatencySummary(
                accept: figure(.accept), poll: figure(.poll), health: figure(.health), healthIntervalSeconds: healthInterval.seconds)
        }
    }
}

/// Samples `GET {url}{path}` (the contract's health path, default `/health`) of each of `urls` at
/// `probe.healthInterval` (real time) until cancelled, recording each sample's latency as `.health`
/// and an answer outside 200–399 as unhealthy. One sample per URL is in flight at a
/// time: a sample slower than the interval delays the next one (the next starts as soon as it ends).
public enum HealthSampler {
    /// Runs until the calling task is cancelled.
    public static func run(
        urls: [String], path: String = "/health", probe: ServiceLatencyProbe, client: any LoadHTTPClient, timeout: Duration
    ) async {
        let clock = ContinuousClock()
        await withDiscardingTaskGroup { group in
            for url in urls {
                group.addTask {
                    var next = clock.now
                    while !Task.isCancelled {
                        _ = await probe.timed(.health, HTTPCall(method: "GET", url: url + path, timeout: timeout), client: client)
                        next = Swift.max(next.advanced(by: probe.healthInterval), clock.now)
                        do { try await Task.sleep(until: next, clock: clock) } catch { return }
                    }
                }
            }
        }
    }
}
