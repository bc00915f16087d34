import ArgumentParser
import Foundation
import Testing

@testable import squall

/// `squall sweep` and `squall plan` called without spawning the binary: flags checked before
/// anything runs, bad input is a usage error (exit 2), and the exit codes of a finished run.
@Suite(.serialized) struct SweepPlanCommandTests {
    static let scenario = """
        name: cli-tune
        duration: 30m
        load: { tasks_per_day: 20000, arrival: constant }
        stack:
          retry: { attempts: 2, min: 100ms, max: 1s, jitter: full }
          breaker: off
        llm:
          latency: 200ms
          faults: [ { rate: 5%, status: 503 } ]
          rate_limits: { "*": { rpm: 60 } }
        expect:
          success_rate: ">= 99%"
        """

    func temp() throws -> (URL, URL) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("squall-cli-tune-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let file = dir.appendingPathComponent("s.yaml")
        try Data(Self.scenario.utf8).write(to: file)
        return (dir, file)
    }

    func exitCode(_ body: () async throws -> Void) async -> Int32? {
        do {
            try await body()
            return 0
        } catch let e as ExitCode {
            return e.rawValue
        } catch is UsageError {
            return 2
        } catch {
            return nil
        }
    }

    @Test func sweepFlagsAreCheckedBeforeAnythingRuns() {
        #expect(throws: (any Error).self) { try SweepCommand.parse(["x.yaml", "--vary", "stack.retry.attempts=1s..5s"]) }
        #expect(throws: (any Error).self) { try SweepCommand.parse(["x.yaml", "--vary", "duration=1h,2h"]) }
        #expect(throws: (any Error).self) { try SweepCommand.parse(["x.yaml", "--samples", "0"]) }
        #expect(throws: (any Error).self) { try SweepCommand.parse(["x.yaml", "--seeds", "0"]) }
        #expect(throws: (any Error).self) { try SweepCommand.parse(["x.yaml", "--sampling", "grd"]) }
        let ok = try? SweepCommand.parse([
            "x.yaml", "--vary", "stack.retry.attempts=1,2", "--vary", "stack.timeout=uniform(1s,2s)", "--sampling", "lhs",
        ])
        #expect(ok?.vary.count == 2 && ok?.sampling == .lhs && ok?.out == "Reports")
    }

    @Test func sweepBadInputIsAUsageErrorNamingTheFlag() async throws {
        let (dir, file) = try temp()
        defer { try? FileManager.default.removeItem(at: dir) }
        let typo = try SweepCommand.parse([file.path, "--vary", "stack.retry.atempts=1,2", "--out", dir.path])
        await #expect { try await typo.run() } throws: {
            ($0 as? UsageError)?.message.hasPrefix("--vary stack.retry.atempts=1,2: stack.retry.atempts: unknown key 'atempts'") == true
        }
        let none = try SweepCommand.parse([file.path, "--out", dir.path])
        await #expect { try await none.run() } throws: { ($0 as? UsageError)?.message.contains("nothing to vary") == true }
        let missing = try SweepCommand.parse([
            dir.appendingPathComponent("nope.yaml").path, "--vary", "stack.timeout=1s", "--out", dir.path,
        ])
        await #expect { try await missing.run() } throws: { ($0 as? UsageError)?.message.contains("no such file") == true }
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("sweep").path))
    }

    @Test func sweepExitsZeroWhenAConfigurationPassesAndOneWhenNoneDoes() async throws {
        let (dir, file) = try temp()
        defer { try? FileManager.default.removeItem(at: dir) }
        let passing = try SweepCommand.parse([
            file.path, "--vary", "stack.retry.attempts=1,4", "--seeds", "2", "--jobs", "2", "--out", dir.path,
        ])
        #expect(await exitCode { try await passing.run() } == 0)
        let md = try String(contentsOf: dir.appendingPathComponent("sweep/cli-tune/sweep.md"), encoding: .utf8)
        #expect(md.contains("**Verdict: ✅ PASS**: 1 of 2 configurations"))
        #expect(md.contains("```yaml\nstack:\n"))
        let csv = try String(contentsOf: dir.appendingPathComponent("sweep/cli-tune/sweep.csv"), encoding: .utf8)
        #expect(csv.split(separator: "\n").count == 1 + 4)
        let failing = try SweepCommand.parse([file.path, "--vary", "stack.retry.attempts=1", "--seeds", "2", "--out", dir.path])
        #expect(await exitCode { try await failing.run() } == 1)
        let again = try String(contentsOf: dir.appendingPathComponent("sweep/cli-tune/sweep.md"), encoding: .utf8)
        #expect(again.contains("**Verdict: ❌ FAIL**: 0 of 1 configurations"))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("sweep/cli-tune/effect-stack.retry.jitter.svg").path))
    }

    @Test func planFlagsAreCheckedBeforeAnythingRuns() {
        for bad in [
            ["--load", "0..5/day"], ["--load", "5k..1k/day"], ["--load", "1..5/week"], ["--steps", "1"], ["--peak-factor", "0.5"],
            ["--replica-concurrency", "0"], ["--seeds", "0"], ["--window", "0s"], ["--resolution", "90%"], ["--jobs", "0"],
        ] {
            #expect(throws: (any Error).self, "\(bad)") { try PlanCommand.parse(["x.yaml"] + bad) }
        }
        let ok = try? PlanCommand.parse(["x.yaml", "--load", "10k..1M/day", "--peak-factor", "2.5", "--replica-concurrency", "32"])
        #expect(ok?.load == "10k..1M/day" && ok?.peakFactor == 2.5)
    }

    @Test func planBadInputIsAUsageError() async throws {
        let (dir, file) = try temp()
        defer { try? FileManager.default.removeItem(at: dir) }
        let tooMany = try PlanCommand.parse([file.path, "--load", "1k..10G/day", "--out", dir.path])
        await #expect { try await tooMany.run() } throws: {
            ($0 as? UsageError)?.message.hasPrefix("--load: the level of 10G tasks/day over 30m0s does not load") == true
        }
    }

    @Test func planExitCodesFollowTheKnee() async throws {
        let (dir, file) = try temp()
        defer { try? FileManager.default.removeItem(at: dir) }
        // 60 requests a minute holds up to about 86k tasks a day (4 attempts ride out the 503s).
        let text = Self.scenario.replacingOccurrences(of: "attempts: 2", with: "attempts: 4")
        try Data(text.utf8).write(to: file)
        let ok = try PlanCommand.parse([file.path, "--load", "10k..40k/day", "--steps", "2", "--seeds", "1", "--out", dir.path])
        #expect(await exitCode { try await ok.run() } == 0)
        let md = try String(contentsOf: dir.appendingPathComponent("plan/cli-tune/plan.md"), encoding: .utf8)
        #expect(md.contains("every expectation holds on every seed across the whole range"))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("plan/cli-tune/plan-slo.svg").path))
        let below = try PlanCommand.parse([file.path, "--load", "200k..400k/day", "--steps", "2", "--seeds", "1", "--out", dir.path])
        #expect(await exitCode { try await below.run() } == 1)
    }
}
