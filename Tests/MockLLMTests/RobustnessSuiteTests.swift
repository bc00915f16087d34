import Foundation
import Glibc
@testable import MockLLM
import Testing

/// The mock's HTTP robustness suite (issue #12.7): every generated malformed request gets the
/// documented status and an error naming the place, within bounded time, and the mock keeps serving
/// with bounded tables; in a child process, repeating the whole suite does not grow its memory.
@Suite(.serialized) struct RobustnessSuiteTests {
    static func configure(_ c: inout MockServerConfig) {
        c.maxBodyBytes = 65_536
        c.idleTimeout = .milliseconds(300)
        c.allowFaultHeader = true
        c.callLogCapacity = 256
        c.maxKeys = 64
    }

    static let flags = ["--max-body", "65536", "--idle-timeout", "300ms", "--allow-fault-header", "--call-log", "256", "--max-keys", "64"]

    /// Sends one case on a fresh connection and reads the answer (bounded by the socket timeouts).
    static func run(_ c: MalformedCase, port: Int) throws -> RawConnection.Response {
        let conn = try RawConnection(port: port, timeout: 5)
        for (i, piece) in c.pieces.enumerated() {
            if i > 0, c.pause > 0 {
                usleep(UInt32(c.pause * 1e6))
                if conn.hasData() { break }  // already answered (e.g. 408 while dripping)
            }
            if !conn.send(piece) { break }
        }
        if c.pause == 0, c.halfClose { shutdown(conn.fd, Int32(SHUT_WR)) }
        return conn.readResponse()
    }

    /// Checks one answer against its case; returns the problems found.
    static func check(_ c: MalformedCase, _ r: RawConnection.Response) -> [String] {
        var problems: [String] = []
        if r.end == .timeout { problems.append("no answer within 5 s") }
        if let status = c.status, r.status != status { problems.append("status \(r.status.map(String.init) ?? "none"), expected \(status)") }
        let error = r.json?["error"] as? [String: Any]
        if let param = c.param {
            if param == "null" {
                if !(error?["param"] is NSNull) { problems.append("param \(String(describing: error?["param"])), expected null") }
            } else {
                let got = error?["param"] as? String ?? "<none>"
                if got != param && !got.hasPrefix(param + "[") { problems.append("param \(got), expected \(param)") }
            }
        }
        if let message = c.message {
            let got = error?["message"] as? String ?? ""
            if !got.contains(message) { problems.append("message '\(got.prefix(200))' lacks '\(message)'") }
        }
        if c.status == 400, error?["message"] == nil { problems.append("no error message") }
        return problems
    }

    @Test func everyMalformedRequestGetsItsStatusAndNamesThePlace() async throws {
        try await withServer(configure: Self.configure) { server in
            let cases = MalformedRequestGenerator.all
            #expect(cases.count > 120)
            var failures: [String] = []
            for c in cases {
                let problems = Self.check(c, try Self.run(c, port: server.port))
                if !problems.isEmpty { failures.append("\(c.name): " + problems.joined(separator: "; ")) }
            }
            #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
            // Still serving, with keep-alive, and every table within its bound.
            let conn = try RawConnection(port: server.port)
            for _ in 0..<3 {
                conn.send(post("/v1/chat/completions", chat("m")))
                #expect(conn.readResponse().status == 200)
            }
            let stats = server.state.stats
            #expect(stats.series.count < 200)
            #expect(stats.keysTracked <= 64)
            #expect(server.calls(after: 0, limit: 10_000).records.count <= 256)
        }
    }

    @Test func pipeliningAbuseIsAnsweredInOrderOrClosedNeverHung() async throws {
        try await withServer(configure: Self.configure) { server in
            // 200 pipelined requests in one write: all answered, in order.
            let conn = try RawConnection(port: server.port)
            conn.send((0..<200).map { i in post("/v1/chat/completions", chat("p\(i % 5)")) }.joined())
            var models: [String] = []
            for _ in 0..<200 { models.append(conn.readResponse().json?["model"] as? String ?? "?") }
            #expect(models == (0..<200).map { "p\($0 % 5)" })
            // 5,000 pipelined requests: more than the queue holds (4,096 parts); the mock answers
            // what it queued and closes instead of buffering without bound.
            let flood = try RawConnection(port: server.port, timeout: 5)
            flood.send(String(repeating: get("/v1/models"), count: 5_000))
            shutdown(flood.fd, Int32(SHUT_WR))
            var answered = 0
            while answered < 5_000 {
                let r = flood.readResponse()
                if r.status != 200 {
                    #expect(r.end != .timeout)
                    break
                }
                answered += 1
            }
            #expect(answered > 0)
            #expect(try roundTrip(server.port, get("/v1/models")).status == 200)
        }
    }

    @Test func repeatingTheSuiteDoesNotGrowTheMocksMemory() throws {
        let mock = try MockProcess(Self.flags + ["--threads", "2"])
        defer { mock.stop() }
        let cases = MalformedRequestGenerator.all.filter { $0.pause == 0 && $0.status != 408 }
        var rss: [Int] = []
        for _ in 0..<3 {
            for c in cases { _ = try Self.run(c, port: mock.port) }
            rss.append(mock.residentBytes)
        }
        #expect(mock.process.isRunning)
        #expect(rss.allSatisfy { $0 > 0 })
        // After the first round has warmed allocator and tables, two more rounds add < 16 MB.
        #expect(rss[2] - rss[0] < 16 << 20, "RSS per round: \(rss.map { $0 >> 20 }) MB")
    }
}

extension RawConnection {
    /// Whether bytes (or a close) are waiting to be read, without blocking.
    func hasData() -> Bool {
        var byte: UInt8 = 0
        let n = recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        return n >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK)
    }
}

@Suite(.serialized) struct ResetMemoryTests {
    /// `POST /_squall/reset` hands the memory of the key table and the call log back (RSS falls).
    /// (Kept small: it runs beside the live suites, whose compressed timing needs CPU.)
    @Test func resetReleasesTheTablesMemory() throws {
        let mock = try MockProcess(["--threads", "2"])
        defer { mock.stop() }
        let start = mock.residentBytes
        let conn = try RawConnection(port: mock.port)
        let pad = String(repeating: "k", count: 240)
        for i in 0..<12_000 {
            conn.send(post("/v1/chat/completions", chat("m"), headers: ["Idempotency-Key": pad + String(i)]))
            guard conn.readResponse().status == 200 else {
                Issue.record("request \(i) failed")
                return
            }
        }
        let loaded = mock.residentBytes
        #expect(try roundTrip(mock.port, get("/_squall/reset", method: "POST")).status == 200)
        let after = mock.residentBytes
        #expect(loaded - start > 4 << 20, "RSS start \(start >> 20) MB, loaded \(loaded >> 20) MB")
        #expect(loaded - after > (loaded - start) / 2, "RSS start \(start >> 20), loaded \(loaded >> 20), after reset \(after >> 20) MB")
    }
}
