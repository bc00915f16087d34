import Scenarios

/// `timeseries.csv`: one row per interval of scenario time. Latencies are seconds (six decimals,
/// 0 when no task finished in the interval).
public enum TimeSeriesCSV {
    /// The header row's fields.
    public static let columns = [
        "start", "end", "arrivals", "llm_calls", "attempt_failures", "throttled", "rejected", "succeeded", "failed",
        "latency_p50", "latency_p99", "latency_max", "breaker_state", "breaker_open_fraction",
    ]

    /// The whole file.
    public static func text(_ series: TimeSeries) -> String {
        var out = CSV.row(columns)
        for p in series.points {
            out += CSV.row([
                NumberText.trimmed(p.start, 6), NumberText.trimmed(p.start + series.intervalSeconds, 6), String(p.arrivals),
                String(p.llmCalls), String(p.attemptFailures), String(p.throttled), String(p.rejected),
                String(p.succeeded), String(p.failed), NumberText.fixed(p.latencyP50, 6),
                NumberText.fixed(p.latencyP99, 6), NumberText.fixed(p.latencyMax, 6), p.breakerState,
                NumberText.fixed(p.breakerOpenFraction, 4),
            ])
        }
        return out
    }
}
