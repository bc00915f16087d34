import Foundation
import MockLLM
import Testing

/// A generator of malformed requests to the task service, and the robustness suite that sends them
/// to a real `squall serve` child process: each gets its documented status (naming the field where
/// one is at fault), the service never crashes or hangs, still serves a valid task afterwards, and
/// its memory stays within a bound.
enum MalformedRequests {
    struct Case: Sendable, CustomStringConvertible {
        var label: String
        var bytes: [UInt8]
        /// Acceptable statuses; nil in the set means "closed without an answer" is acceptable.
        var statuses: Set<Int?>
        /// The field a 4xx answer must name.
        var field: String?
        var description: String { label }
    }

    static func post(_ label: String, _ body: String, _ statuses: Set<Int?>, field: String?, headers: [String] = []) -> Case {
        Case(label: label, bytes: RawHTTP.request("POST", "/tasks", body: Array(body.utf8), headers: headers), statuses: statuses, field: field)
    }

    static var all: [Case] {
        let longTask = String(repeating: "t", count: 40_000)
        let deep = String(repeating: "[", count: 60_000)  // under --max-body: the parser sees it
        return [
            post("empty body", "", [400], field: "body"),
            post("not JSON", "{task:", [400], field: "body"),
            post("JSON null", "null", [400], field: "body"),
            post("JSON list", "[1,2]", [400], field: "body"),
            post("no task", "{}", [400], field: "task"),
            post("task null", "{\"task\": null}", [400], field: "task"),
            post("task a number", "{\"task\": 5}", [400], field: "task"),
            post("task empty", "{\"task\": \"\"}", [400], field: "task"),
            post("task too long", "{\"task\": \"\(longTask)\"}", [400], field: "task"),
            post("user_id a number", "{\"task\": \"x\", \"user_id\": 5}", [400], field: "user_id"),
            post("user_id too long", "{\"task\": \"x\", \"user_id\": \"\(String(repeating: "u", count: 300))\"}", [400], field: "user_id"),
            post("key empty", "{\"task\": \"x\", \"idempotency_key\": \"\"}", [400], field: "idempotency_key"),
            post("key too long", "{\"task\": \"x\", \"idempotency_key\": \"\(String(repeating: "k", count: 300))\"}", [400], field: "idempotency_key"),
            post("key with control characters", "{\"task\": \"x\", \"idempotency_key\": \"a\\u0001b\"}", [400], field: "idempotency_key"),
            post("header key with a space", "{\"task\": \"x\"}", [400], field: "idempotency_key", headers: ["Idempotency-Key: a b"]),
            post("deeply nested JSON", deep, [400], field: "body"),
            Case(
                label: "body over --max-body", bytes: RawHTTP.request("POST", "/tasks", body: Array(repeating: 0x20, count: 70_000)),
                statuses: [413], field: "body"),
            Case(
                label: "invalid UTF-8", bytes: RawHTTP.request("POST", "/tasks", body: [0x7B, 0x22, 0x74, 0x22, 0x3A, 0x22, 0xFF, 0xFE, 0x22, 0x7D]),
                statuses: [400], field: nil),
            Case(label: "id too long", bytes: RawHTTP.request("GET", "/tasks/" + String(repeating: "a", count: 200)), statuses: [400], field: "id"),
            Case(label: "id with dots", bytes: RawHTTP.request("GET", "/tasks/..%2F..%2Fetc"), statuses: [400, 404], field: "id"),
            Case(label: "unknown id", bytes: RawHTTP.request("GET", "/tasks/t_nothing"), statuses: [404], field: "id"),
            Case(label: "unknown path", bytes: RawHTTP.request("GET", "/nope"), statuses: [404], field: nil),
            Case(label: "wrong method", bytes: RawHTTP.request("DELETE", "/tasks/t_x"), statuses: [404, 405], field: nil),
            Case(label: "garbage bytes", bytes: (0..<2048).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }, statuses: [nil, 400], field: nil),
            Case(label: "headers cut short", bytes: Array("POST /tasks HTTP/1.1\r\nHost: x\r\nContent-Len".utf8), statuses: [nil, 400], field: nil),
            Case(
                label: "a 100 KB header", bytes: Array("GET /health HTTP/1.1\r\nX-Big: \(String(repeating: "h", count: 100_000))\r\n\r\n".utf8),
                statuses: [nil, 400, 431, 200], field: nil),
            Case(
                label: "content-length larger than the body",
                bytes: Array("POST /tasks HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{\"task\":".utf8), statuses: [nil, 400], field: nil),
            Case(label: "HTTP/0.9 request", bytes: Array("GET /health\r\n".utf8), statuses: [nil, 400, 200], field: nil),
        ]
    }
}

@Suite(.serialized) struct ServiceRobustnessTests {
    static func residentKB(_ pid: Int32) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        }
        return nil
    }

    @Test(.timeLimit(.minutes(3)))
    func malformedRequestsGetTheirStatusAndTheServiceKeepsServingWithinAMemoryBound() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var c = MockServerConfig()
        c.port = 0
        c.threads = 1
        let mock = try await MockServer.start(c)
        let child = try ChildProcess(
            ["serve", "--port", "0", "--llm-url", mock.url, "--workers", "2", "--log-level", "notice"], in: dir)
        defer {
            child.send(SIGKILL)
            Task { await mock.stop() }
        }
        // The bound port is in the startup log line.
        var port: Int?
        let marker = "listening on http://127.0.0.1:"
        for _ in 0..<500 where port == nil {
            if let r = child.stderr.range(of: marker) { port = Int(child.stderr[r.upperBound...].prefix { $0.isNumber }) }
            try await Task.sleep(for: .milliseconds(20))
        }
        let p = try #require(port, "squall serve did not report its port: \(child.stderr)")
        #expect(RawHTTP.exchange(port: p, RawHTTP.request("GET", "/health")).status == 200)
        let before = try #require(Self.residentKB(child.process.processIdentifier))

        for round in 0..<5 {
            for c in MalformedRequests.all {
                let a = RawHTTP.exchange(port: p, c.bytes)
                #expect(c.statuses.contains(a.status), "round \(round), \(c): got \(a.status.map(String.init) ?? "no answer"): \(a.body.prefix(200))")
                if let field = c.field, let status = a.status, status >= 400 {
                    #expect(a.body.contains("\"field\":\"\(field)\""), "\(c): \(a.body.prefix(200))")
                }
                #expect(child.process.isRunning, "squall serve died on \(c): \(child.stderr.suffix(500))")
            }
        }
        // Still serving: health is fine and a valid task completes.
        #expect(RawHTTP.exchange(port: p, RawHTTP.request("GET", "/health")).status == 200)
        let accepted = RawHTTP.exchange(port: p, RawHTTP.request("POST", "/tasks", body: Array("{\"task\":\"What is 2+2?\"}".utf8)))
        #expect(accepted.status == 202)
        let id = try #require(accepted.body.split(separator: "\"").first { $0.hasPrefix("t_") })
        var status = ""
        for _ in 0..<500 where !status.contains("complete") {
            status = RawHTTP.exchange(port: p, RawHTTP.request("GET", "/tasks/\(id)")).body
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(status.contains("\"status\":\"complete\""))
        let after = try #require(Self.residentKB(child.process.processIdentifier))
        // Five rounds of every malformed request (about 2 MB of input each) grow the service by less than 64 MB.
        #expect(after - before < 64 * 1024, "RSS grew from \(before) kB to \(after) kB")
    }

    @Test func everyMalformedRequestHasAnExpectation() {
        #expect(MalformedRequests.all.count >= 25)
        #expect(MalformedRequests.all.allSatisfy { !$0.statuses.isEmpty })
    }
}
