import Foundation

/// A named series of values for a chart, one per interval (`nil` = no data in that interval).
public struct ChartSeries: Sendable, Equatable {
    /// Legend label.
    public var name: String
    /// Fill or stroke colour (`#rrggbb`).
    public var color: String
    /// One value per interval.
    public var values: [Double?]
    /// Creates a series.
    public init(name: String, color: String, values: [Double?]) {
        self.name = name
        self.color = color
        self.values = values
    }
}

/// A span of scenario time (seconds) to shade on time charts, such as a fault window.
public struct ChartWindow: Sendable, Equatable {
    /// Start, in seconds of scenario time.
    public var start: Double
    /// End, in seconds of scenario time.
    public var end: Double
    /// Label shown in the legend and tooltip.
    public var label: String
    /// Creates a window.
    public init(start: Double, end: Double, label: String) {
        self.start = start
        self.end = end
        self.label = label
    }
}

/// The fixed colours of Squall's charts (colour-blind-friendly, Okabe–Ito based).
public enum ChartPalette {
    /// Successful on the first attempt.
    public static let success = "#2e8b57"
    /// Succeeded after at least one retry.
    public static let retried = "#e6a817"
    /// Failure colours, assigned to causes in order.
    public static let failures = ["#d55e00", "#cc79a7", "#8b0000", "#7f3fbf", "#b22222", "#a0522d", "#e377c2", "#555555", "#000000"]
    /// The p50 line.
    public static let p50 = "#0072b2"
    /// The p99 line.
    public static let p99 = "#d55e00"
    /// Breaker closed.
    public static let closed = "#2e8b57"
    /// Breaker open (and forced open).
    public static let open = "#d55e00"
    /// Breaker half-open.
    public static let halfOpen = "#e6a817"
    /// Breaker disabled.
    public static let disabled = "#999999"
    /// Fault-window shading.
    public static let fault = "#d55e00"
    /// Axis and text.
    public static let axis = "#444444"
    /// Grid lines.
    public static let grid = "#e3e3e3"
}

/// The plot area of a chart and the mapping from data to canvas coordinates.
struct PlotArea {
    var left: Double
    var top: Double
    var width: Double
    var height: Double
    var xMin: Double
    var xMax: Double
    var yMin: Double
    var yMax: Double
    var logX = false

    var right: Double { left + width }
    var bottom: Double { top + height }

    func x(_ v: Double) -> Double {
        if logX {
            let a = log10(xMin), b = log10(xMax)
            let t = (log10(max(v, xMin)) - a) / (b - a)
            return left + width * min(max(t, 0), 1)
        }
        guard xMax > xMin else { return left }
        return left + width * min(max((v - xMin) / (xMax - xMin), 0), 1)
    }

    func y(_ v: Double) -> Double {
        guard yMax > yMin else { return bottom }
        return bottom - height * min(max((v - yMin) / (yMax - yMin), 0), 1)
    }
}

/// Shared drawing: title, axes with ticks and grid, fault windows, legend.
enum ChartFrame {
    static let width = 760.0
    static let marginLeft = 64.0
    static let marginRight = 20.0
    static let titleHeight = 34.0

    static func title(_ canvas: inout SVGCanvas, _ title: String) {
        canvas.text(title, x: marginLeft, y: 22, size: 14, fill: "#222222", bold: true)
    }

    /// Y axis: grid lines and labels at `ticks`, and a rotated axis label.
    static func yAxis(_ canvas: inout SVGCanvas, _ area: PlotArea, ticks: [Double], label: String, format: (Double) -> String) {
        for t in ticks {
            let y = area.y(t)
            canvas.line(x1: area.left, y1: y, x2: area.right, y2: y, stroke: ChartPalette.grid)
            canvas.text(format(t), x: area.left - 6, y: y + 4, anchor: .end, size: 10, fill: ChartPalette.axis)
        }
        canvas.line(x1: area.left, y1: area.top, x2: area.left, y2: area.bottom, stroke: ChartPalette.axis)
        canvas.text(label, x: 14, y: area.top + area.height / 2, anchor: .middle, size: 11, fill: ChartPalette.axis, rotate: -90)
    }

    /// X axis in scenario time: tick marks and duration labels.
    static func timeAxis(_ canvas: inout SVGCanvas, _ area: PlotArea, duration: Double, label: String = "scenario time") {
        canvas.line(x1: area.left, y1: area.bottom, x2: area.right, y2: area.bottom, stroke: ChartPalette.axis)
        for t in Ticks.time(duration: duration) {
            let x = area.x(t)
            canvas.line(x1: x, y1: area.bottom, x2: x, y2: area.bottom + 4, stroke: ChartPalette.axis)
            canvas.text(NumberText.timeTick(t), x: x, y: area.bottom + 16, anchor: .middle, size: 10, fill: ChartPalette.axis)
        }
        canvas.text(label, x: area.left + area.width / 2, y: area.bottom + 32, anchor: .middle, size: 11, fill: ChartPalette.axis)
    }

    /// Shades `windows` across the plot area (drawn beneath the data).
    static func faultWindows(_ canvas: inout SVGCanvas, _ area: PlotArea, _ windows: [ChartWindow]) {
        for w in windows {
            let x0 = area.x(w.start), x1 = area.x(w.end)
            canvas.rect(
                x: x0, y: area.top, width: max(x1 - x0, 1), height: area.height, fill: ChartPalette.fault, opacity: 0.12,
                title: "\(w.label): \(NumberText.duration(w.start))..\(NumberText.duration(w.end))")
        }
    }

    /// A one-row legend of coloured swatches starting at (x, y); wraps to further rows as needed.
    /// Returns the y below the legend.
    @discardableResult
    static func legend(_ canvas: inout SVGCanvas, items: [(label: String, color: String, opacity: Double?)], x: Double, y: Double, maxWidth: Double) -> Double {
        var cx = x
        var cy = y
        for item in items {
            let w = 18 + Double(item.label.count) * 6.2 + 14
            if cx + w > x + maxWidth, cx > x {
                cx = x
                cy += 18
            }
            canvas.rect(x: cx, y: cy - 9, width: 12, height: 12, fill: item.color, opacity: item.opacity)
            canvas.text(item.label, x: cx + 17, y: cy + 1, size: 11, fill: ChartPalette.axis)
            cx += w
        }
        return cy + 14
    }

    /// Legend height for `items` within `maxWidth` (same wrapping as `legend`).
    static func legendHeight(_ labels: [String], maxWidth: Double) -> Double {
        var cx = 0.0
        var rows = 1.0
        for label in labels {
            let w = 18 + Double(label.count) * 6.2 + 14
            if cx + w > maxWidth, cx > 0 {
                cx = 0
                rows += 1
            }
            cx += w
        }
        return rows * 18
    }

    /// A centred note for a chart without data.
    static func empty(_ canvas: inout SVGCanvas, _ area: PlotArea, _ note: String) {
        canvas.text(note, x: area.left + area.width / 2, y: area.top + area.height / 2, anchor: .middle, size: 12, fill: "#888888")
    }
}
