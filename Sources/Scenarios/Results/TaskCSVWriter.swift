import Reliability

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Streams `tasks.csv` as tasks finish: one row per submission, in the order submissions ended,
/// formatted straight into a 64 KiB buffer that is written with `write(2)` when full (a measured
/// choice: per-byte `Array.append` spent most of a row's time in capacity and uniqueness checks,
/// and a `String` per row allocates). Times are seconds of scenario time with six decimals (exact
/// microseconds), cost is US dollars (up to 8 decimals). The file is the caller's
/// (`ScenarioRunner.run(…, tasksCSV:)`); `ReportWriter` moves it into the report.
///
/// A reference type: one recorder owns it (the simulator's, or the live driver's behind its
/// lock), so it is never written from two threads at once.
public final class TaskCSVWriter: @unchecked Sendable {
    /// The header row's fields.
    public static let columns = [
        "id", "key", "duplicate", "intended_start", "started", "finished", "latency", "result", "cause", "attempts",
        "calls", "last_outcome", "route", "model", "prompt_tokens", "completion_tokens", "cost",
    ]

    /// The path written.
    public let path: String
    private var fd: Int32
    private var bytes: UnsafeMutablePointer<UInt8>
    private var capacity = 1 << 16
    private var used = 0
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
        bytes = .allocate(capacity: capacity)
        put(Array(Self.columns.joined(separator: ",").utf8))
        put(10)
    }

    deinit {
        close()
        bytes.deallocate()
    }

    /// Appends one record's row; `route` and `model` are the names of its indices (CSV-quoted
    /// bytes) and `cost` its dollars.
    public func append(_ t: TaskRecord, route: [UInt8], model: [UInt8], cost: Double) {
        let worst = 400 + route.count + model.count
        if used + worst > capacity {
            flush()
            if worst > capacity {
                capacity = worst
                bytes.deallocate()
                bytes = .allocate(capacity: capacity)
            }
        }
        let comma = UInt8(ascii: ",")
        int(t.id)
        put(comma)
        put(UInt8(ascii: "k"))
        base36(t.keyID)
        put(t.duplicate ? CSVBytes.trueField : CSVBytes.falseField)
        seconds(t.intendedNanos)
        put(comma)
        seconds(t.startedNanos)
        put(comma)
        seconds(t.finishedNanos)
        put(comma)
        seconds(t.finishedNanos - t.intendedNanos)
        put(comma)
        put(t.result.rawValue)
        put(comma)
        if let cause = t.cause { put(cause.rawValue) }
        put(comma)
        int(t.attempts)
        put(comma)
        int(t.calls)
        put(comma)
        switch t.lastOutcome {
        case .status(let status)?: int(status)
        case .transport(let f)?: put(f.rawValue)
        case nil: break
        }
        put(comma)
        put(route)
        put(comma)
        put(model)
        put(comma)
        int(t.promptTokens)
        put(comma)
        int(t.completionTokens)
        put(comma)
        trimmed(cost, 8)
        put(10)
        rows += 1
    }

    /// Writes the buffered bytes.
    public func flush() {
        guard used > 0 else { return }
        defer { used = 0 }
        guard error == nil, fd >= 0 else { return }
        var offset = 0
        while offset < used {
            let n = write(fd, bytes + offset, used - offset)
            if n < 0 {
                if errno == EINTR { continue }
                error = "cannot write \(path): \(String(cString: strerror(errno)))"
                return
            }
            offset += n
        }
    }

    /// Flushes and closes the file; returns the first error, if any.
    @discardableResult
    public func close() -> String? {
        flush()
        if fd >= 0 {
            if fsync(fd) != 0, error == nil { error = "cannot sync \(path): \(String(cString: strerror(errno)))" }
            _ = posixClose(fd)
            fd = -1
        }
        return error
    }

    // MARK: Formatting into the buffer (the caller made room)

    @inline(__always)
    private func put(_ b: UInt8) {
        bytes[used] = b
        used += 1
    }

    @inline(__always)
    private func put(_ b: [UInt8]) {
        b.withUnsafeBufferPointer { src in
            (bytes + used).update(from: src.baseAddress!, count: src.count)
        }
        used += b.count
    }

    /// A short ASCII text (an enum's raw value: a literal, so its UTF-8 is contiguous and copied at once).
    @inline(__always)
    private func put(_ text: String) {
        var text = text
        text.withUTF8 { src in
            (bytes + used).update(from: src.baseAddress!, count: src.count)
            used += src.count
        }
    }

    @inline(__always)
    private func int(_ v: Int) {
        if v < 0 { put(UInt8(ascii: "-")) }
        unsigned(UInt64(v.magnitude), minDigits: 1)
    }

    /// Writes `v` in decimal with at least `minDigits` digits.
    @inline(__always)
    private func unsigned(_ v: UInt64, minDigits: Int) {
        var n = 1
        var x = v / 10
        while x > 0 {
            n += 1
            x /= 10
        }
        if n < minDigits { n = minDigits }
        var y = v
        var i = used + n - 1
        while i >= used {
            bytes[i] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: y % 10)
            y /= 10
            i -= 1
        }
        used += n
    }

    private func base36(_ v: Int) {
        if v < 0 { put(UInt8(ascii: "-")) }
        var n = 1
        var x = v.magnitude / 36
        while x > 0 {
            n += 1
            x /= 36
        }
        var y = v.magnitude
        var i = used + n - 1
        while i >= used {
            let d = UInt8(truncatingIfNeeded: y % 36)
            bytes[i] = d < 10 ? UInt8(ascii: "0") &+ d : UInt8(ascii: "a") &+ (d - 10)
            y /= 36
            i -= 1
        }
        used += n
    }

    /// Seconds with exactly six decimals, from nanoseconds rounded to whole microseconds.
    @inline(__always)
    private func seconds(_ ns: Int64) {
        let us = ScenarioClock.microseconds(nanos: ns)
        if us < 0 { put(UInt8(ascii: "-")) }
        let m = UInt64(us.magnitude)
        unsigned(m / 1_000_000, minDigits: 1)
        put(UInt8(ascii: "."))
        unsigned(m % 1_000_000, minDigits: 6)
    }

    /// `value` with up to `digits` decimals (≤ 9) and no trailing zeros.
    private func trimmed(_ value: Double, _ digits: Int) {
        guard value.isFinite else {
            put(Array((value.isNaN ? "NaN" : (value > 0 ? "inf" : "-inf")).utf8))
            return
        }
        if value == 0 {
            put(UInt8(ascii: "0"))
            return
        }
        var p: UInt64 = 1
        for _ in 0..<digits { p *= 10 }
        let scaled = (value.magnitude * Double(p)).rounded(.toNearestOrEven)
        guard scaled < 9.0e15 else {
            int(Int(value.rounded()))
            return
        }
        let units = UInt64(scaled)
        if value < 0 && units != 0 { put(UInt8(ascii: "-")) }
        unsigned(units / p, minDigits: 1)
        var frac = units % p
        guard frac > 0 else { return }
        var width = digits
        while frac % 10 == 0 {
            frac /= 10
            width -= 1
        }
        put(UInt8(ascii: "."))
        unsigned(frac, minDigits: width)
    }
}

/// `close(2)` (the writer's own `close()` hides the name inside the type).
private func posixClose(_ fd: Int32) -> Int32 { close(fd) }

/// Byte constants and field quoting for `tasks.csv`.
enum CSVBytes {
    static let trueField = Array(",true,".utf8)
    static let falseField = Array(",false,".utf8)

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
