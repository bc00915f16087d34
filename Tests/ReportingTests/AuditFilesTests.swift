import Foundation
import Scenarios
import Testing

import Reporting

/// `audit.md` and `audit.json`: written atomically under ROOT/audit/, JSON round-trips, the
/// Markdown states the bar, the summary row and the per-scenario tables.
@Suite struct AuditFilesTests {
    static func report() async throws -> AuditReport {
        let s = try ScenarioLoader.parse("""
            name: tiny-outage
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
              success_rate: ">= 50%"
            guards: [no_breaker]
            """, file: "tiny.yaml")
        return try await Auditor.run(
            [s], plan: AuditPlan(seeds: 3, mutantSeeds: 2, mutants: .named([.noJitter])), runner: BatchRunner(parallelism: 2))
    }

    @Test func writesBothFilesAndTheJSONRoundTrips() async throws {
        let report = try await Self.report()
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("squall-audit-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let dir = try AuditFiles.write(report, root: root)
        #expect(dir.lastPathComponent == "audit")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        #expect(files == ["audit.json", "audit.md"])
        let data = try Data(contentsOf: dir.appendingPathComponent("audit.json"))
        let back = try ScenarioResult.makeDecoder().decode(AuditReport.self, from: data)
        #expect(back == report)
        let json = String(decoding: data, as: UTF8.self)
        #expect(json.contains("\"false_fails\""))
        #expect(json.contains("\"mutant_seeds\" : 2"))
        // Writing again gives the same bytes (no timestamps, deterministic order).
        try AuditFiles.write(report, root: root)
        #expect(try Data(contentsOf: dir.appendingPathComponent("audit.json")) == data)
    }

    @Test func markdownStatesTheBarAndEveryTable() async throws {
        let report = try await Self.report()
        let md = AuditMarkdown.render(report)
        let lines = md.components(separatedBy: "\n")
        #expect(lines[0] == "# Squall audit")
        #expect(lines[2] == "**Verdict: ✅ PASS**: 1 of 1 scenarios meet the bar")
        #expect(md.contains("| `tiny-outage` | 0/3 (0%; 0%–70.8%) | 1/1 | 1/2 | ✅ meets |"))
        #expect(md.contains("| `no_breaker` | ✓ | 2/2 (100%; 15.8%–100%) |"))
        #expect(md.contains("### Expectations over seeds 1..3 (no defect)"))
        #expect(md.contains("| `breaker.opens_within` | <= 1m after window 1 start | 0/3 (0%; 0%–70.8%) | 0 |"))
        #expect(md.contains("Guarded by no audited scenario: `no_jitter`, `half_open_flood`"))
        let console = AuditConsole.render(report, path: "R/audit/audit.md")
        #expect(console.hasPrefix("PASS audit: 1 of 1 scenarios meet the bar (seeds 1..3, mutants over 1..2) — R/audit/audit.md\n"))
        #expect(console.contains("  ok   tiny-outage"))
    }
}
