import Foundation
import Scenarios
import Testing

import Reporting

/// The same scenario and seed give the same report, byte for byte: every file, `tasks.csv`
/// included, streamed during two separate runs.
@Suite struct RerunIdentityTests {
    static let yaml = """
        name: rerun
        seed: 21
        duration: 1h
        load:
          tasks_per_day: 20000
          duplicates: { rate: 5%, delay: 0s..1m }
        llm:
          latency: { lognormal: { median: 800ms, p99: 6s } }
          faults: [ { rate: 2%, status: 500 }, { during: 20m..25m, status: 503 } ]
        expect:
          success_rate: ">= 95%"
          during: { latency_p99: "< 3m" }
          after: { recovers_within: 1m }
        """

    func report(into root: URL, seed: UInt64? = nil) async throws -> ReportWriter.Written {
        let s = try ScenarioLoader.parse(Self.yaml, file: "rerun.yaml")
        let streamed = root.appendingPathComponent("rerun.tasks.csv.partial")
        let r = try await ScenarioRunner().run(s, seed: seed, tasksCSV: streamed.path)
        var options = Fixture.quiet
        options.tasksCSV = streamed
        options.updateIndex = false
        return try ReportWriter.write(r, to: root, options: options)
    }

    @Test func sameSeedSameReportFilesByteForByte() async throws {
        let a = try Fixture.temporaryDirectory(), b = try Fixture.temporaryDirectory(), c = try Fixture.temporaryDirectory()
        defer { for d in [a, b, c] { try? FileManager.default.removeItem(at: d) } }
        let x = try await report(into: a)
        let y = try await report(into: b)
        #expect(x.files == y.files && x.files.contains(ReportFiles.tasks))
        for name in x.files {
            let one = try Data(contentsOf: x.directory.appendingPathComponent(name))
            let two = try Data(contentsOf: y.directory.appendingPathComponent(name))
            #expect(one == two, "\(name) differs between two runs of the same seed")
        }
        // Another seed gives another run.
        let z = try await report(into: c, seed: 22)
        let summary = { (w: ReportWriter.Written) in try Data(contentsOf: w.directory.appendingPathComponent(ReportFiles.summary)) }
        #expect(try summary(x) != summary(z))
    }
}
