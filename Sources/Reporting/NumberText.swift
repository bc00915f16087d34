import Foundation
import Reliability

/// Fixed, locale-independent number formatting, so the same result always gives the same bytes.
public enum NumberText {
    /// `value` with exactly `digits` decimals (`fixed(0.5, 2)` = `0.50`); non-finite values print
    /// as `NaN`, `inf`, `-inf`; `-0` prints as `0`.
    public static func fixed(_ value: Double, _ digits: Int) -> String {
        var bytes: [UInt8] = []
        ByteText.fixed(value, digits, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `value` with up to `digits` decimals and no trailing zeros (`trimmed(2.50, 3)` = `2.5`).
    public static func trimmed(_ value: Double, _ digits: Int = 3) -> String {
        var bytes: [UInt8] = []
        ByteText.trimmed(value, digits, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// An integer with thousands separators (`1,000,000`).
    public static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (value < 0 ? "-" : "") + out
    }

    /// A real count with thousands separators and up to `digits` decimals (`12,345.6`).
    public static func grouped(_ value: Double, digits: Int = 1) -> String {
        guard value.isFinite else { return fixed(value, 0) }
        let text = trimmed(value, digits)
        let parts = text.split(separator: ".", maxSplits: 1)
        let whole = Int(parts[0]) ?? 0
        let head = whole == 0 && text.hasPrefix("-") ? "-0" : grouped(whole)
        return parts.count == 2 ? head + "." + parts[1] : head
    }

    /// Seconds as a short duration for tables (`250ms`, `1.5s`, `6m`).
    public static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return fixed(seconds, 0) }
        return DurationFormat.short(.fromSeconds(seconds))
    }

    /// A latency with a unit, about three significant figures (`812ms`, `1.23s`, `2m3s`; `0` for zero).
    public static func latency(_ seconds: Double) -> String {
        guard seconds.isFinite else { return fixed(seconds, 0) }
        if seconds == 0 { return "0" }
        if seconds < 0.001 { return trimmed(seconds * 1_000_000, 0) + "µs" }
        if seconds < 1 { return trimmed(seconds * 1000, seconds < 0.01 ? 2 : (seconds < 0.1 ? 1 : 0)) + "ms" }
        if seconds < 60 { return trimmed(seconds, seconds < 10 ? 2 : 1) + "s" }
        return DurationFormat.short(.fromSeconds((seconds).rounded()))
    }

    /// US dollars (`$0.0123`, `$12.35`, `$1,234.50`).
    public static func dollars(_ value: Double) -> String {
        guard value.isFinite else { return fixed(value, 0) }
        if value != 0, abs(value) < 1 { return "$" + trimmed(value, 4) }
        return "$" + grouped(value, digits: 2)
    }

    /// A fraction as a percentage with up to `digits` decimals (`99.5%`).
    public static func percent(_ fraction: Double, digits: Int = 3) -> String {
        guard fraction.isFinite else { return fixed(fraction, 0) }
        return trimmed(fraction * 100, digits) + "%"
    }
}

extension NumberText {
    /// A probability: a percentage with up to three decimals from 0.01% up, scientific below
    /// (`1.2%`, `0.05%`, `1.00e-10`), `0%` for zero.
    public static func probability(_ p: Double) -> String {
        guard p.isFinite else { return fixed(p, 0) }
        if p == 0 { return "0%" }
        if abs(p) >= 1e-4 { return percent(p, digits: 3) }
        return String(format: "%.2e", p)
    }

    /// An instant of scenario time in Go form, to the millisecond (`20m4.1s`, `0s`).
    public static func instant(_ seconds: Double) -> String {
        guard seconds.isFinite else { return fixed(seconds, 0) }
        return DurationFormat.format(.fromSeconds((seconds * 1000).rounded() / 1000))
    }
}

extension NumberText {
    /// An expected (real) count: grouped with one decimal, or scientific when below 0.05 so a tiny
    /// expectation does not print as `0` (`12.3`, `1,200`, `6.92e-08`, `0`).
    public static func expectedCount(_ x: Double) -> String {
        guard x.isFinite else { return fixed(x, 0) }
        if x != 0, abs(x) < 0.05 { return String(format: "%.2e", x) }
        return grouped(x, digits: 1)
    }

    /// An axis label for an instant of scenario time: whole hours and minutes without zero parts
    /// (`0s`, `30s`, `20m`, `1h`, `1h30m`, `2d`), otherwise the short form.
    public static func timeTick(_ seconds: Double) -> String {
        guard seconds.isFinite else { return fixed(seconds, 0) }
        let whole = seconds.rounded()
        guard abs(seconds - whole) < 1e-9, whole >= 60 else { return duration(seconds) }
        let s = Int(whole)
        if s % 86_400 == 0 { return "\(s / 86_400)d" }
        if s % 3600 == 0 { return "\(s / 3600)h" }
        if s % 60 == 0 { return s >= 3600 ? "\(s / 3600)h\((s % 3600) / 60)m" : "\(s / 60)m" }
        return duration(seconds)
    }

    /// An axis label for a latency decade: `1ms`, `100ms`, `1s`, `100s`, `1000s`.
    public static func decadeTick(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds > 0 else { return "0" }
        if seconds < 1 { return latency(seconds) }
        return trimmed(seconds, 0) + "s"
    }
}
