import Histogram
import Reliability

/// Per-interval figures over scenario time, from all three streams: arrivals, LLM calls (call
/// records), attempt failures, throttles and rejections (stack events), tasks finished by outcome
/// with their latency in a 2-digit HDR histogram (`BinLatency`; task outcomes), and the breaker's open time and
/// state. Fixed bins: memory follows the run's length, not its task count.
public struct TimeSeriesTally: Sendable, Codable, Equatable {
    struct Bin: Sendable, Codable, Equatable {
        var arrivals = 0
        var llmCalls = 0
        var attemptFailures = 0
        var throttled = 0
        var rejected = 0
        var succeeded = 0
        var succeededFirstAttempt = 0
        var failed = 0
        /// Failed tasks by `FailureCause.allCases` index; empty until the first failure.
        var failedByCause: [Int] = []
        var openNanos: Int64 = 0
        var stateAtEnd: BreakerState?
        var latency: BinLatency?
    }

    /// Interval length, nanoseconds.
    let intervalNanos: Int64
    var bins: [Bin] = []
    /// The last bin looked up and its range (most lookups fall in it: no division).
    private var cachedBin = 0
    private var cachedStart: Int64 = 0
    private var cachedEnd: Int64 = 0
    /// The breaker's state since `breakerSince` (for open time and the state at the end of each bin).
    var breakerState: BreakerState = .closed
    var breakerSince: Int64 = 0

    /// An empty series with intervals of `interval`.
    public init(interval: Duration) {
        intervalNanos = max(1_000_000, ScenarioClock.nanoseconds(interval))
    }

    @inline(__always)
    mutating func bin(_ ns: Int64) -> Int {
        if ns >= cachedStart && ns < cachedEnd { return cachedBin }
        let i = ns <= 0 ? 0 : Int(ns / intervalNanos)
        if i >= bins.count { bins.append(contentsOf: repeatElement(Bin(), count: i - bins.count + 1)) }
        cachedBin = i
        cachedStart = ns <= 0 ? .min : Int64(i) * intervalNanos
        cachedEnd = Int64(i + 1) * intervalNanos
        return i
    }

    public static func == (a: TimeSeriesTally, b: TimeSeriesTally) -> Bool {
        a.intervalNanos == b.intervalNanos && a.bins == b.bins && a.breakerState == b.breakerState
            && a.breakerSince == b.breakerSince
    }

    /// A submission intended to start at `at` (offered load).
    @inline(__always)
    mutating func recordArrival(_ ns: Int64) { bins[bin(ns)].arrivals += 1 }

    /// A call sent at `ns`.
    @inline(__always)
    mutating func recordCall(_ ns: Int64) { bins[bin(ns)].llmCalls += 1 }

    /// Counts one stack event.
    @inline(__always)
    mutating func record(_ event: TaskEvent) {
        switch event {
        case .attemptEnded(_, _, let failureClass, let at, _):
            guard failureClass != .success else { return }
            let b = bin(ScenarioClock.nanoseconds(at))
            bins[b].attemptFailures += 1
            if failureClass == .throttled { bins[b].throttled += 1 }
        case .breakerRejected(let at, _):
            bins[bin(ScenarioClock.nanoseconds(at))].rejected += 1
        case .breaker(let t):
            recordBreakerChange(at: ScenarioClock.nanoseconds(t.at), to: t.to)
        default:
            break
        }
    }

    /// The breaker changed to `to` at `ns`.
    mutating func recordBreakerChange(at ns: Int64, to: BreakerState) {
        closeBreakerSpan(until: ns)
        breakerState = to
        breakerSince = max(breakerSince, ns)
    }

    /// Adds open time from the last change to `until` and stamps the state on every bin it ends.
    mutating func closeBreakerSpan(until: Int64) {
        guard until > breakerSince else { return }
        let isOpen = breakerState == .open || breakerState == .forcedOpen
        let first = bin(breakerSince)
        let last = bin(until)
        for i in first...last {
            if isOpen {
                let a = max(breakerSince, Int64(i) * intervalNanos)
                let b = min(until, Int64(i + 1) * intervalNanos)
                if b > a { bins[i].openNanos += b - a }
            }
            if i < last { bins[i].stateAtEnd = breakerState }
        }
        breakerSince = until
    }

    /// A task finished at `finishedNs` after `attempts` attempts, `micros` after its intended start.
    @inline(__always)
    mutating func recordFinished(at finishedNs: Int64, micros: Int64, succeeded: Bool, attempts: Int, cause: FailureCause?) {
        let b = bin(finishedNs)
        // Written in place (a `latency == nil` test copied the histogram on every call).
        switch bins[b].latency {
        case .some: bins[b].latency!.record(micros: micros)
        case .none:
            var l = BinLatency()
            l.record(micros: micros)
            bins[b].latency = l
        }
        if succeeded {
            bins[b].succeeded += 1
            if attempts <= 1 { bins[b].succeededFirstAttempt += 1 }
        } else {
            bins[b].failed += 1
            if bins[b].failedByCause.isEmpty { bins[b].failedByCause = [Int](repeating: 0, count: FailureCause.allCases.count) }
            bins[b].failedByCause[TaskTotalsTally.causeIndex[cause ?? .permanent]!] += 1
        }
    }

    /// Adds another series' counts bin by bin (the breaker span of the later one is kept).
    public mutating func merge(_ o: TimeSeriesTally) {
        if o.bins.count > bins.count { bins.append(contentsOf: repeatElement(Bin(), count: o.bins.count - bins.count)) }
        for (i, x) in o.bins.enumerated() {
            bins[i].arrivals += x.arrivals
            bins[i].llmCalls += x.llmCalls
            bins[i].attemptFailures += x.attemptFailures
            bins[i].throttled += x.throttled
            bins[i].rejected += x.rejected
            bins[i].succeeded += x.succeeded
            bins[i].succeededFirstAttempt += x.succeededFirstAttempt
            bins[i].failed += x.failed
            if !x.failedByCause.isEmpty {
                if bins[i].failedByCause.isEmpty { bins[i].failedByCause = x.failedByCause } else {
                    for k in x.failedByCause.indices { bins[i].failedByCause[k] += x.failedByCause[k] }
                }
            }
            bins[i].openNanos += x.openNanos
            if let s = x.stateAtEnd { bins[i].stateAtEnd = s }
            if let l = x.latency {
                if bins[i].latency == nil { bins[i].latency = l } else { bins[i].latency!.merge(l) }
            }
        }
        if o.breakerSince >= breakerSince, o.breakerState != .closed || o.breakerSince > 0 {
            breakerState = o.breakerState
            breakerSince = o.breakerSince
        }
    }

    /// The points from 0 to the bin holding `lastNs`, and the per-interval outcome breakdown.
    func finish(lastNs: Int64, breakerConfigured: Bool) -> (TimeSeries, IntervalOutcomes) {
        var copy = self
        copy.closeBreakerSpan(until: max(lastNs, breakerSince))
        let lastBin = copy.bin(max(0, lastNs - 1))
        let seconds = Double(intervalNanos) / 1e9
        var state = copy.breakerState
        var points: [TimeSeriesPoint] = []
        points.reserveCapacity(lastBin + 1)
        var first: [Int] = []
        var byCause = [[Int]](repeating: [], count: FailureCause.allCases.count)
        for i in 0...lastBin {
            let b = copy.bins[i]
            if let s = b.stateAtEnd { state = s } else if i == lastBin { state = copy.breakerState }
            points.append(
                TimeSeriesPoint(
                    start: Double(i) * seconds, arrivals: b.arrivals, llmCalls: b.llmCalls,
                    attemptFailures: b.attemptFailures, throttled: b.throttled, rejected: b.rejected,
                    succeeded: b.succeeded, failed: b.failed, latencyP50: b.latency?.percentile(50) ?? 0,
                    latencyP99: b.latency?.percentile(99) ?? 0, latencyMax: b.latency?.max ?? 0,
                    breakerState: breakerConfigured ? state.rawValue : "none",
                    breakerOpenFraction: min(1, Double(b.openNanos) / Double(intervalNanos))))
            first.append(b.succeededFirstAttempt)
            for k in byCause.indices { byCause[k].append(b.failedByCause.isEmpty ? 0 : b.failedByCause[k]) }
        }
        var failed: [String: [Int]] = [:]
        for (k, values) in byCause.enumerated() where values.contains(where: { $0 > 0 }) {
            failed[FailureCause.allCases[k].rawValue] = values
        }
        return (
            TimeSeries(intervalSeconds: seconds, points: points),
            IntervalOutcomes(succeededFirstAttempt: first, failedByCause: failed)
        )
    }
}
