#if canImport(Glibc)
    import Glibc
#endif
import NIOCore
import NIOHTTP1

/// A resumable parser of the common HTTP/1.1 request head: `METHOD SP origin-form SP HTTP/1.x CRLF`,
/// then `name: value CRLF` lines, then `CRLF`. Anything outside that common shape is `.unusual`, and
/// `FastRequestDecoder` then hands the bytes to NIO's `HTTPRequestDecoder`, so the answer to odd input
/// is NIO's. The state survives split reads: complete lines are parsed once, the incomplete tail is
/// only checked for bytes that already make the head unusual.
struct RequestHeadParser {
    /// Heads longer than this are left to NIO (whose own limit is 80 KiB).
    static let maxHeadBytes = 16 * 1024

    /// What a call to `parse` found.
    enum Step: Equatable {
        /// The head is not complete yet (and nothing unusual so far).
        case needMore
        /// Not the common shape: leave this request to NIO's decoder.
        case unusual
        /// The head is complete and took this many bytes (including the blank line).
        case complete(consumed: Int)
    }

    /// The methods parsed here (others go to NIO).
    private static let methods: [(bytes: [UInt8], method: HTTPMethod)] = [
        (Array("GET".utf8), .GET), (Array("POST".utf8), .POST), (Array("PUT".utf8), .PUT),
        (Array("DELETE".utf8), .DELETE), (Array("HEAD".utf8), .HEAD), (Array("PATCH".utf8), .PATCH),
        (Array("OPTIONS".utf8), .OPTIONS),
    ]

    /// Bytes of complete lines already parsed.
    private var lineStart = 0
    /// Bytes of the incomplete tail already checked.
    private var tailChecked = 0
    private var method: HTTPMethod?
    private var uri = ""
    private var minor = 1
    private var headers: [(String, String)] = []
    /// The `content-length`, when the head has one.
    private(set) var contentLength: Int?

    /// Forgets everything (a new head starts).
    mutating func reset() {
        lineStart = 0
        tailChecked = 0
        method = nil
        uri = ""
        minor = 1
        headers = []
        contentLength = nil
    }

    /// The parsed head (after `.complete`).
    func head() -> HTTPRequestHead {
        HTTPRequestHead(
            version: HTTPVersion(major: 1, minor: minor), method: method ?? .GET, uri: uri, headers: HTTPHeaders(headers))
    }

    /// Parses `bytes`, which start at the head's first byte and hold every byte received since
    /// (the same prefix as in the previous call, perhaps more).
    mutating func parse(_ bytes: UnsafeRawBufferPointer) -> Step {
        guard let base = bytes.baseAddress else { return .needMore }
        let count = bytes.count
        while lineStart < count {
            let from = base + lineStart
            guard let found = memchr(from, 0x0A, count - lineStart) else { break }
            let newline = UnsafeRawPointer(found) - base
            // Every line ends with CRLF (a bare LF is for NIO to judge).
            guard newline > lineStart, bytes[newline - 1] == 0x0D else { return .unusual }
            let line = UnsafeRawBufferPointer(rebasing: bytes[lineStart..<(newline - 1)])
            lineStart = newline + 1
            tailChecked = lineStart
            if lineStart > Self.maxHeadBytes { return .unusual }
            if line.isEmpty {
                // The blank line: the head is complete (a blank line before the request line is NIO's).
                return method == nil ? .unusual : .complete(consumed: lineStart)
            }
            let ok = method == nil ? requestLine(line) : headerLine(line)
            guard ok else { return .unusual }
        }
        if count > Self.maxHeadBytes { return .unusual }
        return checkTail(bytes) ? .needMore : .unusual
    }

    /// The incomplete last line holds only bytes a line may hold (a CR only as its last byte), and
    /// an incomplete request line starts like a method parsed here.
    private mutating func checkTail(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let count = bytes.count
        var i = tailChecked
        while i < count {
            let b = bytes[i]
            if b < 0x20 && b != 0x09 {
                guard b == 0x0D, i == count - 1 else { return false }
                break  // a CR whose LF has not arrived: look at it again next time
            }
            if b == 0x7F { return false }
            i += 1
        }
        tailChecked = i
        if method == nil {
            // The method so far must be a prefix of one parsed here.
            var end = lineStart
            while end < count, bytes[end] != 0x20 { end += 1 }
            let prefix = UnsafeRawBufferPointer(rebasing: bytes[lineStart..<end])
            let complete = end < count
            guard
                Self.methods.contains(where: { m in
                    complete ? m.bytes.elementsEqual(prefix) : m.bytes.starts(with: prefix)
                })
            else { return false }
        }
        return true
    }

    /// The method `name` spells, among those parsed here (compared without a search of `methods`:
    /// the common POST and GET first).
    private static func method(_ name: UnsafeRawBufferPointer) -> HTTPMethod? {
        if name.count == 4, name[0] == 0x50, name[1] == 0x4F, name[2] == 0x53, name[3] == 0x54 { return .POST }
        if name.count == 3, name[0] == 0x47, name[1] == 0x45, name[2] == 0x54 { return .GET }
        return methods.first(where: { $0.bytes.elementsEqual(name) })?.method
    }

    /// `METHOD SP /target SP HTTP/1.1` (or `HTTP/1.0`).
    private mutating func requestLine(_ line: UnsafeRawBufferPointer) -> Bool {
        guard let space = line.firstIndex(of: 0x20) else { return false }
        guard let m = Self.method(UnsafeRawBufferPointer(rebasing: line[..<space])) else { return false }
        let targetStart = space + 1
        var i = targetStart
        guard i < line.count, line[i] == 0x2F else { return false }  // origin-form only
        while i < line.count, line[i] != 0x20 {
            guard Self.isTargetByte(line[i]) else { return false }
            i += 1
        }
        let version = line.count - i - 1
        guard version == 8, line[i] == 0x20 else { return false }
        let v = UnsafeRawBufferPointer(rebasing: line[(i + 1)...])
        guard v.starts(with: "HTTP/1.".utf8), v[7] == 0x31 || v[7] == 0x30 else { return false }
        method = m
        minor = v[7] == 0x31 ? 1 : 0
        uri = Self.string(UnsafeRawBufferPointer(rebasing: line[targetStart..<i]))
        return true
    }

    /// `name: value` with a token name, visible ASCII in the value and no trailing whitespace.
    /// `transfer-encoding`, `expect` and `upgrade` (and a repeated or non-decimal
    /// `content-length`) are NIO's to handle.
    private mutating func headerLine(_ line: UnsafeRawBufferPointer) -> Bool {
        var colon = 0
        while colon < line.count, line[colon] != 0x3A {
            guard Self.isTokenByte(line[colon]) else { return false }
            colon += 1
        }
        guard colon > 0, colon < line.count else { return false }
        var start = colon + 1
        while start < line.count, line[start] == 0x20 || line[start] == 0x09 { start += 1 }
        var i = start
        while i < line.count {
            let b = line[i]
            guard (b >= 0x20 && b < 0x7F) || b == 0x09 else { return false }
            i += 1
        }
        if i > start, line[i - 1] == 0x20 || line[i - 1] == 0x09 { return false }
        let name = UnsafeRawBufferPointer(rebasing: line[..<colon])
        let value = UnsafeRawBufferPointer(rebasing: line[start...])
        switch colon {
        case 14 where Self.equalsLowercased(name, "content-length"):
            guard contentLength == nil, let n = Self.decimal(value) else { return false }
            contentLength = n
        case 17 where Self.equalsLowercased(name, "transfer-encoding"): return false
        case 6 where Self.equalsLowercased(name, "expect"): return false
        case 7 where Self.equalsLowercased(name, "upgrade"): return false
        default: break
        }
        if headers.isEmpty { headers.reserveCapacity(8) }
        headers.append((String(decoding: name, as: UTF8.self), Self.string(value)))
        return true
    }

    /// Targets and header values every benchmark and SDK request repeats, longer than a small
    /// (inline, 15-byte) String: returned as literals, so they cost no allocation per request.
    private static let common: [(bytes: StaticString, string: String)] = [
        ("/v1/chat/completions", "/v1/chat/completions"),
        ("/openai/v1/chat/completions", "/openai/v1/chat/completions"),
        ("application/json", "application/json"),
    ]

    /// `bytes` as a String (a literal for the `common` ones).
    static func string(_ bytes: UnsafeRawBufferPointer) -> String {
        if bytes.count > 15 {
            for c in common where c.bytes.utf8CodeUnitCount == bytes.count
                && memcmp(c.bytes.utf8Start, bytes.baseAddress!, bytes.count) == 0
            {
                return c.string
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// 1 to 18 ASCII digits.
    private static func decimal(_ bytes: UnsafeRawBufferPointer) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 18 else { return nil }
        var n = 0
        for b in bytes {
            guard b >= 0x30, b <= 0x39 else { return nil }
            n = n * 10 + Int(b - 0x30)
        }
        return n
    }

    private static func equalsLowercased(_ bytes: UnsafeRawBufferPointer, _ lower: StaticString) -> Bool {
        let p = lower.utf8Start
        for i in 0..<bytes.count where bytes[i] | 0x20 != p[i] {
            // `| 0x20` folds A–Z to a–z; `-` (0x2D) is unchanged, so only letters and '-' compare equal.
            return false
        }
        return true
    }

    /// tchar (RFC 9110): ALPHA, DIGIT and ``!#$%&'*+-.^_`|~``.
    private static func isTokenByte(_ b: UInt8) -> Bool {
        switch b {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
        case 0x21, 0x23, 0x24, 0x25, 0x26, 0x27, 0x2A, 0x2B, 0x2D, 0x2E, 0x5E, 0x5F, 0x60, 0x7C, 0x7E: return true
        default: return false
        }
    }

    /// Bytes of an origin-form target taken here (RFC 3986 unreserved, reserved but `#`, and `%`);
    /// any other byte sends the request to NIO.
    private static func isTargetByte(_ b: UInt8) -> Bool {
        switch b {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
        case 0x2D, 0x2E, 0x5F, 0x7E: return true  // - . _ ~
        case 0x3A, 0x2F, 0x3F, 0x5B, 0x5D, 0x40: return true  // : / ? [ ] @
        case 0x21, 0x24, 0x26, 0x27, 0x28, 0x29, 0x2A, 0x2B, 0x2C, 0x3B, 0x3D, 0x25: return true  // ! $ & ' ( ) * + , ; = %
        default: return false
        }
    }
}
