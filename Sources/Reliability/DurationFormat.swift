import Foundation

/// Go-style duration text (`250ms`, `1.5s`, `6m0s`, `24h`, `1h30m`) as used by scenario files and
/// provider rate-limit headers, parsed to and formatted from `Swift.Duration`.
public enum DurationFormat {
    /// Units accepted by `parse`, longest suffix first so `ms` wins over `m`.
    static let units: [(suffix: String, attoseconds: Double)] = [
        ("ns", 1e9), ("us", 1e12), ("µs", 1e12), ("ms", 1e15), ("s", 1e18), ("m", 60e18), ("h", 3600e18),
        ("d", 86_400e18),
    ]

    /// What a valid duration looks like, for error messages.
    public static let validForms = "a duration such as 250ms, 1.5s, 6m0s, 1h30m or 24h (units: ns, us, ms, s, m, h, d)"

    /// Parses Go-style duration text. `0` alone is accepted; any other number needs a unit.
    public static func parse(_ text: String) throws(QuantityError) -> Duration {
        let s = text.trimmingCharacters(in: .whitespaces)
        if s == "0" { return .zero }
        guard !s.isEmpty else { throw QuantityError(input: text, expected: validForms) }
        var negative = false
        var rest = Substring(s)
        if rest.first == "-" || rest.first == "+" {
            negative = rest.first == "-"
            rest = rest.dropFirst()
        }
        var totalAtto: Double = 0
        var sawComponent = false
        while !rest.isEmpty {
            let numberEnd = rest.firstIndex { !($0.isNumber || $0 == ".") } ?? rest.endIndex
            let numberText = rest[rest.startIndex..<numberEnd]
            guard !numberText.isEmpty, let value = Double(numberText) else {
                throw QuantityError(input: text, expected: validForms)
            }
            rest = rest[numberEnd...]
            guard let unit = units.first(where: { rest.hasPrefix($0.suffix) }) else {
                throw QuantityError(input: text, expected: validForms)
            }
            rest = rest.dropFirst(unit.suffix.count)
            totalAtto += value * unit.attoseconds
            sawComponent = true
        }
        guard sawComponent, totalAtto.isFinite else { throw QuantityError(input: text, expected: validForms) }
        let d = Duration.attoseconds(totalAtto)
        return negative ? .zero - d : d
    }

    /// Formats like Go's `time.Duration.String()`: `12ms`, `7.66s`, `6m0s`, `1h0m0s`, `0s`.
    public static func format(_ d: Duration) -> String {
        var atto = d.attosecondsValue
        if atto == 0 { return "0s" }
        var sign = ""
        if atto < 0 { sign = "-"; atto = -atto }
        let second = 1e18
        if atto < second {
            if atto >= 1e15 { return sign + trim(atto / 1e15) + "ms" }
            if atto >= 1e12 { return sign + trim(atto / 1e12) + "µs" }
            return sign + trim(atto / 1e9) + "ns"
        }
        let totalSeconds = atto / second
        let hours = Int(totalSeconds / 3600)
        let minutes = Int((totalSeconds - Double(hours) * 3600) / 60)
        let seconds = totalSeconds - Double(hours) * 3600 - Double(minutes) * 60
        var out = sign
        if hours > 0 { out += "\(hours)h" }
        if hours > 0 || minutes > 0 { out += "\(minutes)m" }
        out += trim(seconds) + "s"
        return out
    }

    /// A short human form for reports: `1.5s`, `250ms`, `6m`, `2h30m`.
    public static func short(_ d: Duration) -> String {
        let s = d.seconds
        if s == 0 { return "0s" }
        if abs(s) < 1 { return trim(s * 1000) + "ms" }
        if abs(s) < 60 { return trim(s) + "s" }
        let f = format(d)
        return f.hasSuffix("m0s") ? String(f.dropLast(2)) : (f.hasSuffix("h0m0s") ? String(f.dropLast(4)) : f)
    }

    static func trim(_ v: Double) -> String {
        // Up to 3 decimals, no trailing zeros (Go prints shortest exact; 3 decimals is enough for headers).
        var text = String(format: "%.3f", v)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}

extension Duration {
    /// The duration in seconds as a `Double` (sub-nanosecond precision is not needed anywhere here).
    public var seconds: Double {
        let c = components
        return Double(c.seconds) + Double(c.attoseconds) * 1e-18
    }

    /// The duration in milliseconds as a `Double`.
    public var milliseconds: Double { seconds * 1000 }

    /// The duration in attoseconds as a `Double`.
    var attosecondsValue: Double {
        let c = components
        return Double(c.seconds) * 1e18 + Double(c.attoseconds)
    }

    /// Builds a duration from attoseconds given as a `Double`, rounding to whole nanoseconds. (One
    /// 128-bit multiply instead of the seconds-plus-nanoseconds sum, which profiled at a few percent
    /// of a simulation; the same value for every input that fits in `Int64` nanoseconds.)
    static func attoseconds(_ value: Double) -> Duration {
        let nanos = (value / 1e9).rounded()
        guard nanos.magnitude < 9.2e18 else {
            let wholeSeconds = (nanos / 1e9).rounded(.towardZero)
            let remNanos = nanos - wholeSeconds * 1e9
            return .seconds(Int64(wholeSeconds)) + .nanoseconds(Int64(remNanos))
        }
        return Duration(attoseconds: Int128(Int64(nanos)) * 1_000_000_000)
    }

    /// A duration of `s` seconds, rounded to whole nanoseconds (exact for values that are).
    public static func fromSeconds(_ s: Double) -> Duration { .attoseconds(s * 1e18) }

    /// Multiplies by a real factor, rounding to whole nanoseconds.
    public func scaled(by factor: Double) -> Duration { .attoseconds(attosecondsValue * factor) }
}
