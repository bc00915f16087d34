/// Values per interval of scenario time as lines (latency percentiles, offered load, goodput),
/// with fault windows shaded; intervals without data (`nil`) break the line.
public struct TimeLineChart: Sendable {
    /// What the values are, which sets the y-axis labels.
    public enum Unit: Sendable, Hashable {
        /// Seconds, labelled as latencies (`800ms`, `1.5s`).
        case seconds
        /// Counts per interval (`1,200`).
        case count
    }

    /// Start of each interval, seconds of scenario time.
    public var intervalStarts: [Double]
    /// Length of each interval in seconds.
    public var intervalLength: Double
    /// The scenario's duration in seconds.
    public var duration: Double
    /// One line per series, `nil` where there is no value.
    public var series: [ChartSeries]
    /// The unit of the values. Default seconds.
    public var unit: Unit
    /// The y-axis label. Default `latency`.
    public var yLabel: String
    /// The `<desc>` text.
    public var summary: String
    /// Fault windows to shade.
    public var windows: [ChartWindow]
    /// The chart title.
    public var title: String

    /// Creates the chart.
    public init(
        intervalStarts: [Double], intervalLength: Double, duration: Double, series: [ChartSeries],
        windows: [ChartWindow] = [], title: String = "Latency from intended start, per interval", unit: Unit = .seconds,
        yLabel: String = "latency",
        summary: String = "Lines: latency percentiles of the tasks finished in each interval, measured from each task's intended start."
    ) {
        self.unit = unit
        self.yLabel = yLabel
        self.summary = summary
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
        let (ticks, upper) = Ticks.linear(max: maxValue, integral: unit == .count)
        let area = PlotArea(
            left: ChartFrame.marginLeft, top: ChartFrame.titleHeight,
            width: ChartFrame.width - ChartFrame.marginLeft - ChartFrame.marginRight, height: plotHeight,
            xMin: 0, xMax: max(duration, 1e-9), yMin: 0, yMax: upper)
        ChartFrame.faultWindows(&canvas, area, windows)
        let unit = self.unit
        ChartFrame.yAxis(&canvas, area, ticks: ticks, label: yLabel) { v in
            unit == .seconds ? NumberText.latency(v) : NumberText.grouped(v, digits: 2)
        }
        if maxValue == 0 { ChartFrame.empty(&canvas, area, "no data") }
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
        return canvas.document(title: title, description: summary + " Interval: \(NumberText.duration(intervalLength)).")
    }
}
