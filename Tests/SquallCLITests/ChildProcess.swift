import Foundation
import Testing

/// A `squall` child process for the tests that need a real process: signals, exit codes, files.
/// Output goes to files; every wait is bounded.
final class ChildProcess: @unchecked Sendable {
    let process = Process()
    let stdoutURL: URL
    let stderrURL: URL

    /// The `squall` binary built beside the test bundle (or `SQUALL_BIN`).
    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["SQUALL_BIN"] { return URL(fileURLWithPath: path) }
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("squall")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: ".build/debug/squall")
    }

    /// Starts `squall ARGS` (or `executable ARGS`) in `directory`, with this process's environment
    /// minus the variables named in `unset`, plus those in `set`.
    init(
        _ arguments: [String], in directory: URL, executable: URL = ChildProcess.binary, unset: [String] = [],
        set: [String: String] = [:]
    ) throws {
        stdoutURL = directory.appendingPathComponent("child-\(UUID().uuidString).out")
        stderrURL = directory.appendingPathComponent("child-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        process.standardInput = FileHandle.nullDevice
        if !unset.isEmpty || !set.isEmpty {
            var environment = ProcessInfo.processInfo.environment
            for name in unset { environment[name] = nil }
            environment.merge(set) { $1 }
            process.environment = environment
        }
        try process.run()
    }

    var stdout: String { (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "" }

    /// Sends `signal` to the child.
    func send(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// Waits until `stderr` (or `stdout`) contains `text`; false after `limit`.
    func waitForOutput(_ text: String, limit: Duration = .seconds(60)) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if stderr.contains(text) || stdout.contains(text) { return true }
            if !process.isRunning { return stderr.contains(text) || stdout.contains(text) }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    /// Waits for the exit (killing the child after `limit`) and returns its exit status (128 + N
    /// when it died by signal N).
    func exitCode(limit: Duration = .seconds(120)) async -> Int32 {
        let deadline = ContinuousClock.now + limit
        while process.isRunning && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning {
            Issue.record("squall \(process.arguments ?? []) did not exit within \(limit); killed")
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        return process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
    }
}

/// A fresh temporary directory.
func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("squall-cli-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Every path under `root` (relative), recursively.
func allPaths(under root: URL) -> [String] {
    let e = FileManager.default.enumerator(atPath: root.path)
    var out: [String] = []
    while let p = e?.nextObject() as? String { out.append(p) }
    return out.sorted()
}
