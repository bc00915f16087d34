import Reliability
import Scenarios

/// The four charts of a scenario report, drawn from a `ScenarioResult`.
public enum ReportCharts {
    /// The x-axis extent of time charts: the end of the last interval (covers tasks that drain
    /// after the last arrival), at least the scenario's duration.
    public static func extent(_ r: ScenarioResult) -> Double {
        let series = r.timeSeries
        let lastEnd = series.points.last.map { $0.start + series.intervalSeconds } ?? 0
        return max(r.durationSeconds, r.endSeconds, lastEnd, 1e-3)
    }

    static func windows(_ r: ScenarioResult) -> [ChartWindow] {
        r.faultWindows.map { ChartWindow(start: $0.start, end: $0.end, label: "window \($0.index): \($0.label)") }
    }

    /// Tasks finished per interval: succeeded on the first attempt, succeeded after retries, and
    /// failed by cause (from the result's per-interval outcomes; from the time series' totals when
    /// those are missing).
    public static func outcomes(_ r: ScenarioResult) -> OutcomesChart {
        let points = r.timeSeries.points
        let interval = r.timeSeries.intervalSeconds
        let starts = points.map(\.start)
        let breakdown = r.aggregates.intervalOutcomes
        var series: [ChartSeries] = []
        if points.isEmpty || !(interval > 0) || breakdown.succeededFirstAttempt.count != points.count {
            series.append(ChartSeries(name: "succeeded", color: ChartPalette.success, values: points.map { Double($0.succeeded) }))
            series.append(ChartSeries(name: "failed", color: ChartPalette.failures[0], values: points.map { Double($0.failed) }))
        } else {
            let first = breakdown.succeededFirstAttempt.map(Double.init)
            let retried = zip(points, breakdown.succeededFirstAttempt).map { Double($0.0.succeeded - $0.1) }
            series.append(ChartSeries(name: "succeeded first attempt", color: ChartPalette.success, values: first))
            series.append(ChartSeries(name: "succeeded after retry", color: ChartPalette.retried, values: retried))
            var other = points.map { Double($0.failed) }
            for (k, cause) in r.failuresByCause.map(\.name).enumerated() {
                let values = (breakdown.failedByCause[cause] ?? []).map(Double.init)
                guard values.count == points.count else { continue }
                for i in other.indices { other[i] -= values[i] }
                let color = ChartPalette.failures[k % ChartPalette.failures.count]
                series.append(ChartSeries(name: "failed: \(cause.replacingOccurrences(of: "_", with: " "))", color: color, values: values))
            }
            if other.contains(where: { $0 > 0 }) {
                series.append(ChartSeries(name: "failed: other", color: "#555555", values: other))
            }
        }
        return OutcomesChart(
            intervalStarts: starts, intervalLength: interval, duration: extent(r), series: series, windows: windows(r))
    }

    /// p50 and p99 latency (from intended start) of the tasks finished in each interval.
    public static func latency(_ r: ScenarioResult) -> TimeLineChart {
        let points = r.timeSeries.points
        func values(_ pick: (TimeSeriesPoint) -> Double) -> [Double?] {
            points.map { $0.succeeded + $0.failed > 0 ? pick($0) : nil }
        }
        return TimeLineChart(
            intervalStarts: points.map(\.start), intervalLength: r.timeSeries.intervalSeconds, duration: extent(r),
            series: [
                ChartSeries(name: "p50", color: ChartPalette.p50, values: values(\.latencyP50)),
                ChartSeries(name: "p99", color: ChartPalette.p99, values: values(\.latencyP99)),
            ], windows: windows(r))
    }

    /// Offered load against what reached the provider and what came back: submissions arriving,
    /// LLM calls sent and tasks succeeding per interval (retry amplification and recovery).
    public static func load(_ r: ScenarioResult) -> TimeLineChart {
        let points = r.timeSeries.points
        return TimeLineChart(
            intervalStarts: points.map(\.start), intervalLength: r.timeSeries.intervalSeconds, duration: extent(r),
            series: [
                ChartSeries(name: "submissions arriving (offered load)", color: "#555555", values: points.map { Double($0.arrivals) }),
                ChartSeries(name: "LLM calls sent", color: ChartPalette.p99, values: points.map { Double($0.llmCalls) }),
                ChartSeries(name: "tasks succeeded (goodput)", color: ChartPalette.success, values: points.map { Double($0.succeeded) }),
            ], windows: windows(r), title: "Offered load, LLM calls and goodput per interval", unit: .count,
            yLabel: "per interval",
            summary: "Lines: submissions arriving, LLM calls sent and tasks succeeding in each interval.")
    }

    /// The breaker's state over time with fault windows beneath; nil when the stack has no breaker.
    public static func breaker(_ r: ScenarioResult) -> BreakerBandChart? {
        guard r.breaker.configured else { return nil }
        let duration = extent(r)
        let changes = r.breaker.transitions.compactMap { t in BreakerState(rawValue: t.to).map { (at: t.at, to: $0) } }
        let segments = BreakerBandChart.segments(changes: changes, duration: duration)
        return BreakerBandChart(duration: duration, segments: segments, windows: windows(r))
    }

    /// The latency histogram (log axis) with p50, p99 and p99.9 markers.
    public static func distribution(_ r: ScenarioResult) -> DistributionChart {
        let bins = r.latency.buckets.map { b in
            DistributionChart.Bin(lower: b.lower > 0 ? b.lower : b.upper / 2, upper: b.upper, count: b.count)
        }
        let markers: [DistributionChart.Marker] =
            r.latency.count == 0
            ? []
            : [
                .init(label: "p50", seconds: r.latency.p50, color: ChartPalette.p50),
                .init(label: "p99", seconds: r.latency.p99, color: ChartPalette.p99),
                .init(label: "p99.9", seconds: r.latency.p999, color: "#8b0000"),
            ]
        return DistributionChart(bins: bins, markers: markers)
    }
}
