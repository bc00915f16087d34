import Foundation
import Glibc
import MockLLM
import Reliability
import Testing

@Suite(.serialized) struct MockServerFuzzTests {
    /// Inputs that have broken HTTP servers before: garbage, truncated heads, bad framing, huge headers.
    static let brokenRequests: [String] = [
        "\r\n\r\n",
        "GET\r\n\r\n",
        "GET / HTTP/9.9\r\n\r\n",
        "POST /v1/chat/completions HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
        "POST /v1/chat/completions HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
        "POST /v1/chat/completions HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 9\r\n\r\nabc",
        "POST /v1/chat/completions HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
        "POST /v1/chat/completions HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"mod\r\n0\r\n\r\n",
        "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n{\"model\":",
        "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}",
        "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 40\r\n\r\n{\"model\":\"m\",\"messages\":[[[[[[[[[[]]]]]]]]",
        "GET /" + String(repeating: "a", count: 100_000) + " HTTP/1.1\r\n\r\n",
        "GET / HTTP/1.1\r\nX: " + String(repeating: "b", count: 200_000) + "\r\n\r\n",
        "PUT /_squall/profile HTTP/1.1\r\nContent-Length: 9\r\n\r\n{{{{{{{{{",
        "GET /v1/models HTTP/1.1\r\n\r\nGET /v1/models HTTP/1.1\r\n\r\nGARBAGE\r\n\r\n",
        "\u{0}\u{1}\u{2}\u{ff}",
    ]

    @Test func survivesRandomBytesAndBrokenHTTPAndStillServes() async throws {
        try await withServer(
            profile: "faults: [ { rate: 10%, drop: reset }, { rate: 10%, drop: truncate, after_bytes: 3 } ]",
            configure: {
                $0.idleTimeout = .milliseconds(300)
                $0.maxBodyBytes = 64 << 10
                $0.allowFaultHeader = true
            }
        ) { server in
            var rng = SquallRandom(seed: 2024)
            var sent = 0
            // Known-bad inputs, each on its own connection; read whatever comes back.
            for text in Self.brokenRequests {
                let c = try RawConnection(port: server.port, timeout: 2)
                c.send(text)
                shutdown(c.fd, Int32(SHUT_WR))
                _ = c.readToEnd()
                sent += 1
            }
            // Random bytes, random mutations of a valid request, random early closes.
            let valid = Array(post("/v1/chat/completions", chat("m", stream: true)).utf8)
            for i in 0..<150 {
                let c = try RawConnection(port: server.port, timeout: 2)
                var bytes: [UInt8]
                switch i % 3 {
                case 0:
                    bytes = (0..<Int(rng.next() % 2048)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                case 1:
                    bytes = valid
                    for _ in 0..<(1 + Int(rng.next() % 8)) {
                        bytes[Int(rng.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: rng.next())
                    }
                default:
                    bytes = Array(valid.prefix(Int(rng.next() % UInt64(valid.count))))
                }
                c.send(bytes)
                if rng.chance(0.5) {
                    shutdown(c.fd, Int32(SHUT_WR))
                    _ = c.readToEnd()
                }
                sent += 1
            }
            #expect(sent == Self.brokenRequests.count + 150)

            // Still serving, on fresh connections and with keep-alive.
            let c = try RawConnection(port: server.port)
            for _ in 0..<3 {
                c.send(post("/v1/chat/completions", chat("m"), headers: ["x-squall-fault": "latency=1ms"]))
                let r = c.readResponse()
                #expect(r.status == 200)
                #expect(r.json?["object"] as? String == "chat.completion")
            }
            let stats = try roundTrip(server.port, get("/_squall/stats"))
            #expect(stats.status == 200)
        }
    }
}
