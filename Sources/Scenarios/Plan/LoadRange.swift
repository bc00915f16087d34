import Foundation

/// A range of loads in tasks per day, written `10k..1M/day` (also `/h`, `/m`, `/s`; `k`, `M`, `G`
/// multiply by 10³, 10⁶, 10⁹), or `10000/day..1000000/day`.
public struct LoadRange: Sendable, Hashable, CustomStringConvertible {
    /// The lowest load, tasks per day.
    public var lower: Double
    /// The highest load, tasks per day.
    public var upper: Double

    /// Creates a range (lower ≤ upper, both above 0).
    public init(lower: Double, upper: Double) {
        self.lower = lower
        self.upper = upper
    }

    /// What a valid range looks like.
    public static let validForms = "a range of loads such as 10k..1M/day, 1000..50000/day or 1/s..20/s (k, M, G multiply by 1e3, 1e6, 1e9)"

    /// Parses a range; the error says what is wrong (the caller adds where).
    public static func parse(_ text: String) throws(SweepValuesError) -> LoadRange {
        let s = text.trimmingCharacters(in: .whitespaces)
        guard let dots = s.range(of: "..") else { throw SweepValuesError("'\(s)' is not valid: expected \(validForms)") }
        var a = String(s[..<dots.lowerBound])
        var b = String(s[dots.upperBound...])
        var unit = "day"
        if let slash = b.lastIndex(of: "/") {
            unit = String(b[b.index(after: slash)...])
            b = String(b[..<slash])
        }
        if let slash = a.lastIndex(of: "/") {
            guard String(a[a.index(after: slash)...]) == unit else {
                throw SweepValuesError("'\(s)': both ends must use the same unit")
            }
            a = String(a[..<slash])
        }
        guard let per = perDay(unit) else {
            throw SweepValuesError("'\(s)': unknown unit '/\(unit)'; expected /day, /h, /m or /s")
        }
        guard let lo = number(a), let hi = number(b) else { throw SweepValuesError("'\(s)' is not valid: expected \(validForms)") }
        guard lo > 0 else { throw SweepValuesError("'\(s)': the lowest load must be above zero") }
        guard lo <= hi else { throw SweepValuesError("'\(s)': the lowest load is above the highest") }
        return LoadRange(lower: lo * per, upper: hi * per)
    }

    /// Multiplier from the unit to per day.
    static func perDay(_ unit: String) -> Double? {
        switch unit.lowercased() {
        case "day", "d": return 1
        case "h", "hour": return 24
        case "m", "min", "minute": return 1440
        case "s", "sec", "second": return 86_400
        default: return nil
        }
    }

    /// `250`, `2.5k`, `1M`, `1e6`.
    static func number(_ text: String) -> Double? {
        var t = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "_", with: "")
        var factor = 1.0
        switch t.last {
        case "k"?, "K"?: factor = 1e3
        case "M"?: factor = 1e6
        case "G"?: factor = 1e9
        default: break
        }
        if factor != 1 { t.removeLast() }
        guard let v = Double(t), v.isFinite else { return nil }
        return v * factor
    }

    /// `n` loads from `lower` to `upper`, evenly spaced in the logarithm (both ends included).
    public func levels(_ n: Int) -> [Double] {
        guard n > 1, upper > lower else { return [lower] }
        let a = log(lower)
        let b = log(upper)
        return (0..<n).map { i in i == 0 ? lower : (i == n - 1 ? upper : exp(a + (b - a) * Double(i) / Double(n - 1))) }
    }

    public var description: String { "\(PlanNumber.load(lower))..\(PlanNumber.load(upper))/day" }
}

/// Formatting of plan loads.
public enum PlanNumber {
    /// A load with at most 3 significant digits: `10k`, `31.6k`, `1M`, `750`.
    public static func load(_ v: Double) -> String {
        func trim(_ x: Double) -> String {
            var s = String(format: x >= 100 ? "%.0f" : (x >= 10 ? "%.1f" : "%.2f"), x)
            if s.contains(".") {
                while s.hasSuffix("0") { s.removeLast() }
                if s.hasSuffix(".") { s.removeLast() }
            }
            return s
        }
        if v >= 1e9 { return trim(v / 1e9) + "G" }
        if v >= 1e6 { return trim(v / 1e6) + "M" }
        if v >= 1e3 { return trim(v / 1e3) + "k" }
        return trim(v)
    }
}
