import Foundation
import Testing

/// `squall mock` in a child process (for what only a process shows: its RSS, its file-descriptor
/// limit). The binary is `SQUALL_BIN`, else `squall` beside the test bundle (`swift build --build-tests`
/// builds both into the same directory).
final class MockProcess {
    let process = Process()
    let port: Int
    private let stdout = Pipe()

    /// The `squall` executable next to the running test binary.
    static var binary: String {
        if let env = ProcessInfo.processInfo.environment["SQUALL_BIN"] { return env }
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        if dir.lastPathComponent == "MacOS" || dir.path.hasSuffix(".xctest/Contents") {
            dir = dir.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        }
        return dir.appendingPathComponent("squall").path
    }

    /// Starts `squall mock --port 0 ARGS` (under `ulimit -n fileLimit` when given) and reads its URL.
    init(_ args: [String], fileLimit: Int? = nil) throws {
        let binary = Self.binary
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw MockProcessError("squall binary not found at \(binary): run `swift build --build-tests` or set SQUALL_BIN")
        }
        let command = ([binary, "mock", "--port", "0"] + args).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
            .joined(separator: " ")
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", (fileLimit.map { "ulimit -n \($0) && " } ?? "") + "exec " + command]
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The first line is "squall mock listening on http://127.0.0.1:PORT".
        var line = Data()
        let handle = stdout.fileHandleForReading
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard let range = text.range(of: #":\d+"#, options: [.regularExpression, .backwards]),
            let port = Int(text[range].dropFirst())
        else {
            process.terminate()
            throw MockProcessError("squall mock printed no URL: \(text)")
        }
        self.port = port
    }

    /// Peak resident set size, in bytes (`VmHWM`).
    var peakRSS: Int { Self.status("VmHWM", pid: process.processIdentifier) }

    static func status(_ field: String, pid: Int32) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return -1 }
        for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
            let kb = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Int($0) } ?? -1
            return kb * 1024
        }
        return -1
    }

    /// SIGTERM, then wait (bounded); returns the exit status.
    @discardableResult
    func stop() -> Int32 {
        process.terminate()
        for _ in 0..<200 where process.isRunning { usleep(25_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return process.terminationStatus
    }

    deinit { if process.isRunning { stop() } }
}

extension MockProcess {
    /// Resident set size now, in bytes.
    var residentBytes: Int { Self.status("VmRSS", pid: process.processIdentifier) }
}

struct MockProcessError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

@Suite(.serialized) struct FileLimitTests {
    @Test func atTheFileDescriptorLimitNewClientsAreRefusedPromptlyAndOldOnesServed() throws {
        let mock = try MockProcess(["--threads", "2"], fileLimit: 64)
        defer { mock.stop() }
        var served: [RawConnection] = []
        var refused = 0
        var unanswered = 0
        for _ in 0..<40 {
            let c = try RawConnection(port: mock.port, timeout: 3)
            c.send(get("/v1/models"))
            let r = c.readResponse()
            switch r.status {
            case 200?: served.append(c)
            case 503?:
                refused += 1
                #expect((r.json?["error"] as? [String: Any])?["code"] as? String == "too_many_connections")
            default: unanswered += 1
            }
        }
        #expect(unanswered == 0)  // nobody waits in the backlog
        #expect(refused > 0)
        #expect(served.count >= 8)
        for c in served {
            c.send(post("/v1/chat/completions", chat("m")))
            #expect(c.readResponse().status == 200)
        }
        served.removeAll()
        #expect(mock.process.isRunning)
    }
}
