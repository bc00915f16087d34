/// Latency percentiles per interval of scenario time as lines (p50, p99, …), with fault windows
/// shaded. Values are seconds; intervals without data break the line.
public struct LatencyChart: Sendable {
    /// Start of each interval, seconds of scenario time.
    public var intervalStarts: [Double]
    /// Length of each interval in seconds.
    public var intervalLength: Double
    /// The scenario's duration in seconds.
    public var duration: Double
    /// One line per percentile; values in seconds, `nil` where no task finished.
    public var series: [ChartSeries]
    /// Fault windows to shade.
    public var windows: [ChartWindow]
    /// The chart title.
    public var title: String

    /// Creates the chart.
    public init(
        intervalStarts: [Double], intervalLength: Double, duration: Double, series: [ChartSeries],
        windows: [ChartWindow] = [], title: String = "Latency from intended start, per interval"
    ) {
        self.intervalStarts = intervalStarts
        self.intervalLength = intervalLength
        self.duration = duration
        self.series = series
        self.windows = windows
        self.title = title
    }

    /// The SVG document.
    public func svg() -> String {
        let legendLabels = series.map(\.name) + windows.prefix(1).map { _ in "fault window" }
        let legendHeight = ChartFrame.legendHeight(legendLabels, maxWidth: ChartFrame.width - ChartFrame.marginLeft - ChartFrame.marginRight)
        let plotHeight = 220.0
        let height = ChartFrame.titleHeight + plotHeight + 44 + legendHeight + 8
        var canvas = SVGCanvas(width: ChartFrame.width, height: height)
        ChartFrame.title(&canvas, title)
        let maxValue = series.flatMap { $0.values.compactMap { $0 } }.filter(\.isFinite).max() ?? 0
        let (ticks, upper) = Ticks.linear(max: maxValue)
        let area = PlotArea(
            left: ChartFrame.marginLeft, top: ChartFrame.titleHeight,
            width: ChartFrame.width - ChartFrame.marginLeft - ChartFrame.marginRight, height: plotHeight,
            xMin: 0, xMax: max(duration, 1e-9), yMin: 0, yMax: upper)
        ChartFrame.faultWindows(&canvas, area, windows)
        ChartFrame.yAxis(&canvas, area, ticks: ticks, label: "latency", format: { NumberText.latency($0) })
        if maxValue == 0 { ChartFrame.empty(&canvas, area, "no latency data") }
        for s in series {
            var run: [(Double, Double)] = []
            func flush() {
                if run.count == 1 { canvas.circle(cx: run[0].0, cy: run[0].1, r: 2, fill: s.color) }
                if run.count > 1 { canvas.polyline(run, stroke: s.color) }
                run = []
            }
            for (i, start) in intervalStarts.enumerated() {
                guard i < s.values.count, let v = s.values[i], v.isFinite else {
                    flush()
                    continue
                }
                run.append((area.x(start + intervalLength / 2), area.y(v)))
            }
            flush()
        }
        ChartFrame.timeAxis(&canvas, area, duration: duration)
        var items = series.map { (label: $0.name, color: $0.color, opacity: Double?.none) }
        if !windows.isEmpty { items.append((label: "fault window", color: ChartPalette.fault, opacity: 0.12)) }
        ChartFrame.legend(&canvas, items: items, x: area.left, y: area.bottom + 52, maxWidth: area.width)
        return canvas.document(title: title, description: "Lines: latency percentiles of tasks finished in each \(NumberText.duration(intervalLength)) interval, measured from each task's intended start.")
    }
}
