import Foundation
import Reliability
import YAMLConfig

/// A comparison in a threshold.
public enum Comparison: String, Sendable, Hashable, CaseIterable {
    /// Strictly less.
    case lessThan = "<"
    /// Less or equal.
    case atMost = "<="
    /// Strictly greater.
    case greaterThan = ">"
    /// Greater or equal.
    case atLeast = ">="
    /// Equal.
    case equal = "=="

    /// Whether `observed ⋄ limit` holds (equality within 1e-9 relative).
    public func holds(_ observed: Double, _ limit: Double) -> Bool {
        let eps = 1e-9 * max(1, abs(limit))
        switch self {
        case .lessThan: return observed < limit
        case .atMost: return observed <= limit + eps
        case .greaterThan: return observed > limit
        case .atLeast: return observed >= limit - eps
        case .equal: return abs(observed - limit) <= eps
        }
    }
}

/// The unit a threshold's value is written and shown in.
public enum ThresholdUnit: String, Sendable, Hashable {
    /// A percentage (`99.5%` or `0.995`).
    case percent
    /// A duration (`40s`), held in seconds.
    case seconds
    /// A plain number (`1.2`, `10k`, `2M`).
    case number
    /// US dollars (`$3.50` or `3.5`).
    case dollars
    /// A ratio (`2x` or `2`).
    case factor

    /// Formats a value in this unit.
    public func format(_ v: Double) -> String {
        switch self {
        case .percent: return Percent.format(v, digits: 3)
        case .seconds: return DurationFormat.short(.fromSeconds(v))
        case .number: return Self.number(v)
        case .dollars: return "$" + String(format: v < 10 ? "%.4f" : "%.2f", v)
        case .factor: return String(format: "%.2fx", v)
        }
    }

    static func number(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return String(format: "%.3f", v)
    }
}

/// A condition on one observed figure: comparison, value and unit (`>= 99.5%`, `< 40s`, `<= 15`).
public struct Threshold: Sendable, Hashable, CustomStringConvertible {
    /// The comparison.
    public var comparison: Comparison
    /// The limit (fractions for percentages, seconds for durations).
    public var value: Double
    /// The unit.
    public var unit: ThresholdUnit
    /// For counts written `"<= 120 at 99%"`: the confidence of a one-sided exact Poisson test on the
    /// count (it fails only when the count is beyond the limit at this confidence); nil compares the
    /// observed figure directly. Default nil.
    public var confidence: Double?

    /// Creates a threshold.
    public init(_ comparison: Comparison, _ value: Double, unit: ThresholdUnit, confidence: Double? = nil) {
        self.comparison = comparison
        self.value = value
        self.unit = unit
        self.confidence = confidence
    }

    /// Whether the observed value satisfies it, compared directly (statistical thresholds are
    /// judged by `CountTest` on the raw count).
    public func holds(_ observed: Double) -> Bool { comparison.holds(observed, value) }

    /// `>= 99.5%`, `<= 120 at 99%`.
    public var description: String {
        let base = "\(comparison.rawValue) \(unit.format(value))"
        guard let confidence else { return base }
        return base + " at " + Percent.format(confidence, digits: 3)
    }

    /// The forms a threshold may take, for errors.
    static func validForms(_ unit: ThresholdUnit) -> String {
        let example: String
        switch unit {
        case .percent: example = "'>= 99.5%'"
        case .seconds: example = "'< 40s'"
        case .number: example = "'<= 15' or '<= 10k'"
        case .dollars: example = "'<= $3.50'"
        case .factor: example = "'<= 2x'"
        }
        return "a comparison (<, <=, >, >=, ==) and a value, such as \(example)"
    }

    /// Parses a threshold from a scalar; a bare value uses `defaultComparison`. With
    /// `allowsConfidence` (counts), a suffix `at 99%` makes it a statistical threshold.
    public static func decode(
        _ node: ConfigNode, unit: ThresholdUnit, defaultComparison: Comparison, allowsConfidence: Bool = false
    ) throws(ConfigError) -> Threshold {
        var raw = try node.string().trimmingCharacters(in: .whitespaces)
        var confidence: Double?
        if let r = raw.range(of: " at ", options: .backwards) {
            let suffix = raw[r.upperBound...].trimmingCharacters(in: .whitespaces)
            guard allowsConfidence else {
                throw node.error(
                    "'\(raw)' is not valid: a confidence ('at 99%') applies to counts only "
                        + "(\(CountTest.keys.joined(separator: ", "))); here expected \(validForms(unit))")
            }
            guard let c = try? Percent.parse(suffix), c > 0.5, c < 1 else {
                throw node.error("'\(raw)' is not valid: the confidence after 'at' must be a percentage between 50% and 100% (exclusive), e.g. 'at 99%'")
            }
            confidence = c
            raw = raw[..<r.lowerBound].trimmingCharacters(in: .whitespaces)
        }
        var text = Substring(raw)
        var comparison = defaultComparison
        let prefixes: [(String, Comparison)] = [
            ("<=", .atMost), (">=", .atLeast), ("==", .equal), ("≤", .atMost), ("≥", .atLeast), ("<", .lessThan),
            (">", .greaterThan), ("=", .equal),
        ]
        for (p, c) in prefixes where text.hasPrefix(p) {
            comparison = c
            text = text.dropFirst(p.count)
            break
        }
        var valueText = text.trimmingCharacters(in: .whitespaces)
        if let r = valueText.range(of: " of ") { valueText = String(valueText[..<r.lowerBound]) }
        guard let v = parseValue(valueText, unit: unit) else {
            if unit == .percent, let problem = Percent.rangeProblem(valueText) {
                throw node.error("'\(raw)' is not valid: \(problem); a percentage is 0% to 100%")
            }
            throw node.error("'\(raw)' is not valid: expected \(validForms(unit))")
        }
        if confidence != nil, comparison == .equal {
            throw node.error("'\(raw)' is not valid: a confidence needs a bound (<=, <, >=, >), not '=='")
        }
        return Threshold(comparison, v, unit: unit, confidence: confidence)
    }

    static func parseValue(_ text: String, unit: ThresholdUnit) -> Double? {
        var s = text.replacingOccurrences(of: "_", with: "").replacingOccurrences(of: ",", with: "")
        switch unit {
        case .percent:
            return try? Percent.parse(s)
        case .seconds:
            return (try? DurationFormat.parse(s))?.seconds
        case .dollars:
            if s.hasPrefix("$") { s.removeFirst() }
            return Double(s).flatMap { $0.isFinite && $0 >= 0 ? $0 : nil }
        case .factor:
            if s.hasSuffix("x") || s.hasSuffix("×") { s.removeLast() }
            return Double(s).flatMap { $0.isFinite && $0 >= 0 ? $0 : nil }
        case .number:
            var scale = 1.0
            if s.hasSuffix("k") || s.hasSuffix("K") { scale = 1e3; s.removeLast() }
            else if s.hasSuffix("M") { scale = 1e6; s.removeLast() }
            else if s.hasSuffix("G") || s.hasSuffix("B") { scale = 1e9; s.removeLast() }
            return Double(s).flatMap { $0.isFinite && $0 >= 0 ? $0 * scale : nil }
        }
    }
}
