import Foundation
import Reliability

/// A number as a sweep writes it into a scenario: a whole number, a real number, a duration or a
/// percentage. Ranges and distributions compute with `value` and print values back in the same
/// kind, so a swept `stack.retry.min` gets `1.5s` and a swept fault rate gets `2.5%`.
public struct SweepQuantity: Sendable, Hashable {
    /// What the number is.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// A whole number (`3`).
        case integer
        /// A real number (`0.5`).
        case number
        /// A duration, `value` in seconds (`1.5s`).
        case duration
        /// A percentage, `value` as a fraction (`2%` is 0.02).
        case percent

        /// Plural, for messages: `whole numbers`, `durations`.
        public var plural: String {
            switch self {
            case .integer: return "whole numbers"
            case .number: return "numbers"
            case .duration: return "durations"
            case .percent: return "percentages"
            }
        }

        /// With an article, for messages: `a whole number`, `a duration`.
        public var named: String {
            switch self {
            case .integer: return "a whole number"
            case .number: return "a number"
            case .duration: return "a duration"
            case .percent: return "a percentage"
            }
        }
    }

    /// The value: seconds for durations, a fraction for percentages.
    public var value: Double
    /// Its kind.
    public var kind: Kind

    /// Creates a quantity.
    public init(_ value: Double, _ kind: Kind) {
        self.value = value
        self.kind = kind
    }

    /// Parses `3`, `0.5`, `1e-3`, `250ms`, `1.5s`, `2%`; nil when the text is none of these.
    public static func parse(_ text: String) -> SweepQuantity? {
        let s = text.trimmingCharacters(in: .whitespaces)
        guard !s.isEmpty else { return nil }
        if let i = Int(s) { return SweepQuantity(Double(i), .integer) }
        if let d = Double(s), d.isFinite, s.first.map({ $0.isNumber || $0 == "-" || $0 == "+" || $0 == "." }) == true {
            return SweepQuantity(d, .number)
        }
        if s.hasSuffix("%") {
            guard let v = try? Percent.parse(s) else { return nil }
            return SweepQuantity(v, .percent)
        }
        guard s.first.map({ $0.isNumber || $0 == "." }) == true, let d = try? DurationFormat.parse(s) else { return nil }
        return SweepQuantity(d.seconds, .duration)
    }

    /// The kind two endpoints share: integers mixed with real numbers are real numbers; nil when
    /// the kinds cannot mix (a duration and a percentage).
    public static func common(_ a: Kind, _ b: Kind) -> Kind? {
        if a == b { return a }
        let numeric: Set<Kind> = [.integer, .number]
        return numeric.contains(a) && numeric.contains(b) ? .number : nil
    }

    /// The text written into the scenario: `3`, `0.25`, `1.5s`, `250ms`, `2.5%`.
    public var text: String { Self.format(value, kind) }

    /// Formats `value` as `kind`.
    public static func format(_ value: Double, _ kind: Kind) -> String {
        switch kind {
        case .integer:
            return String(Int(value.rounded()))
        case .number:
            return number(value)
        case .duration:
            // Millisecond resolution: finer differences do not matter to any stack setting.
            let ms = (value * 1000).rounded()
            if ms == 0 { return "0s" }
            if abs(ms) < 1000 { return number(ms) + "ms" }
            let seconds = ms / 1000
            if seconds < 60 || seconds.truncatingRemainder(dividingBy: 60) != 0 { return number(seconds) + "s" }
            return DurationFormat.short(.fromSeconds(seconds))
        case .percent:
            return Percent.format(value, digits: 4)
        }
    }

    /// A real number with at most 6 significant digits and no trailing zeros (`0.5`, `1e-05`).
    static func number(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 1e15 { return String(Int(v)) }
        var text = String(format: "%.6g", v)
        if text.contains("."), !text.contains("e") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }
}
