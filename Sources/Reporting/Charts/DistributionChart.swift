import Foundation

/// The latency distribution as a histogram on a logarithmic latency axis, with percentile markers.
public struct DistributionChart: Sendable {
    /// One histogram bin: tasks whose latency lies in `lower..<upper` seconds.
    public struct Bin: Sendable, Equatable {
        /// Lower edge in seconds (> 0).
        public var lower: Double
        /// Upper edge in seconds.
        public var upper: Double
        /// Tasks in the bin.
        public var count: Int
        /// Creates a bin.
        public init(lower: Double, upper: Double, count: Int) {
            self.lower = lower
            self.upper = upper
            self.count = count
        }
    }

    /// A vertical marker such as `p99`.
    public struct Marker: Sendable, Equatable {
        /// The label (`p50`).
        public var label: String
        /// The value in seconds.
        public var seconds: Double
        /// Line colour.
        public var color: String
        /// Creates a marker.
        public init(label: String, seconds: Double, color: String) {
            self.label = label
            self.seconds = seconds
            self.color = color
        }
    }

    /// The bins, in increasing latency.
    public var bins: [Bin]
    /// Percentile markers.
    public var markers: [Marker]
    /// The chart title.
    public var title: String

    /// Creates the chart.
    public init(bins: [Bin], markers: [Marker] = [], title: String = "Latency distribution (from intended start)") {
        self.bins = bins
        self.markers = markers
        self.title = title
    }

    /// Log-spaced bins (`perDecade` per decade) over `values` (seconds); values ≤ 0 go in the first bin.
    public static func bins(of values: [Double], perDecade: Int = 10) -> [Bin] {
        let positive = values.filter { $0 > 0 && $0.isFinite }
        guard let lo = positive.min(), let hi = positive.max() else { return [] }
        let a = floor(log10(lo) * Double(perDecade)) / Double(perDecade)
        let b = max(ceil(log10(hi) * Double(perDecade)) / Double(perDecade), a + 1 / Double(perDecade))
        let n = Int(((b - a) * Double(perDecade)).rounded())
        var counts = [Int](repeating: 0, count: max(n, 1))
        for v in values where v.isFinite {
            let i = v > 0 ? Int(floor((log10(v) - a) * Double(perDecade) + 1e-9)) : 0
            counts[min(max(i, 0), counts.count - 1)] += 1
        }
        return counts.enumerated().map { i, c in
            Bin(lower: pow(10, a + Double(i) / Double(perDecade)), upper: pow(10, a + Double(i + 1) / Double(perDecade)), count: c)
        }
    }

    /// The SVG document.
    public func svg() -> String {
        let plotHeight = 220.0
        let legendLabels = markers.map { "\($0.label) \(NumberText.latency($0.seconds))" }
        let legendHeight = ChartFrame.legendHeight(legendLabels, maxWidth: ChartFrame.width - ChartFrame.marginLeft - ChartFrame.marginRight)
        let height = ChartFrame.titleHeight + plotHeight + 44 + legendHeight + 8
        var canvas = SVGCanvas(width: ChartFrame.width, height: height)
        ChartFrame.title(&canvas, title)
        let used = bins.filter { $0.upper > 0 }
        let lower = used.map(\.lower).filter { $0 > 0 }.min() ?? 0.001
        let upper = max(used.map(\.upper).max() ?? 1, markers.map(\.seconds).max() ?? 0)
        let decades = Ticks.decades(lower: lower, upper: max(upper, lower * 10))
        let (ticks, yUpper) = Ticks.linear(max: Double(used.map(\.count).max() ?? 0), integral: true)
        var area = PlotArea(
            left: ChartFrame.marginLeft, top: ChartFrame.titleHeight,
            width: ChartFrame.width - ChartFrame.marginLeft - ChartFrame.marginRight, height: plotHeight,
            xMin: decades.first!, xMax: decades.last!, yMin: 0, yMax: yUpper)
        area.logX = true
        ChartFrame.yAxis(&canvas, area, ticks: ticks, label: "tasks", format: { NumberText.grouped($0, digits: 2) })
        if used.allSatisfy({ $0.count == 0 }) { ChartFrame.empty(&canvas, area, "no latency data") }
        for b in used where b.count > 0 {
            let x0 = area.x(max(b.lower, area.xMin)), x1 = area.x(b.upper)
            let y = area.y(Double(b.count))
            canvas.rect(
                x: x0, y: y, width: max(x1 - x0 - 0.5, 0.5), height: area.bottom - y, fill: "#4c72b0",
                title: "\(NumberText.latency(b.lower))..\(NumberText.latency(b.upper)): \(NumberText.grouped(b.count))")
        }
        for m in markers where m.seconds > 0 {
            let x = area.x(m.seconds)
            canvas.line(x1: x, y1: area.top, x2: x, y2: area.bottom, stroke: m.color, width: 1.5, dash: "4 3")
        }
        canvas.line(x1: area.left, y1: area.bottom, x2: area.right, y2: area.bottom, stroke: ChartPalette.axis)
        for d in decades {
            let x = area.x(d)
            canvas.line(x1: x, y1: area.bottom, x2: x, y2: area.bottom + 4, stroke: ChartPalette.axis)
            canvas.text(NumberText.decadeTick(d), x: x, y: area.bottom + 16, anchor: .middle, size: 10, fill: ChartPalette.axis)
        }
        canvas.text("latency (log scale)", x: area.left + area.width / 2, y: area.bottom + 32, anchor: .middle, size: 11, fill: ChartPalette.axis)
        let items = markers.map { (label: "\($0.label) \(NumberText.latency($0.seconds))", color: $0.color, opacity: Double?.none) }
        ChartFrame.legend(&canvas, items: items, x: area.left, y: area.bottom + 52, maxWidth: area.width)
        return canvas.document(title: title, description: "Histogram of task latency from intended start, on a logarithmic axis, with percentile markers.")
    }
}
