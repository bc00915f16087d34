import ArgumentParser
import Foundation
import Testing

@testable import squall

/// `squall audit`'s flags and its run, called without spawning the binary.
@Suite struct AuditCommandTests {
    static let scenario = """
        name: cli-outage
        duration: 30m
        load: { tasks_per_day: 30000 }
        stack:
          retry: { attempts: 3, min: 1s, max: 4s, jitter: full }
          breaker: { failure_threshold: 5, window: 30s, recovery_timeout: 15s }
        llm:
          latency: 300ms
          faults: [ { during: 10m..15m, status: 503 } ]
        expect:
          breaker: { opens_within: 1m }
        guards: [no_breaker]
        """

    func temp() -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("squall-cli-audit-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func flagsAreCheckedBeforeAnythingRuns() {
        #expect(throws: (any Error).self) { try AuditCommand.parse(["x.yaml", "--seeds", "0"]) }
        #expect(throws: (any Error).self) { try AuditCommand.parse(["x.yaml", "--seeds", "10", "--mutant-seeds", "11"]) }
        #expect(throws: (any Error).self) { try AuditCommand.parse(["x.yaml", "--jobs", "0"]) }
        let ok = try? AuditCommand.parse(["x.yaml", "--seeds", "30", "--mutant-seeds", "10", "--jobs", "2"])
        #expect(ok?.seeds == 30 && ok?.mutantSeeds == 10 && ok?.jobs == 2 && ok?.mutants == "all" && ok?.out == "Reports")
    }

    @Test func badInputIsAUsageErrorNamingWhatIsWrong() async throws {
        let dir = temp()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("s.yaml")
        try Data(Self.scenario.utf8).write(to: file)
        let typo = try AuditCommand.parse([file.path, "--mutants", "no_breakr", "--out", dir.path])
        await #expect { try await typo.run() } throws: {
            ($0 as? UsageError)?.message.contains("(did you mean 'no_breaker'?)") == true
        }
        let quiet = dir.appendingPathComponent("quiet.yaml")
        try Data("name: quiet\nduration: 1h\nload: { tasks_per_day: 10 }\n".utf8).write(to: quiet)
        let empty = try AuditCommand.parse([quiet.path, "--out", dir.path])
        await #expect { try await empty.run() } throws: {
            ($0 as? UsageError)?.message.hasPrefix("\(quiet.path): expect: the scenario 'quiet' states no expectations") == true
        }
        let live = dir.appendingPathComponent("live.yaml")
        try Data((Self.scenario + "\nmode: live\n").utf8).write(to: live)
        let liveOnly = try AuditCommand.parse([live.path, "--out", dir.path])
        await #expect { try await liveOnly.run() } throws: {
            ($0 as? UsageError)?.message.hasPrefix("nothing to audit") == true
        }
    }

    @Test func aPassingAuditWritesItsFiles() async throws {
        let dir = temp()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("s.yaml")
        try Data(Self.scenario.utf8).write(to: file)
        let command = try AuditCommand.parse([
            file.path, "--seeds", "3", "--mutant-seeds", "2", "--mutants", "listed", "--jobs", "2", "--out", dir.path,
        ])
        try await command.run()
        let md = try String(contentsOf: dir.appendingPathComponent("audit/audit.md"), encoding: .utf8)
        #expect(md.contains("**Verdict: ✅ PASS**"))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("audit/audit.json").path))
    }
}
