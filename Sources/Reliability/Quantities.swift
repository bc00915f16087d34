import Foundation

/// A value that did not parse, with what would have been valid. Loaders add the location.
public struct QuantityError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The text that was given.
    public var input: String
    /// A description of the valid forms.
    public var expected: String
    /// Creates an error for `input`, explaining what is `expected`.
    public init(input: String, expected: String) {
        self.input = input
        self.expected = expected
    }
    public var description: String { "'\(input)' is not valid: expected \(expected)" }
}

/// A probability written as `99.9%` or `0.999` (a bare number must lie in 0…1).
public enum Percent {
    /// What a valid percentage looks like.
    public static let validForms = "a percentage such as 2%, 99.9% or a fraction 0..1 such as 0.02"

    /// Parses to a fraction in 0…1.
    public static func parse(_ text: String) throws(QuantityError) -> Double {
        let s = text.trimmingCharacters(in: .whitespaces)
        if let problem = rangeProblem(s) { throw QuantityError(input: text, expected: "a percentage from 0% to 100% (\(problem))") }
        if s.hasSuffix("%") {
            let number = s.dropLast().trimmingCharacters(in: .whitespaces)
            guard let v = Double(number), v >= 0, v <= 100, let fraction = Double(shiftDecimalLeftTwo(number)) else {
                throw QuantityError(input: text, expected: validForms)
            }
            return fraction
        }
        guard let v = Double(s), v >= 0, v <= 1 else { throw QuantityError(input: text, expected: validForms) }
        return v
    }

    /// Why a well-formed number is out of range (`150% exceeds 100%`, `1.5 exceeds 1 (100%)`,
    /// `-5% is below 0%`), or nil when it is in range or not a number at all.
    public static func rangeProblem(_ text: String) -> String? {
        let s = text.trimmingCharacters(in: .whitespaces)
        if s.hasSuffix("%") {
            guard let v = Double(s.dropLast().trimmingCharacters(in: .whitespaces)), v.isFinite else { return nil }
            if v > 100 { return "\(s) exceeds 100%" }
            if v < 0 { return "\(s) is below 0%" }
            return nil
        }
        guard let v = Double(s), v.isFinite else { return nil }
        if v > 1 { return "\(s) exceeds 1 (100%); write a fraction 0..1 or a percentage such as 99.9%" }
        if v < 0 { return "\(s) is below 0" }
        return nil
    }

    /// "99.9" → "0.999" by moving the decimal point in the text, so `99.9%` parses to exactly the
    /// same double as `0.999` (dividing by 100 would give 0.9990000000000001).
    static func shiftDecimalLeftTwo(_ number: String) -> String {
        var digits = number
        var exponentPart = ""
        if let e = digits.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponentPart = String(digits[e...])
            digits = String(digits[..<e])
        }
        let parts = digits.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        var intPart = String(parts[0])
        let fracPart = parts.count > 1 ? String(parts[1]) : ""
        while intPart.count < 3 { intPart = "0" + intPart }
        let newInt = String(intPart.dropLast(2))
        let newFrac = String(intPart.suffix(2)) + fracPart
        return newInt + "." + newFrac + exponentPart
    }

    /// Formats a fraction as a percentage with up to `digits` decimals (`99.5%`).
    public static func format(_ fraction: Double, digits: Int = 3) -> String {
        var text = String(format: "%.\(digits)f", fraction * 100)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text + "%"
    }
}

/// An event rate written as `2000/s`, `300/m`, `50/h` or `10000/day`, held as events per second.
public enum Rate {
    /// What a valid rate looks like.
    public static let validForms = "a rate such as 2000/s, 300/m, 50/h or 10000/day"

    /// Parses to events per second.
    public static func parse(_ text: String) throws(QuantityError) -> Double {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: "/", maxSplits: 1)
        guard parts.count == 2, let count = Double(parts[0].trimmingCharacters(in: .whitespaces)), count >= 0,
            count.isFinite
        else { throw QuantityError(input: text, expected: validForms) }
        let per: Double
        switch parts[1].trimmingCharacters(in: .whitespaces).lowercased() {
        case "s", "sec", "second": per = 1
        case "m", "min", "minute": per = 60
        case "h", "hour": per = 3600
        case "d", "day": per = 86_400
        default: throw QuantityError(input: text, expected: validForms)
        }
        return count / per
    }
}

/// A closed range of durations written `20m..25m` (scenario time) or `0s..30s`.
public struct DurationRange: Sendable, Hashable, CustomStringConvertible {
    /// Inclusive start.
    public var lower: Duration
    /// Exclusive end.
    public var upper: Duration
    /// Creates a range; `lower` must not exceed `upper`.
    public init(_ lower: Duration, _ upper: Duration) {
        self.lower = lower
        self.upper = upper
    }
    /// What a valid range looks like.
    public static let validForms = "a range of durations such as 20m..25m or 0s..30s (start <= end)"

    /// Parses `A..B`.
    public static func parse(_ text: String) throws(QuantityError) -> DurationRange {
        let s = text.trimmingCharacters(in: .whitespaces)
        guard let dots = s.range(of: "..") else { throw QuantityError(input: text, expected: validForms) }
        let a: Duration
        let b: Duration
        do {
            a = try DurationFormat.parse(String(s[..<dots.lowerBound]))
            b = try DurationFormat.parse(String(s[dots.upperBound...]))
        } catch { throw QuantityError(input: text, expected: validForms) }
        guard a <= b, a >= .zero else { throw QuantityError(input: text, expected: validForms) }
        return DurationRange(a, b)
    }

    /// Whether `t` lies in `[lower, upper)`.
    public func contains(_ t: Duration) -> Bool { t >= lower && t < upper }
    /// `upper - lower`.
    public var length: Duration { upper - lower }
    public var description: String { "\(DurationFormat.short(lower))..\(DurationFormat.short(upper))" }
}
