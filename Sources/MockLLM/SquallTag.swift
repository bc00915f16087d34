/// The attribution marker Squall appends to every prompt it submits, so the mock can attribute each
/// LLM call to a run and an idempotency key even through a service that forwards only the user's
/// text: ` [sq:RUN:KEY]`, e.g. ` [sq:k3x9a0zq:1y]`.
///
/// - `RUN`: the run id, exactly 8 characters of `[0-9a-z]` (base 36), unique per run.
/// - `KEY`: the idempotency-key number in base 36 (`0`…`3w5e11264sgsf`, the whole `UInt64` range,
///   no leading zeros). Every submission sharing a key carries the same marker — a service that
///   compares a duplicate's text with its original's (IETF idempotency draft, Stripe) must see the
///   same text — so attempts and retry gaps are attributed per key.
///
/// The marker is ASCII only and contains no quote, backslash or control character, so it survives
/// JSON encoding unchanged (`json.dumps` with `ensure_ascii`, Swift's encoders); it is at most 28
/// bytes (`maxMarkerBytes`), including the leading space. The mock finds it in any message's content,
/// attributes the call, and removes it before estimating tokens, so usage and cost are the same as
/// without it; the mock never echoes it back.
public struct SquallTag: Sendable, Hashable, CustomStringConvertible {
    /// The run id: 8 base-36 characters.
    public let run: String
    /// The idempotency-key number.
    public let key: UInt64

    /// Characters of a run id.
    public static let runIDLength = 8
    /// Longest marker in bytes, leading space included (` [sq:` + 8 + `:` + 13 + `]`).
    public static let maxMarkerBytes = 28

    /// A tag, or nil when `run` is not 8 base-36 characters.
    public init?(run: String, key: UInt64) {
        guard Self.isValidRunID(run) else { return nil }
        self.run = run
        self.key = key
    }

    /// Whether `s` is a run id: exactly 8 characters of `[0-9a-z]`.
    public static func isValidRunID(_ s: String) -> Bool {
        s.utf8.count == runIDLength && s.utf8.allSatisfy(isDigit36)
    }

    /// A random run id (8 base-36 characters).
    public static func randomRunID<G: RandomNumberGenerator>(using generator: inout G) -> String {
        var value = generator.next() % 2_821_109_907_456  // 36^8
        var chars = [UInt8](repeating: UInt8(ascii: "0"), count: runIDLength)
        for i in stride(from: runIDLength - 1, through: 0, by: -1) {
            chars[i] = digits[Int(value % 36)]
            value /= 36
        }
        return String(decoding: chars, as: UTF8.self)
    }

    /// A random run id from the system's generator.
    public static func randomRunID() -> String {
        var g = SystemRandomNumberGenerator()
        return randomRunID(using: &g)
    }

    /// The marker with its leading space: ` [sq:RUN:KEY]`.
    public var marker: String { " [sq:" + run + ":" + String(key, radix: 36) + "]" }

    /// The marker (same as `marker`).
    public var description: String { marker }

    /// `prompt` with the marker appended.
    public func appended(to prompt: String) -> String { prompt + marker }

    /// The last valid marker in `text` and the range it occupies (including the space before it, when
    /// there is one), or nil when there is none. Invalid look-alikes are ignored.
    public static func find(in text: String) -> (tag: SquallTag, range: Range<String.Index>)? {
        var found: (SquallTag, Int, Int)?
        scan(text) { tag, from, to in found = (tag, from, to) }
        guard let (tag, from, to) = found else { return nil }
        let utf8 = text.utf8
        let lower = utf8.index(utf8.startIndex, offsetBy: from)
        let upper = utf8.index(utf8.startIndex, offsetBy: to)
        return (tag, lower..<upper)
    }

    /// `text` without any valid marker (each with the space before it). Text without one is returned as is.
    public static func strip(_ text: String) -> String {
        var ranges: [(Int, Int)] = []
        scan(text) { _, from, to in ranges.append((from, to)) }
        guard !ranges.isEmpty else { return text }
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var at = 0
        for (from, to) in ranges {
            out.append(contentsOf: bytes[at..<from])
            at = to
        }
        out.append(contentsOf: bytes[at...])
        return String(decoding: out, as: UTF8.self)
    }

    /// Parses exactly one marker (with or without the leading space); nil for anything else.
    public static func parse(_ text: String) -> SquallTag? {
        var result: SquallTag?
        var bytes = Array(text.utf8)
        if bytes.first == UInt8(ascii: " ") { bytes.removeFirst() }
        bytes.withUnsafeBufferPointer { buf in
            if let (tag, end) = parseMarker(buf, at: 0), end == buf.count { result = tag }
        }
        return result
    }

    /// Whether `text` may contain a marker (a cheap pre-check: it contains `[sq:`).
    static func mayContain(_ text: String) -> Bool {
        var hit = false
        scanBytes(text) { buf in
            var i = 0
            let n = buf.count
            while i + 4 <= n {
                if buf[i] == UInt8(ascii: "["), buf[i + 1] == UInt8(ascii: "s"), buf[i + 2] == UInt8(ascii: "q"),
                    buf[i + 3] == UInt8(ascii: ":")
                {
                    hit = true
                    return
                }
                i += 1
            }
        }
        return hit
    }

    // MARK: Scanning

    private static let digits: [UInt8] = Array("0123456789abcdefghijklmnopqrstuvwxyz".utf8)

    @inline(__always)
    private static func isDigit36(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z"))
    }

    @inline(__always)
    private static func value36(_ b: UInt8) -> UInt64 {
        b <= UInt8(ascii: "9") ? UInt64(b - UInt8(ascii: "0")) : UInt64(b - UInt8(ascii: "a") + 10)
    }

    private static func scanBytes(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        var text = text
        text.withUTF8 { body($0) }
    }

    /// Calls `found` with each valid marker and its byte range (the preceding space included).
    private static func scan(_ text: String, _ found: (SquallTag, Int, Int) -> Void) {
        scanBytes(text) { buf in
            var i = 0
            let n = buf.count
            while i + 4 <= n {
                if buf[i] == UInt8(ascii: "["), buf[i + 1] == UInt8(ascii: "s"), buf[i + 2] == UInt8(ascii: "q"),
                    buf[i + 3] == UInt8(ascii: ":"), let (tag, end) = parseMarker(buf, at: i)
                {
                    let from = i > 0 && buf[i - 1] == UInt8(ascii: " ") ? i - 1 : i
                    found(tag, from, end)
                    i = end
                    continue
                }
                i += 1
            }
        }
    }

    /// Parses `[sq:RUN:KEY]` starting at `at`; returns the tag and the index after `]`.
    private static func parseMarker(_ buf: UnsafeBufferPointer<UInt8>, at start: Int) -> (SquallTag, Int)? {
        let n = buf.count
        var i = start
        func expect(_ c: UInt8) -> Bool {
            guard i < n, buf[i] == c else { return false }
            i += 1
            return true
        }
        guard expect(UInt8(ascii: "[")), expect(UInt8(ascii: "s")), expect(UInt8(ascii: "q")), expect(UInt8(ascii: ":"))
        else { return nil }
        let runStart = i
        while i < n, i - runStart < runIDLength, isDigit36(buf[i]) { i += 1 }
        guard i - runStart == runIDLength else { return nil }
        let run = String(decoding: UnsafeBufferPointer(rebasing: buf[runStart..<i]), as: UTF8.self)
        guard expect(UInt8(ascii: ":")) else { return nil }
        // The key: 1 to 13 base-36 digits, no leading zero, within UInt64.
        let keyStart = i
        var key: UInt64 = 0
        while i < n, isDigit36(buf[i]), i - keyStart < 13 {
            let (m, o1) = key.multipliedReportingOverflow(by: 36)
            let (a, o2) = m.addingReportingOverflow(value36(buf[i]))
            guard !o1, !o2 else { return nil }
            key = a
            i += 1
        }
        let length = i - keyStart
        guard length > 0, !(length > 1 && buf[keyStart] == UInt8(ascii: "0")), expect(UInt8(ascii: "]")),
            let tag = SquallTag(run: run, key: key)
        else { return nil }
        return (tag, i)
    }
}
