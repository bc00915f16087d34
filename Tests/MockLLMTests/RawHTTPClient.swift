#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import Foundation

/// A minimal blocking HTTP/1.1 client over POSIX sockets, for loopback tests that must see exactly
/// what is on the wire (resets, truncation, hangs, chunked streams).
final class RawConnection {
    let fd: Int32
    private var buffer: [UInt8] = []

    /// How a response read ended.
    enum End: Equatable {
        /// A complete message (content-length satisfied or chunked terminator seen).
        case complete
        /// The peer closed (FIN) before the message was complete.
        case closedEarly
        /// The peer reset the connection (RST).
        case reset
        /// Nothing more arrived within the timeout.
        case timeout
    }

    struct Response {
        var status: Int?
        var headers: [(String, String)] = []
        /// The body (de-chunked when chunked).
        var body: [UInt8] = []
        var end: End
        /// Whether any byte at all arrived.
        var gotBytes: Bool

        func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
        var text: String { String(decoding: body, as: UTF8.self) }
        var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] }
    }

    init(port: Int, timeout: Double = 5) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else {
            close(fd)
            throw POSIXError(.ECONNREFUSED)
        }
    }

    deinit { close(fd) }

    func setTimeout(_ timeout: Double) {
        var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var off = 0
        while off < bytes.count {
            let n = bytes[off...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            off += n
        }
        return true
    }

    @discardableResult
    func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    /// Reads more bytes into the buffer; returns how the read ended when it could not.
    private func fill() -> End? {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n > 0 {
            buffer.append(contentsOf: chunk[0..<n])
            return nil
        }
        if n == 0 { return .closedEarly }
        if errno == ECONNRESET { return .reset }
        if errno == EAGAIN || errno == EWOULDBLOCK { return .timeout }
        return .reset
    }

    /// Reads one response (to completion, close, reset or timeout). `headOnly` for HEAD-like use is not needed.
    func readResponse() -> Response {
        var gotBytes = !buffer.isEmpty
        // Head.
        var headEnd: Int?
        while headEnd == nil {
            if let r = find([13, 10, 13, 10], in: buffer) { headEnd = r; break }
            if let end = fill() { return Response(status: nil, end: end, gotBytes: gotBytes) }
            gotBytes = true
        }
        let headText = String(decoding: buffer[0..<headEnd!], as: UTF8.self)
        buffer.removeFirst(headEnd! + 4)
        var lines = headText.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        var r = Response(status: statusLine.count > 1 ? Int(statusLine[1]) : nil, end: .complete, gotBytes: true)
        for l in lines {
            guard let c = l.firstIndex(of: ":") else { continue }
            r.headers.append((String(l[..<c]), l[l.index(after: c)...].trimmingCharacters(in: .whitespaces)))
        }
        if r.header("transfer-encoding")?.lowercased() == "chunked" {
            while true {
                guard let lineEnd = find([13, 10], in: buffer) else {
                    if let end = fill() { r.end = end; return r }
                    continue
                }
                let sizeText = String(decoding: buffer[0..<lineEnd], as: UTF8.self)
                guard let size = Int(sizeText.split(separator: ";").first ?? "", radix: 16) else { r.end = .closedEarly; return r }
                while buffer.count < lineEnd + 2 + size + 2 {
                    if let end = fill() {
                        r.body.append(contentsOf: buffer[min(buffer.count, lineEnd + 2)...])
                        buffer.removeAll()
                        r.end = end
                        return r
                    }
                }
                r.body.append(contentsOf: buffer[(lineEnd + 2)..<(lineEnd + 2 + size)])
                buffer.removeFirst(lineEnd + 2 + size + 2)
                if size == 0 { return r }
            }
        }
        guard let lengthText = r.header("content-length") else {
            // Neither length nor chunked: the body runs until the server closes.
            while true {
                if let end = fill() {
                    r.body = buffer
                    buffer.removeAll()
                    r.end = end == .closedEarly ? .complete : end
                    return r
                }
            }
        }
        let length = Int(lengthText) ?? 0
        while buffer.count < length {
            if let end = fill() {
                r.body = buffer
                buffer.removeAll()
                r.end = end
                return r
            }
        }
        r.body = Array(buffer[0..<length])
        buffer.removeFirst(length)
        return r
    }

    /// Reads until the peer closes or resets (or the timeout), returning how it ended.
    func readToEnd() -> End {
        while true {
            if let end = fill() { return end }
        }
    }

    private func find(_ pattern: [UInt8], in bytes: [UInt8]) -> Int? {
        guard bytes.count >= pattern.count else { return nil }
        for i in 0...(bytes.count - pattern.count) where bytes[i] == pattern[0] {
            if Array(bytes[i..<(i + pattern.count)]) == pattern { return i }
        }
        return nil
    }
}

/// Builds a POST request with a JSON body.
func post(_ path: String, _ body: String, headers: [String: String] = [:], close: Bool = false) -> String {
    var s = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n"
    for (k, v) in headers.sorted(by: { $0.key < $1.key }) { s += "\(k): \(v)\r\n" }
    if close { s += "Connection: close\r\n" }
    return s + "\r\n" + body
}

/// Builds a GET (or other body-less) request.
func get(_ path: String, method: String = "GET", headers: [String: String] = [:]) -> String {
    var s = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    for (k, v) in headers.sorted(by: { $0.key < $1.key }) { s += "\(k): \(v)\r\n" }
    return s + "\r\n"
}

/// A chat body for `model`.
func chat(_ model: String, stream: Bool = false, includeUsage: Bool = false, maxTokens: Int? = nil, content: String = "Hello there, mock.") -> String {
    var s = "{\"model\":\"\(model)\",\"messages\":[{\"role\":\"user\",\"content\":\"\(content)\"}]"
    if stream { s += ",\"stream\":true" }
    if includeUsage { s += ",\"stream_options\":{\"include_usage\":true}" }
    if let maxTokens { s += ",\"max_tokens\":\(maxTokens)" }
    return s + "}"
}

/// One request on a fresh connection.
func roundTrip(_ port: Int, _ request: String, timeout: Double = 5) throws -> RawConnection.Response {
    let c = try RawConnection(port: port, timeout: timeout)
    c.send(request)
    return c.readResponse()
}

/// The `data:` payloads of an SSE body.
func sseData(_ body: [UInt8]) -> [String] {
    String(decoding: body, as: UTF8.self).components(separatedBy: "\n\n").compactMap { event in
        let e = event.trimmingCharacters(in: .whitespacesAndNewlines)
        return e.hasPrefix("data: ") ? String(e.dropFirst(6)) : nil
    }
}
