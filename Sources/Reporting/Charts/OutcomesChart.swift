/// Stacked bars of task outcomes per interval of scenario time (succeeded first time, succeeded
/// after retries, failed by cause), with fault windows shaded.
public struct OutcomesChart: Sendable {
    /// Start of each interval, seconds of scenario time.
    public var intervalStarts: [Double]
    /// Length of each interval in seconds.
    public var intervalLength: Double
    /// The scenario's duration in seconds (the x axis extent).
    public var duration: Double
    /// Series stacked bottom to top, one value per interval (tasks finished in that interval).
    public var series: [ChartSeries]
    /// Fault windows to shade.
    public var windows: [ChartWindow]
    /// The chart title.
    public var title: String

    /// Creates the chart.
    public init(
        intervalStarts: [Double], intervalLength: Double, duration: Double, series: [ChartSeries],
        windows: [ChartWindow] = [], title: String = "Task outcomes per interval"
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
        var totals = [Double](repeating: 0, count: intervalStarts.count)
        for s in series {
            for (i, v) in s.values.enumerated() where i < totals.count { totals[i] += max(v ?? 0, 0) }
        }
        let (ticks, upper) = Ticks.linear(max: totals.max() ?? 0, integral: true)
        let area = PlotArea(
            left: ChartFrame.marginLeft, top: ChartFrame.titleHeight,
            width: ChartFrame.width - ChartFrame.marginLeft - ChartFrame.marginRight, height: plotHeight,
            xMin: 0, xMax: max(duration, 1e-9), yMin: 0, yMax: upper)
        ChartFrame.faultWindows(&canvas, area, windows)
        ChartFrame.yAxis(&canvas, area, ticks: ticks, label: "tasks finished", format: { NumberText.grouped($0, digits: 2) })
        if totals.allSatisfy({ $0 == 0 }) { ChartFrame.empty(&canvas, area, "no tasks finished") }
        let barWidth = max(area.x(intervalLength) - area.x(0), 0.5)
        let gap = barWidth > 4 ? 1.0 : 0
        for (i, start) in intervalStarts.enumerated() {
            var base = 0.0
            for s in series {
                let v = i < s.values.count ? max(s.values[i] ?? 0, 0) : 0
                guard v > 0 else { continue }
                let y0 = area.y(base), y1 = area.y(base + v)
                canvas.rect(
                    x: area.x(start) + gap / 2, y: y1, width: barWidth - gap, height: y0 - y1, fill: s.color,
                    title: "\(NumberText.duration(start)): \(s.name) \(NumberText.grouped(v, digits: 2))")
                base += v
            }
        }
        ChartFrame.timeAxis(&canvas, area, duration: duration)
        var items = series.map { (label: $0.name, color: $0.color, opacity: Double?.none) }
        if !windows.isEmpty { items.append((label: "fault window", color: ChartPalette.fault, opacity: 0.12)) }
        ChartFrame.legend(&canvas, items: items, x: area.left, y: area.bottom + 52, maxWidth: area.width)
        return canvas.document(title: title, description: "Stacked bars: tasks finished per \(NumberText.duration(intervalLength)) interval, by outcome.")
    }
}
