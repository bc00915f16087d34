import NIOCore

/// Writes bytes into memory a `ByteBuffer` lent for one `writeWithUnsafeMutableBytes` call: a healthy
/// reply is rendered with one buffer operation instead of about twenty. (Each `ByteBuffer` write
/// checks and reaches the buffer's storage object, a class whose stored properties need a dynamic
/// exclusivity check — `swift_beginAccess` ≈ 2% of the mock's CPU per request, most of it here.)
/// Every write checks the room left, so a bound computed too small stops the process rather than
/// write past the memory.
struct RawByteWriter {
    private let base: UnsafeMutableRawBufferPointer
    /// Bytes written so far.
    private(set) var count = 0

    /// A writer at the start of `base`.
    init(_ base: UnsafeMutableRawBufferPointer) {
        self.base = base
    }

    @inline(__always)
    private mutating func room(_ n: Int) -> UnsafeMutableRawPointer {
        precondition(n <= base.count - count, "RawByteWriter: \(n) bytes do not fit in the \(base.count - count) left")
        defer { count += n }
        return base.baseAddress! + count
    }

    /// Appends a literal's bytes.
    mutating func append(_ s: StaticString) {
        let n = s.utf8CodeUnitCount
        room(n).copyMemory(from: s.utf8Start, byteCount: n)
    }

    /// Appends a string's UTF-8 bytes.
    mutating func append(_ s: String) {
        var s = s
        s.withUTF8 { utf8 in
            guard let from = utf8.baseAddress else { return }
            room(utf8.count).copyMemory(from: from, byteCount: utf8.count)
        }
    }

    /// Appends one byte.
    mutating func append(byte: UInt8) {
        room(1).storeBytes(of: byte, as: UInt8.self)
    }

    /// Appends `value` in decimal (as `String(value)`).
    mutating func appendDecimal(_ value: Int) {
        if value < 0 { append(byte: UInt8(ascii: "-")) }
        let magnitude = value.magnitude
        var digits = 1
        var v = magnitude / 10
        while v != 0 {
            digits += 1
            v /= 10
        }
        let at = room(digits)
        v = magnitude
        var i = digits - 1
        while i >= 0 {
            at.storeBytes(of: UInt8(ascii: "0") + UInt8(truncatingIfNeeded: v % 10), toByteOffset: i, as: UInt8.self)
            v /= 10
            i -= 1
        }
    }

    /// Appends lower-case hex of `value`, zero-padded to `width` (as `MockWire.hex`).
    mutating func appendHex(_ value: UInt64, width: Int) {
        var digits = 1
        var v = value >> 4
        while v != 0 {
            digits += 1
            v >>= 4
        }
        let n = max(digits, width)
        let at = room(n)
        v = value
        var i = n - 1
        while i >= 0 {
            let d = UInt8(truncatingIfNeeded: v & 0xF)
            at.storeBytes(of: d < 10 ? UInt8(ascii: "0") + d : UInt8(ascii: "a") + d - 10, toByteOffset: i, as: UInt8.self)
            v >>= 4
            i -= 1
        }
    }

    /// Appends the request id `MockWire.requestID(v)` without making its String.
    mutating func appendRequestID(_ v: UInt64) {
        let at = room(MockWire.requestIDBytes)
        MockWire.renderRequestID(v, into: UnsafeMutableRawBufferPointer(start: at, count: MockWire.requestIDBytes))
    }

    /// Most bytes `appendDecimal` writes for any `Int`.
    static let maxDecimalBytes = 20
}

extension ByteBuffer {
    /// Runs `write` on a `RawByteWriter` over at least `bound` writable bytes and moves the writer
    /// index past what it wrote.
    mutating func writeRaw(bound: Int, _ write: (inout RawByteWriter) -> Void) {
        writeWithUnsafeMutableBytes(minimumWritableBytes: bound) { raw in
            var w = RawByteWriter(raw)
            write(&w)
            return w.count
        }
    }
}
