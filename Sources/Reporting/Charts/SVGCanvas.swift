/// A minimal SVG 1.1 document builder: presentation attributes only (no CSS, no scripts), a
/// `viewBox`, coordinates printed with at most two decimals, so the output renders on GitHub and in
/// browsers and the same drawing is always the same bytes.
public struct SVGCanvas: Sendable {
    /// Width in user units (and pixels).
    public let width: Double
    /// Height in user units (and pixels).
    public let height: Double
    private var body: [String] = []

    /// Creates an empty canvas of `width` × `height`.
    public init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    /// A coordinate or length: two decimals, trailing zeros dropped.
    static func n(_ v: Double) -> String { NumberText.trimmed(v, 2) }

    /// Adds raw markup (already escaped).
    public mutating func raw(_ markup: String) { body.append(markup) }

    /// Adds a rectangle.
    public mutating func rect(
        x: Double, y: Double, width: Double, height: Double, fill: String, stroke: String? = nil,
        opacity: Double? = nil, title: String? = nil
    ) {
        var a = "<rect x=\"\(Self.n(x))\" y=\"\(Self.n(y))\" width=\"\(Self.n(max(0, width)))\" height=\"\(Self.n(max(0, height)))\" fill=\"\(fill)\""
        if let stroke { a += " stroke=\"\(stroke)\"" }
        if let opacity { a += " fill-opacity=\"\(Self.n(opacity))\"" }
        if let title {
            body.append(a + "><title>\(XMLText.escape(title))</title></rect>")
        } else {
            body.append(a + "/>")
        }
    }

    /// Adds a straight line.
    public mutating func line(
        x1: Double, y1: Double, x2: Double, y2: Double, stroke: String, width: Double = 1, dash: String? = nil
    ) {
        var a = "<line x1=\"\(Self.n(x1))\" y1=\"\(Self.n(y1))\" x2=\"\(Self.n(x2))\" y2=\"\(Self.n(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(Self.n(width))\""
        if let dash { a += " stroke-dasharray=\"\(dash)\"" }
        body.append(a + "/>")
    }

    /// Adds an open polyline through `points`.
    public mutating func polyline(_ points: [(Double, Double)], stroke: String, width: Double = 1.5) {
        guard !points.isEmpty else { return }
        let pts = points.map { "\(Self.n($0.0)),\(Self.n($0.1))" }.joined(separator: " ")
        body.append("<polyline points=\"\(pts)\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"\(Self.n(width))\" stroke-linejoin=\"round\"/>")
    }

    /// Adds a small circle marker.
    public mutating func circle(cx: Double, cy: Double, r: Double, fill: String) {
        body.append("<circle cx=\"\(Self.n(cx))\" cy=\"\(Self.n(cy))\" r=\"\(Self.n(r))\" fill=\"\(fill)\"/>")
    }

    /// Text anchor positions.
    public enum Anchor: String, Sendable {
        /// Left-aligned at x.
        case start
        /// Centred on x.
        case middle
        /// Right-aligned at x.
        case end
    }

    /// Adds a text label (escaped), optionally rotated by `rotate` degrees around (x, y).
    public mutating func text(
        _ s: String, x: Double, y: Double, anchor: Anchor = .start, size: Double = 11, fill: String = "#333333",
        bold: Bool = false, rotate: Double? = nil
    ) {
        var a = "<text x=\"\(Self.n(x))\" y=\"\(Self.n(y))\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"\(Self.n(size))\" fill=\"\(fill)\" text-anchor=\"\(anchor.rawValue)\""
        if bold { a += " font-weight=\"bold\"" }
        if let rotate { a += " transform=\"rotate(\(Self.n(rotate)) \(Self.n(x)) \(Self.n(y)))\"" }
        body.append(a + ">\(XMLText.escape(s))</text>")
    }

    /// The finished document, with an accessible `<title>` and `<desc>`.
    public func document(title: String, description: String) -> String {
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"\(Self.n(width))\" height=\"\(Self.n(height))\" viewBox=\"0 0 \(Self.n(width)) \(Self.n(height))\" role=\"img\">\n"
        out += "<title>\(XMLText.escape(title))</title>\n"
        out += "<desc>\(XMLText.escape(description))</desc>\n"
        out += "<rect x=\"0\" y=\"0\" width=\"\(Self.n(width))\" height=\"\(Self.n(height))\" fill=\"#ffffff\"/>\n"
        for element in body { out += element + "\n" }
        out += "</svg>\n"
        return out
    }
}
