import Foundation
import Glibc
import Synchronization

/// A tiny HTTP/1.1 server on 127.0.0.1 (POSIX sockets, one thread per connection) whose path
/// picks a behaviour: answer, keep alive, reset, truncate, hang, drip, stream SSE. It counts
/// accepted connections and requests so tests can check reuse, caps and cancellation.
final class LoopbackServer: @unchecked Sendable {
    let port: Int
    private let listenFD: Int32
    private struct Counters {
        var accepted = 0
        var requests = 0
        var inFlight = 0
        var maxInFlight = 0
        var hangsEnded = 0
        var openFDs: Set<Int32> = []
        var gateOpen = false
        var gateTimedOut = false
    }
    private let state = Mutex(Counters())

    var acceptedConnections: Int { state.withLock { $0.accepted } }
    var requestsSeen: Int { state.withLock { $0.requests } }
    var maxConcurrentRequests: Int { state.withLock { $0.maxInFlight } }
    /// Requests to `/hang` whose client closed the connection.
    var hangsEnded: Int { state.withLock { $0.hangsEnded } }
    /// True when the `/sse-gated` stream gave up waiting for the test to open the gate.
    var gateTimedOut: Bool { state.withLock { $0.gateTimedOut } }
    /// Lets `/sse-gated` send the rest of its events.
    func openGate() { state.withLock { $0.gateOpen = true } }

    var base: String { "http://127.0.0.1:\(port)" }

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 256) == 0 else {
            close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        listenFD = fd
        port = Self.localPort(fd)
        Thread { [self] in acceptLoop() }.start()
    }

    /// A port on 127.0.0.1 where nothing listens (bound, then closed).
    static func closedPort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        let port = localPort(fd)
        close(fd)
        return port
    }

    private static func localPort(_ fd: Int32) -> Int {
        var addr = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    /// Stops accepting and closes every open connection.
    func stop() {
        Glibc.shutdown(listenFD, Int32(SHUT_RDWR))
        close(listenFD)
        let fds = state.withLock { $0.openFDs }
        for fd in fds { Glibc.shutdown(fd, Int32(SHUT_RDWR)) }
    }

    private func acceptLoop() {
        while true {
            let fd = accept(listenFD, nil, nil)
            if fd < 0 {
                if errno == EINTR { continue }
                return
            }
            state.withLock {
                $0.accepted += 1
                $0.openFDs.insert(fd)
            }
            Thread { [self] in serve(fd) }.start()
        }
    }

    // MARK: - One connection

    private struct Request {
        var method: String
        var path: String
        var query: [String: String]
        var headers: [(String, String)]
        var body: [UInt8]
    }

    private func serve(_ fd: Int32) {
        var buffer: [UInt8] = []
        defer {
            state.withLock { _ = $0.openFDs.remove(fd) }
            close(fd)
        }
        while let request = readRequest(fd, &buffer) {
            state.withLock {
                $0.requests += 1
                $0.inFlight += 1
                $0.maxInFlight = max($0.maxInFlight, $0.inFlight)
            }
            let keepOpen = respond(fd, request)
            state.withLock { $0.inFlight -= 1 }
            if !keepOpen { return }
        }
    }

    private func readRequest(_ fd: Int32, _ buffer: inout [UInt8]) -> Request? {
        let end: Int
        while true {
            if let e = find(buffer, [13, 10, 13, 10]) {
                end = e
                break
            }
            guard receive(fd, &buffer) else { return nil }
        }
        let head = String(decoding: buffer[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        buffer.removeFirst(end + 4)
        let parts = head[0].split(separator: " ")
        guard parts.count >= 2 else { return nil }
        var headers: [(String, String)] = []
        var length = 0
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = String(line[..<colon])
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            headers.append((name, value))
            if name.lowercased() == "content-length" { length = Int(value) ?? 0 }
        }
        while buffer.count < length {
            guard receive(fd, &buffer) else { return nil }
        }
        let body = Array(buffer[..<length])
        buffer.removeFirst(length)
        let target = String(parts[1])
        var path = target
        var query: [String: String] = [:]
        if let q = target.firstIndex(of: "?") {
            path = String(target[..<q])
            for pair in target[target.index(after: q)...].split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1)
                if kv.count == 2 { query[String(kv[0])] = String(kv[1]) }
            }
        }
        return Request(method: String(parts[0]), path: path, query: query, headers: headers, body: body)
    }

    private func receive(_ fd: Int32, _ buffer: inout [UInt8]) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 16384)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return false }
        buffer.append(contentsOf: chunk[..<n])
        return true
    }

    private func find(_ haystack: [UInt8], _ needle: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i..<(i + needle.count)].elementsEqual(needle) {
            return i
        }
        return nil
    }

    private func write(_ fd: Int32, _ text: String) {
        write(fd, Array(text.utf8))
    }

    private func write(_ fd: Int32, _ bytes: [UInt8]) {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            sent += n
        }
    }

    private func resetConnection(_ fd: Int32) {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
    }

    private func pause(milliseconds: Int) {
        usleep(UInt32(milliseconds * 1000))
    }

    /// Answers one request; returns false to close the connection afterwards.
    private func respond(_ fd: Int32, _ r: Request) -> Bool {
        switch r.path {
        case "/echo":
            // Echoes the body, the method and the X-Custom header; Connection: keep-alive.
            let custom = r.headers.first { $0.0.lowercased() == "x-custom" }?.1 ?? ""
            write(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nX-Got-Method: \(r.method)\r\n"
                + "X-Got-Custom: \(custom)\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nContent-Length: \(r.body.count)\r\n\r\n")
            write(fd, r.body)
            return true
        case "/slow":
            pause(milliseconds: Int(r.query["ms"] ?? "0") ?? 0)
            write(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            return true
        case "/status":
            let code = Int(r.query["code"] ?? "500") ?? 500
            let body = #"{"error":{"message":"slow down","type":"requests","param":null,"code":"rate_limit_exceeded"}}"#
            write(fd, "HTTP/1.1 \(code) Error\r\nContent-Type: application/json\r\nretry-after: 2\r\n"
                + "x-should-retry: true\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
            return true
        case "/reset":
            resetConnection(fd)
            return false
        case "/reset-mid":
            write(fd, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial")
            pause(milliseconds: 20)
            resetConnection(fd)
            return false
        case "/close-empty":
            return false
        case "/truncate":
            write(fd, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b")
            return false
        case "/chunked-cut":
            write(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n")
            return false
        case "/hang":
            // Never answers; returns when the client goes away.
            var sink: [UInt8] = []
            while receive(fd, &sink) { sink.removeAll() }
            state.withLock { $0.hangsEnded += 1 }
            return false
        case "/drip":
            // Five body bytes, one every `ms` milliseconds.
            let gap = Int(r.query["ms"] ?? "20") ?? 20
            write(fd, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n")
            for byte in Array("drips".utf8) {
                pause(milliseconds: gap)
                write(fd, [byte])
            }
            return true
        case "/sse-partial":
            // One whole event, then half of the next, then a clean close (FIN).
            write(fd, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n")
            write(fd, "data: {\"i\":0}\n\ndata: {\"i\":")
            return false
        case "/sse", "/sse-gated", "/sse-cut":
            let count = Int(r.query["n"] ?? "3") ?? 3
            write(fd, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
                + "Connection: close\r\n\r\n: a comment line\n\n")
            for i in 0..<count {
                // Split one event across two writes to exercise partial lines.
                write(fd, "data: {\"i\":\(i),")
                write(fd, "\"text\":\"tok\(i)\"}\n\n")
                if r.path == "/sse-gated" && i == 0 { waitForGate() }
                if r.path == "/sse-cut" && i == count - 1 {
                    pause(milliseconds: 20)
                    resetConnection(fd)
                    return false
                }
            }
            write(fd, "data: [DONE]\n\n")
            return false
        default:
            write(fd, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
            return true
        }
    }

    private func waitForGate() {
        for _ in 0..<500 {
            if state.withLock({ $0.gateOpen }) { return }
            pause(milliseconds: 10)
        }
        state.withLock { $0.gateTimedOut = true }
    }
}

/// Polls `condition` every 5 ms until it holds or `limit` passes; returns whether it held.
func eventually(within limit: Duration = .seconds(30), _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(5))
    }
    return condition()
}
