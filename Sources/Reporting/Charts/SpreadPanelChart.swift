import Foundation

/// Figures against one variable, one small panel per figure stacked vertically, each point drawn
/// as a median with a bar from its lowest to its highest value (the spread over seeds and the
/// other parameters). `squall sweep` draws one per swept parameter (categories on x); `squall
/// plan` draws its SLO figures against load (a log axis, the knee marked).
public struct SpreadPanelChart: Sendable {
    /// How a panel's values are labelled.
    public enum Unit: Sendable, Hashable {
        /// A fraction shown as a percentage.
        case percent
        /// Seconds, shown as latencies.
        case seconds
        /// A count or plain number.
        case count
        /// US dollars.
        case dollars
    }

    /// One x position.
    public struct Point: Sendable, Hashable {
        /// Tick label.
        public var label: String
        /// Position on a log axis (ignored for categories).
        public var x: Double
        /// The median (drawn as a dot, joined by a line).
        public var median: Double
        /// The lowest value (bottom of the bar).
        public var low: Double
        /// The highest value (top of the bar).
        public var high: Double
        /// Colours the dot: passed (green), failed (red), nil (blue).
        public var passed: Bool?
        /// Creates a point.
        public init(label: String, x: Double = 0, median: Double, low: Double, high: Double, passed: Bool? = nil) {
            self.label = label
            self.x = x
            self.median = median
            self.low = low
            self.high = high
            self.passed = passed
        }
    }

    /// One figure.
    public struct Panel: Sendable, Hashable {
        /// Its title (`failures/day`).
        public var title: String
        /// How values are labelled.
        public var unit: Unit
        /// One point per x position, in x order.
        public var points: [Point]
        /// A horizontal reference line (a threshold, 100% of a limit), if any.
        public var reference: Double?
        /// The reference line's label.
        public var referenceLabel: String
        /// Creates a panel.
        public init(title: String, unit: Unit, points: [Point], reference: Double? = nil, referenceLabel: String = "") {
            self.title = title
            self.unit = unit
            self.points = points
            self.reference = reference
            self.referenceLabel = referenceLabel
        }
    }

    /// The chart's title.
    public var title: String
    /// The x axis' label.
    public var xLabel: String
    /// True: points sit at `x` on a log axis; false: evenly spaced categories.
    public var logX: Bool
    /// The panels, top to bottom.
    public var panels: [Panel]
    /// A vertical marker (x on the log axis, or a category index), with its label.
    public var marker: (x: Double, label: String)?
    /// The `<desc>` text.
    public var summary: String

    /// Creates a chart.
    public init(title: String, xLabel: String, logX: Bool, panels: [Panel], marker: (x: Double, label: String)? = nil, summary: String) {
        self.title = title
        self.xLabel = xLabel
        self.logX = logX
        self.panels = panels
        self.marker = marker
        self.summary = summary
    }

    static let panelHeight = 150.0
    static let plotHeight = 104.0

    /// The SVG document.
    public func svg() -> String {
        let legend = ["median", "lowest … highest", "passed", "failed"]
        let legendHeight = ChartFrame.legendHeight(legend, maxWidth: ChartFrame.width - ChartFrame.marginLeft - ChartFrame.marginRight)
        let height = ChartFrame.titleHeight + Double(panels.count) * Self.panelHeight + 30 + legendHeight + 8
        var canvas = SVGCanvas(width: ChartFrame.width, height: height)
        ChartFrame.title(&canvas, title)
        let width = ChartFrame.width - ChartFrame.marginLeft - ChartFrame.marginRight
        let xs = panels.first?.points ?? []
        var xMin = -0.5
        var xMax = Double(max(xs.count, 1)) - 0.5
        if logX {
            let positive = xs.map(\.x).filter { $0 > 0 }
            let lo = positive.min() ?? 1
            let hi = positive.max() ?? 10
            xMin = lo / 1.25
            xMax = hi * 1.25
        }
        func xPos(_ area: PlotArea, _ i: Int, _ p: Point) -> Double { logX ? area.x(p.x) : area.x(Double(i)) }
        var bottom = ChartFrame.titleHeight
        for (n, panel) in panels.enumerated() {
            let top = ChartFrame.titleHeight + Double(n) * Self.panelHeight + 18
            canvas.text(panel.title, x: ChartFrame.marginLeft, y: top - 5, size: 12, fill: "#222222", bold: true)
            let values = panel.points.flatMap { [$0.low, $0.high, $0.median] }.filter(\.isFinite) + (panel.reference.map { [$0] } ?? [])
            let lo = min(0, values.min() ?? 0)
            let hi = values.max() ?? 1
            let (ticks, upper) = Ticks.linear(min: lo, max: hi > lo ? hi : lo + 1, target: 4, integral: false)
            let area = PlotArea(
                left: ChartFrame.marginLeft, top: top, width: width, height: Self.plotHeight, xMin: xMin, xMax: xMax,
                yMin: ticks.first ?? lo, yMax: upper, logX: logX)
            let unit = panel.unit
            ChartFrame.yAxis(&canvas, area, ticks: ticks, label: "") { Self.format($0, unit) }
            canvas.line(x1: area.left, y1: area.bottom, x2: area.right, y2: area.bottom, stroke: ChartPalette.axis)
            if let r = panel.reference {
                canvas.line(x1: area.left, y1: area.y(r), x2: area.right, y2: area.y(r), stroke: ChartPalette.p99, dash: "2,3")
                if !panel.referenceLabel.isEmpty {
                    canvas.text(panel.referenceLabel, x: area.right - 2, y: area.y(r) - 3, anchor: .end, size: 9, fill: ChartPalette.p99)
                }
            }
            if let m = marker {
                let x = logX ? area.x(m.x) : area.x(m.x)
                canvas.line(x1: x, y1: area.top, x2: x, y2: area.bottom, stroke: "#555555", dash: "4,3")
                if n == 0 { canvas.text(m.label, x: x + 4, y: area.top + 10, size: 10, fill: "#555555") }
            }
            let pts = panel.points.enumerated().filter { $0.element.median.isFinite }
            canvas.polyline(
                pts.map { (xPos(area, $0.offset, $0.element), area.y($0.element.median)) }, stroke: ChartPalette.p50, width: 1.2)
            for (i, p) in panel.points.enumerated() where p.median.isFinite {
                let x = xPos(area, i, p)
                if p.low.isFinite, p.high.isFinite, p.high > p.low {
                    canvas.line(x1: x, y1: area.y(p.low), x2: x, y2: area.y(p.high), stroke: "#777777", width: 1.5)
                    canvas.line(x1: x - 3, y1: area.y(p.low), x2: x + 3, y2: area.y(p.low), stroke: "#777777")
                    canvas.line(x1: x - 3, y1: area.y(p.high), x2: x + 3, y2: area.y(p.high), stroke: "#777777")
                }
                let fill = p.passed.map { $0 ? ChartPalette.success : ChartPalette.open } ?? ChartPalette.p50
                canvas.circle(cx: x, cy: area.y(p.median), r: 3, fill: fill)
            }
            // x tick labels under each panel (thinned to at most 12).
            let step = max(1, (panel.points.count + 11) / 12)
            for (i, p) in panel.points.enumerated() where i % step == 0 {
                let x = xPos(area, i, p)
                canvas.line(x1: x, y1: area.bottom, x2: x, y2: area.bottom + 3, stroke: ChartPalette.axis)
                canvas.text(p.label, x: x, y: area.bottom + 13, anchor: .middle, size: 9, fill: ChartPalette.axis)
            }
            bottom = area.bottom
        }
        canvas.text(xLabel, x: ChartFrame.marginLeft + width / 2, y: bottom + 30, anchor: .middle, size: 11, fill: ChartPalette.axis)
        ChartFrame.legend(
            &canvas,
            items: [
                (label: "median", color: ChartPalette.p50, opacity: nil), (label: "lowest … highest", color: "#777777", opacity: nil),
                (label: "passed", color: ChartPalette.success, opacity: nil), (label: "failed", color: ChartPalette.open, opacity: nil),
            ], x: ChartFrame.marginLeft, y: bottom + 50, maxWidth: width)
        return canvas.document(title: title, description: summary)
    }

    static func format(_ v: Double, _ unit: Unit) -> String {
        switch unit {
        case .percent: return NumberText.percent(v, digits: 2)
        case .seconds: return NumberText.latency(v)
        case .count: return abs(v) >= 10_000 ? PlanAxis.short(v) : NumberText.grouped(v, digits: 2)
        case .dollars: return NumberText.dollars(v)
        }
    }
}

/// Short axis numbers: `12k`, `1.5M`.
enum PlanAxis {
    static func short(_ v: Double) -> String {
        let a = abs(v)
        if a >= 1e9 { return NumberText.trimmed(v / 1e9, 2) + "G" }
        if a >= 1e6 { return NumberText.trimmed(v / 1e6, 2) + "M" }
        if a >= 1e3 { return NumberText.trimmed(v / 1e3, 2) + "k" }
        return NumberText.trimmed(v, 2)
    }
}
