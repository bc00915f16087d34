/// The figures of a run a capacity plan needs beyond `RunFigures`' headline: usage by model and
/// by route (window totals, not scaled), the mean latency, and tasks in flight as simulated.
public struct CapacityFigures: Sendable, Codable, Hashable {
    /// Scenario time over which tasks arrived, seconds (the run's duration).
    public var durationSeconds: Double
    /// Executed tasks that arrived.
    public var tasks: Int
    /// Executed tasks that failed.
    public var failed: Int
    /// Mean latency from the intended start, seconds.
    public var latencyMean: Double
    /// LLM calls, tokens and cost per model over the run.
    public var models: [ModelUsage]
    /// Tasks and cost per routing rule over the run.
    public var routes: [RouteUsage]
    /// Tasks in flight (arrived, not yet finished), averaged over the interval boundaries inside
    /// the arrival window of the time series.
    public var inFlightMean: Double
    /// The most tasks in flight at any interval boundary inside the arrival window.
    public var inFlightMax: Double
    /// LLM calls in the busiest whole minute of the run; nil when the time series' interval does
    /// not divide a minute.
    public var busiestMinuteCalls: Int?

    /// Creates figures.
    public init(
        durationSeconds: Double, tasks: Int, failed: Int, latencyMean: Double, models: [ModelUsage], routes: [RouteUsage],
        inFlightMean: Double, inFlightMax: Double, busiestMinuteCalls: Int?
    ) {
        self.durationSeconds = durationSeconds
        self.tasks = tasks
        self.failed = failed
        self.latencyMean = latencyMean
        self.models = models
        self.routes = routes
        self.inFlightMean = inFlightMean
        self.inFlightMax = inFlightMax
        self.busiestMinuteCalls = busiestMinuteCalls
    }

    /// The figures of a result. Tasks in flight at the boundary of interval b are the submissions
    /// that arrived before it, less the duplicates answered from the idempotency store (in the
    /// run's proportion, exact when there are none), less the tasks that finished before it.
    public init(_ r: ScenarioResult) {
        let points = r.timeSeries.points
        let interval = r.timeSeries.intervalSeconds
        let executedShare = r.totals.submitted == 0 ? 1 : Double(r.totals.tasks) / Double(r.totals.submitted)
        var arrived = 0
        var finished = 0
        var sum = 0.0
        var samples = 0
        var peak = 0.0
        for p in points {
            if p.start > 0, p.start <= r.durationSeconds {
                let inFlight = max(0, Double(arrived) * executedShare - Double(finished))
                sum += inFlight
                samples += 1
                peak = max(peak, inFlight)
            }
            arrived += p.arrivals
            finished += p.succeeded + p.failed
        }
        var busiest: Int?
        if interval > 0, interval <= 60, (60 / interval).rounded() == 60 / interval {
            let per = Int((60 / interval).rounded())
            var best = 0
            var i = 0
            while i < points.count {
                best = max(best, points[i..<min(points.count, i + per)].reduce(0) { $0 + $1.llmCalls })
                i += per
            }
            busiest = best
        }
        self.init(
            durationSeconds: r.durationSeconds, tasks: r.totals.tasks, failed: r.totals.failed, latencyMean: r.latency.mean,
            models: r.usage.byModel, routes: r.usage.byRoute, inFlightMean: samples == 0 ? 0 : sum / Double(samples),
            inFlightMax: peak, busiestMinuteCalls: busiest)
    }
}
