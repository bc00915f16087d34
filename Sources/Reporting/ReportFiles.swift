/// The file names inside a scenario's report directory.
public enum ReportFiles {
    /// The Markdown report.
    public static let report = "report.md"
    /// The machine-readable summary.
    public static let summary = "summary.json"
    /// One test case per expectation.
    public static let junit = "junit.xml"
    /// One row per task.
    public static let tasks = "tasks.csv"
    /// One row per interval.
    public static let timeseries = "timeseries.csv"
    /// Stacked outcomes per interval.
    public static let outcomesChart = "outcomes.svg"
    /// p50/p99 per interval.
    public static let latencyChart = "latency.svg"
    /// Arrivals, LLM calls and goodput per interval.
    public static let loadChart = "load.svg"
    /// The breaker-state band.
    public static let breakerChart = "breaker.svg"
    /// The latency histogram.
    public static let distributionChart = "latency-distribution.svg"
}

extension ReportFiles {
    /// Every file a report directory can hold.
    public static let all = [
        outcomesChart, loadChart, latencyChart, breakerChart, distributionChart, tasks, timeseries, junit, report, summary,
    ]
}
