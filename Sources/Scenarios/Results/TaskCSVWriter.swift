import Reliability

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Streams `tasks.csv` as tasks finish: one row per submission, in the order submissions ended,
/// formatted straight into a 64 KiB byte buffer that is written with `write(2)` when full (a
/// measured choice: no `String` per row, no per-row system call). Times are seconds of scenario
/// time with six decimals (exact microseconds), cost is US dollars (up to 8 decimals). The file is
/// the caller's (`ScenarioRunner.run(…, tasksCSV:)`); `ReportWriter` moves it into the report.
public struct TaskCSVWriter: Sendable {
    /// The header row's fields.
    public static let columns = [
        "id", "key", "duplicate", "intended_start", "started", "finished", "latency", "result", "cause", "attempts",
        "calls", "last_outcome", "route", "model", "prompt_tokens", "completion_tokens", "cost",
    ]

    /// The path written.
    public let path: String
    private var fd: Int32
    private var buffer: [UInt8] = []
    private static let capacity = 1 << 16
    /// The first write error, if any (the file is then incomplete).
    public private(set) var error: String?
    /// Rows written (header not counted).
    public private(set) var rows = 0

    /// Creates (or truncates) the file at `path` and writes the header.
    public init(path: String) throws(ScenarioRunError) {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw ScenarioRunError("cannot create \(path): \(String(cString: strerror(errno)))")
        }
        buffer.reserveCapacity(Self.capacity + 512)
        for (i, c) in Self.columns.enumerated() {
            if i > 0 { buffer.append(UInt8(ascii: ",")) }
            buffer.append(contentsOf: c.utf8)
        }
        buffer.append(10)
    }

    /// Appends one record's row; `route` and `model` are the names of its indices (CSV-quoted
    /// bytes) and `cost` its dollars.
    @inline(__always)
    public mutating func append(_ t: TaskRecord, route: [UInt8], model: [UInt8], cost: Double) {
        let comma = UInt8(ascii: ",")
        CSVBytes.int(t.id, into: &buffer)
        buffer.append(comma)
        buffer.append(UInt8(ascii: "k"))
        CSVBytes.base36(t.keyID, into: &buffer)
        buffer.append(contentsOf: t.duplicate ? CSVBytes.trueField : CSVBytes.falseField)
        CSVBytes.seconds(t.intendedStart, into: &buffer)
        buffer.append(comma)
        CSVBytes.seconds(t.started, into: &buffer)
        buffer.append(comma)
        CSVBytes.seconds(t.finished, into: &buffer)
        buffer.append(comma)
        CSVBytes.seconds(t.latency, into: &buffer)
        buffer.append(comma)
        buffer.append(contentsOf: t.result.rawValue.utf8)
        buffer.append(comma)
        if let cause = t.cause { buffer.append(contentsOf: cause.rawValue.utf8) }
        buffer.append(comma)
        CSVBytes.int(t.attempts, into: &buffer)
        buffer.append(comma)
        CSVBytes.int(t.calls, into: &buffer)
        buffer.append(comma)
        switch t.lastOutcome {
        case .response(let status, _)?: CSVBytes.int(status, into: &buffer)
        case .transport(let f)?: buffer.append(contentsOf: f.rawValue.utf8)
        case nil: break
        }
        buffer.append(comma)
        buffer.append(contentsOf: route)
        buffer.append(comma)
        buffer.append(contentsOf: model)
        buffer.append(comma)
        CSVBytes.int(t.promptTokens, into: &buffer)
        buffer.append(comma)
        CSVBytes.int(t.completionTokens, into: &buffer)
        buffer.append(comma)
        CSVBytes.trimmed(cost, 8, into: &buffer)
        buffer.append(10)
        rows += 1
        if buffer.count >= Self.capacity { flush() }
    }

    /// Writes the buffered bytes.
    public mutating func flush() {
        guard !buffer.isEmpty else { return }
        defer { buffer.removeAll(keepingCapacity: true) }
        guard error == nil, fd >= 0 else { return }
        var failed: String?
        buffer.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    failed = "cannot write \(path): \(String(cString: strerror(errno)))"
                    return
                }
                offset += n
            }
        }
        if let failed { error = failed }
    }

    /// Flushes and closes the file; returns the first error, if any.
    @discardableResult
    public mutating func close() -> String? {
        flush()
        if fd >= 0 {
            if fsync(fd) != 0, error == nil { error = "cannot sync \(path): \(String(cString: strerror(errno)))" }
            _ = posixClose(fd)
            fd = -1
        }
        return error
    }
}

/// `close(2)` (the writer's own `close()` hides the name inside the type).
private func posixClose(_ fd: Int32) -> Int32 { close(fd) }

/// Number and field formatting into bytes for `tasks.csv` (the same forms as the Reporting
/// module's `ByteText`, which Scenarios cannot import).
enum CSVBytes {
    static let trueField = Array(",true,".utf8)
    static let falseField = Array(",false,".utf8)

    @inline(__always)
    static func int(_ v: Int, into b: inout [UInt8]) {
        if v < 0 { b.append(UInt8(ascii: "-")) }
        unsigned(UInt64(v.magnitude), minDigits: 1, into: &b)
    }

    @inline(__always)
    static func unsigned(_ v: UInt64, minDigits: Int, into b: inout [UInt8]) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes of scratch
        var n = 0
        var x = v
        withUnsafeMutableBytes(of: &digits) { raw in
            repeat {
                raw[23 - n] = UInt8(ascii: "0") &+ UInt8(x % 10)
                x /= 10
                n += 1
            } while x > 0
            while n < minDigits && n < 24 {
                raw[23 - n] = UInt8(ascii: "0")
                n += 1
            }
            b.append(contentsOf: raw[(24 - n)...])
        }
    }

    /// `k`-less base-36 digits of a non-negative number (negative: `-` then the magnitude).
    static func base36(_ v: Int, into b: inout [UInt8]) {
        if v < 0 { b.append(UInt8(ascii: "-")) }
        var x = v.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        var n = 0
        withUnsafeMutableBytes(of: &digits) { raw in
            repeat {
                let d = UInt8(x % 36)
                raw[23 - n] = d < 10 ? UInt8(ascii: "0") &+ d : UInt8(ascii: "a") &+ (d - 10)
                x /= 36
                n += 1
            } while x > 0
            b.append(contentsOf: raw[(24 - n)...])
        }
    }

    /// Seconds with exactly six decimals, from whole microseconds.
    @inline(__always)
    static func seconds(_ d: Duration, into b: inout [UInt8]) {
        let us = ScenarioClock.microseconds(d)
        if us < 0 { b.append(UInt8(ascii: "-")) }
        let m = UInt64(us.magnitude)
        unsigned(m / 1_000_000, minDigits: 1, into: &b)
        b.append(UInt8(ascii: "."))
        unsigned(m % 1_000_000, minDigits: 6, into: &b)
    }

    /// `value` with up to `digits` decimals (≤ 9) and no trailing zeros.
    static func trimmed(_ value: Double, _ digits: Int, into b: inout [UInt8]) {
        guard value.isFinite else {
            b.append(contentsOf: (value.isNaN ? "NaN" : (value > 0 ? "inf" : "-inf")).utf8)
            return
        }
        var p: UInt64 = 1
        for _ in 0..<digits { p *= 10 }
        let scaled = (value.magnitude * Double(p)).rounded(.toNearestOrEven)
        guard scaled < 9.0e15 else {
            int(Int(value.rounded()), into: &b)
            return
        }
        let units = UInt64(scaled)
        if value < 0 && units != 0 { b.append(UInt8(ascii: "-")) }
        unsigned(units / p, minDigits: 1, into: &b)
        var frac = units % p
        guard frac > 0 else { return }
        var width = digits
        while frac % 10 == 0 {
            frac /= 10
            width -= 1
        }
        b.append(UInt8(ascii: "."))
        unsigned(frac, minDigits: width, into: &b)
    }

    /// One RFC 4180 field: quoted (quotes doubled) when it contains a comma, a quote, CR or LF.
    static func field(_ text: String) -> [UInt8] {
        let bytes = Array(text.utf8)
        guard bytes.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 10 || $0 == 13 }) else {
            return bytes
        }
        var out: [UInt8] = [UInt8(ascii: "\"")]
        for c in bytes {
            if c == UInt8(ascii: "\"") { out.append(c) }
            out.append(c)
        }
        out.append(UInt8(ascii: "\""))
        return out
    }
}
