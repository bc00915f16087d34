import Foundation
import Testing

@testable import Scenarios

/// `ChildProcess`: the swift-subprocess-backed child a live run starts (redis-server, the team's
/// service): exit codes, SIGTERM then SIGKILL, environment, working directory, log file, bad input.
@Suite struct ChildProcessTests {
    @Test func aChildThatExitsByItselfReportsItsExitCode() async throws {
        let child = try await ChildProcess.start("/bin/sh", arguments: ["-c", "exit 3"])
        #expect(await child.exit() == .exited(3))
        #expect(!child.isRunning)
        #expect(!SpawnedProcesses.registered.contains(child.pid))
    }

    @Test func terminateSendsSigtermAndTheChildIsRegisteredUntilItEnds() async throws {
        let child = try await ChildProcess.start("/bin/sleep", arguments: ["30"])
        #expect(child.isRunning)
        #expect(SpawnedProcesses.registered.contains(child.pid))
        #expect(await child.terminate(grace: .seconds(10)) == .signalled(SIGTERM))
        #expect(!child.isRunning)
        #expect(!SpawnedProcesses.registered.contains(child.pid))
    }

    @Test func aChildThatIgnoresSigtermIsKilledAfterTheGrace() async throws {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("squall-child-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: log) }
        // The shell ignores SIGTERM, says so, and becomes `sleep` (ignored signals survive exec).
        let child = try await ChildProcess.start("/bin/sh", arguments: ["-c", "trap '' TERM; echo ready; exec sleep 30"], log: log)
        for _ in 0..<1000 where (try? String(contentsOfFile: log, encoding: .utf8)) != "ready\n" {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect((try? String(contentsOfFile: log, encoding: .utf8)) == "ready\n")
        #expect(await child.terminate(grace: .milliseconds(200)) == .signalled(SIGKILL))
    }

    /// Starts a shell that leaves a background `sleep` behind (as a service's forked worker would)
    /// and becomes `sleep` itself; returns the child and the background sleep's pid.
    func childWithABackgroundWorker(ownGroup: Bool) async throws -> (ChildProcess, pid_t) {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("squall-worker-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        let child = try await ChildProcess.start(
            "/bin/sh", arguments: ["-c", "sleep 300 & echo $! > \(file).tmp && mv \(file).tmp \(file); exec sleep 300"],
            ownProcessGroup: ownGroup)
        var worker: pid_t?
        for _ in 0..<1000 {
            if let text = try? String(contentsOfFile: file, encoding: .utf8), let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                worker = pid
                break
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        return (child, try #require(worker))
    }

    /// Whether `pid` is a live process (not gone, not a zombie waiting for its reaper).
    static func alive(_ pid: pid_t) -> Bool {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return false }
        return !status.contains("State:\tZ")
    }

    @Test func aChildLeadingItsOwnGroupTakesWhatItStartedWithIt() async throws {
        let (child, worker) = try await childWithABackgroundWorker(ownGroup: true)
        #expect(child.leadsGroup && Self.alive(worker))
        #expect(await child.terminate(grace: .seconds(5)) == .signalled(SIGTERM))
        var gone = false
        for _ in 0..<500 where !gone {
            gone = !Self.alive(worker)
            if !gone { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(gone, "the background worker \(worker) outlived its service")
    }

    @Test func withoutItsOwnGroupWhatTheChildStartedOutlivesIt() async throws {
        // The contrast that shows the test above can fail: the worker survives the child's end.
        let (child, worker) = try await childWithABackgroundWorker(ownGroup: false)
        defer { kill(worker, SIGKILL) }
        #expect(await child.terminate(grace: .seconds(5)) == .signalled(SIGTERM))
        try await Task.sleep(for: .milliseconds(100))
        #expect(Self.alive(worker))
    }

    @Test func environmentWorkingDirectoryAndLogReachTheChild() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("squall-child-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("service.log").path
        setenv("SQUALL_CHILD_TEST_REMOVED", "present", 1)
        defer { unsetenv("SQUALL_CHILD_TEST_REMOVED") }
        let child = try await ChildProcess.start(
            "/bin/sh", arguments: ["-c", "echo \"$GREETING|$(pwd)|${SQUALL_CHILD_TEST_REMOVED:-gone}\"; echo oops >&2"],
            environment: ["GREETING": "hello", "SQUALL_CHILD_TEST_REMOVED": nil], workingDirectory: dir.path, log: log)
        #expect(await child.exit() == .exited(0))
        let text = try String(contentsOfFile: log, encoding: .utf8)
        let realDir = URL(fileURLWithPath: dir.path).resolvingSymlinksInPath().path
        #expect(text == "hello|\(realDir)|gone\noops\n" || text == "hello|\(dir.path)|gone\noops\n", "log: \(text)")
    }

    @Test func stopFromSynchronousCodeEndsTheChild() async throws {
        let child = try await ChildProcess.start("/bin/sleep", arguments: ["30"])
        child.stop()
        #expect(!child.isRunning)
        #expect(await child.exit() == .signalled(SIGTERM))
    }

    @Test func aMissingProgramIsAnErrorNamingIt() async {
        await #expect {
            _ = try await ChildProcess.start("/nonexistent/squall-no-such-program", arguments: [])
        } throws: { error in
            "\(error)".contains("/nonexistent/squall-no-such-program")
        }
    }

    @Test func exitDescriptionsNameTheSignal() {
        #expect(ChildExit.exited(0).description == "exit 0")
        #expect(ChildExit.signalled(SIGTERM).description == "signal 15 (SIGTERM)")
        #expect(ChildExit.failedToStart("no such file").description == "did not start: no such file")
    }
}
