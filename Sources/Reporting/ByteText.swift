import Foundation

/// Number and CSV-field formatting straight into a byte buffer, for files with millions of rows
/// (`tasks.csv`). `NumberText.fixed` and `CSV.field` print through these, so both paths give the
/// same bytes.
public enum ByteText {
    private static let powersOfTen: [UInt64] = [
        1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000, 10_000_000_000,
    ]

    /// Appends a decimal integer.
    @inlinable
    public static func int(_ v: Int, into b: inout [UInt8]) {
        if v < 0 { b.append(UInt8(ascii: "-")) }
        unsigned(v.magnitude, into: &b)
    }

    @usableFromInline
    static func unsigned(_ v: UInt, into b: inout [UInt8]) {
        unsigned64(UInt64(v), minDigits: 1, into: &b)
    }

    /// Appends `v` with at least `minDigits` digits (zero-padded on the left).
    static func unsigned64(_ v: UInt64, minDigits: Int, into b: inout [UInt8]) {
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = 0
        var x = v
        withUnsafeMutableBytes(of: &digits) { raw in
            repeat {
                raw[19 - n] = UInt8(ascii: "0") + UInt8(x % 10)
                x /= 10
                n += 1
            } while x > 0
            while n < minDigits && n < 20 {
                raw[19 - n] = UInt8(ascii: "0")
                n += 1
            }
            b.append(contentsOf: raw[(20 - n)...])
        }
    }

    /// Appends `value` with exactly `digits` decimals, rounding half to even like printf;
    /// non-finite values print `NaN`, `inf`, `-inf`; negative values that round to zero print unsigned.
    public static func fixed(_ value: Double, _ digits: Int, into b: inout [UInt8]) {
        guard value.isFinite else {
            b.append(contentsOf: (value.isNaN ? "NaN" : (value > 0 ? "inf" : "-inf")).utf8)
            return
        }
        if digits >= 0, digits < powersOfTen.count {
            let p = powersOfTen[digits]
            let scaled = (value.magnitude * Double(p)).rounded(.toNearestOrEven)
            if scaled < 9.0e15 {
                let units = UInt64(scaled)
                if value < 0 && units != 0 { b.append(UInt8(ascii: "-")) }
                unsigned64(units / p, minDigits: 1, into: &b)
                if digits > 0 {
                    b.append(UInt8(ascii: "."))
                    unsigned64(units % p, minDigits: digits, into: &b)
                }
                return
            }
        }
        var text = String(format: "%.\(digits)f", value)
        if text.hasPrefix("-"), text.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) { text.removeFirst() }
        b.append(contentsOf: text.utf8)
    }

    /// Appends `value` with up to `digits` decimals and no trailing zeros.
    public static func trimmed(_ value: Double, _ digits: Int, into b: inout [UInt8]) {
        let start = b.count
        fixed(value, digits, into: &b)
        guard value.isFinite, digits > 0, b[start...].contains(UInt8(ascii: ".")) else { return }
        while b.count > start, b[b.count - 1] == UInt8(ascii: "0") { b.removeLast() }
        if b.count > start, b[b.count - 1] == UInt8(ascii: ".") { b.removeLast() }
    }

    /// Appends one RFC 4180 CSV field: quoted (quotes doubled) when it contains a comma, a double
    /// quote, CR or LF.
    public static func csvField(_ text: String, into b: inout [UInt8]) {
        var needsQuoting = false
        for c in text.utf8 where c == UInt8(ascii: ",") || c == UInt8(ascii: "\"") || c == 10 || c == 13 {
            needsQuoting = true
            break
        }
        guard needsQuoting else {
            b.append(contentsOf: text.utf8)
            return
        }
        b.append(UInt8(ascii: "\""))
        for c in text.utf8 {
            if c == UInt8(ascii: "\"") { b.append(c) }
            b.append(c)
        }
        b.append(UInt8(ascii: "\""))
    }
}
