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
