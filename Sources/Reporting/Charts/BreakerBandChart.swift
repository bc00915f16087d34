import Reliability

/// The circuit breaker's state over scenario time as a coloured band (closed / open / half-open),
/// with fault windows shaded on a band beneath it.
public struct BreakerBandChart: Sendable {
    /// One stretch of a single breaker state.
    public struct Segment: Sendable, Equatable {
        /// Start, seconds of scenario time.
        public var start: Double
        /// End, seconds of scenario time.
        public var end: Double
        /// The state held in `start..<end`.
        public var state: BreakerState
        /// Creates a segment.
        public init(start: Double, end: Double, state: BreakerState) {
            self.start = start
            self.end = end
            self.state = state
        }
    }

    /// The scenario's duration in seconds.
    public var duration: Double
    /// The state segments, in time order.
    public var segments: [Segment]
    /// Fault windows to draw beneath the band.
    public var windows: [ChartWindow]
    /// The chart title.
    public var title: String

    /// Creates the chart.
    public init(duration: Double, segments: [Segment], windows: [ChartWindow] = [], title: String = "Circuit breaker state") {
        self.duration = duration
        self.segments = segments
        self.windows = windows
        self.title = title
    }

    /// Builds segments from the state changes (`at` seconds, new state) of a breaker that starts
    /// closed at 0 and runs to `duration`.
    public static func segments(changes: [(at: Double, to: BreakerState)], duration: Double) -> [Segment] {
        var out: [Segment] = []
        var state = BreakerState.closed
        var since = 0.0
        for t in changes {
            let at = min(max(t.at, 0), duration)
            if at > since { out.append(Segment(start: since, end: at, state: state)) }
            state = t.to
            since = at
        }
        if duration > since || out.isEmpty { out.append(Segment(start: since, end: max(duration, since), state: state)) }
        return out
    }

    static func color(_ state: BreakerState) -> String {
        switch state {
        case .closed: return ChartPalette.closed
        case .open, .forcedOpen: return ChartPalette.open
        case .halfOpen: return ChartPalette.halfOpen
        case .disabled: return ChartPalette.disabled
        }
    }

    static func label(_ state: BreakerState) -> String {
        switch state {
        case .closed: return "closed"
        case .open: return "open"
        case .halfOpen: return "half-open"
        case .forcedOpen: return "forced open"
        case .disabled: return "disabled"
        }
    }

    /// The SVG document.
    public func svg() -> String {
        let bandHeight = 34.0
        let faultHeight = 14.0
        let top = ChartFrame.titleHeight
        let height = top + bandHeight + 6 + faultHeight + 40 + 26
        var canvas = SVGCanvas(width: ChartFrame.width, height: height)
        ChartFrame.title(&canvas, title)
        let area = PlotArea(
            left: ChartFrame.marginLeft, top: top,
            width: ChartFrame.width - ChartFrame.marginLeft - ChartFrame.marginRight, height: bandHeight + 6 + faultHeight,
            xMin: 0, xMax: max(duration, 1e-9), yMin: 0, yMax: 1)
        canvas.text("breaker", x: area.left - 6, y: top + bandHeight / 2 + 4, anchor: .end, size: 10, fill: ChartPalette.axis)
        canvas.text("faults", x: area.left - 6, y: top + bandHeight + 6 + faultHeight / 2 + 4, anchor: .end, size: 10, fill: ChartPalette.axis)
        for s in segments {
            let x0 = area.x(s.start), x1 = area.x(s.end)
            // Short segments (a half-open probe lasting milliseconds) stay visible at one pixel.
            canvas.rect(
                x: x0, y: top, width: max(x1 - x0, 1), height: bandHeight, fill: Self.color(s.state),
                title: "\(Self.label(s.state)) \(NumberText.duration(s.start))..\(NumberText.duration(s.end))")
        }
        canvas.rect(x: area.left, y: top + bandHeight + 6, width: area.width, height: faultHeight, fill: "#f4f4f4")
        for w in windows {
            let x0 = area.x(w.start), x1 = area.x(w.end)
            canvas.rect(
                x: x0, y: top + bandHeight + 6, width: max(x1 - x0, 1), height: faultHeight, fill: ChartPalette.fault, opacity: 0.6,
                title: "\(w.label): \(NumberText.duration(w.start))..\(NumberText.duration(w.end))")
        }
        ChartFrame.timeAxis(&canvas, area, duration: duration)
        var seen: [BreakerState] = []
        for s in segments where !seen.contains(s.state) { seen.append(s.state) }
        if !seen.contains(.open) { seen.append(.open) }
        if !seen.contains(.halfOpen) { seen.append(.halfOpen) }
        let order: [BreakerState] = [.closed, .open, .halfOpen, .forcedOpen, .disabled]
        var items = order.filter { seen.contains($0) }.map { (label: Self.label($0), color: Self.color($0), opacity: Double?.none) }
        items.append((label: "fault window", color: ChartPalette.fault, opacity: 0.6))
        ChartFrame.legend(&canvas, items: items, x: area.left, y: area.bottom + 52, maxWidth: area.width)
        return canvas.document(title: title, description: "Band: the circuit breaker's state over scenario time; beneath it, the fault windows of the scenario.")
    }
}
