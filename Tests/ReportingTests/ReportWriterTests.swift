import Foundation
import Scenarios
import Testing

import Reporting

@Suite struct ReportWriterTests {
    @Test func writesEveryFileIntoTheScenarioDirectory() throws {
        let root = try Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let written = try ReportWriter.write(Fixture.result(), to: root, options: Fixture.quiet)
        #expect(written.directory.lastPathComponent == "breaker-outage")
        #expect(written.verdict == .fail)
        let names = try FileManager.default.contentsOfDirectory(atPath: written.directory.path).sorted()
        #expect(names == ReportFiles.all.sorted())
        #expect(written.files.last == "summary.json")
        #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("README.md").path))
    }

    @Test func sameResultGivesSameBytes() throws {
        let a = try Fixture.temporaryDirectory()
        let b = try Fixture.temporaryDirectory()
        defer {
            try? FileManager.default.removeItem(at: a)
            try? FileManager.default.removeItem(at: b)
        }
        let wa = try ReportWriter.write(Fixture.result(), to: a, options: Fixture.quiet)
        let wb = try ReportWriter.write(Fixture.result(), to: b, options: Fixture.quiet)
        for name in ReportFiles.all {
            let x = try Data(contentsOf: wa.directory.appendingPathComponent(name))
            let y = try Data(contentsOf: wb.directory.appendingPathComponent(name))
            #expect(x == y, "\(name) differs")
            #expect(!x.isEmpty)
        }
        #expect(try Data(contentsOf: a.appendingPathComponent("README.md")) == Data(contentsOf: b.appendingPathComponent("README.md")))
        // Rewriting in place is also stable.
        let before = try Data(contentsOf: wa.directory.appendingPathComponent("report.md"))
        try ReportWriter.write(Fixture.result(), to: a, options: Fixture.quiet)
        #expect(try Data(contentsOf: wa.directory.appendingPathComponent("report.md")) == before)
    }

    @Test func leavesNoTemporaryFiles() throws {
        let root = try Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let written = try ReportWriter.write(Fixture.result(), to: root, options: Fixture.quiet)
        try ReportWriter.write(Fixture.result(), to: root, options: Fixture.quiet)
        let all = (try FileManager.default.contentsOfDirectory(atPath: written.directory.path))
            + (try FileManager.default.contentsOfDirectory(atPath: root.path))
        #expect(all.filter { $0.hasSuffix(".tmp") || $0.hasPrefix(".") }.isEmpty)
    }

    @Test func atomicFileReplacesOnlyOnCommit() throws {
        let dir = try Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("f.txt")
        try AtomicFile.write("old\n", to: url)
        let file = try AtomicFile(destination: url)
        try file.write("new, partly written")
        #expect(try Fixture.read(url) == "old\n")
        #expect(FileManager.default.fileExists(atPath: file.temporaryPath))
        #expect(file.temporaryPath.hasSuffix(".tmp"))
        #expect(URL(fileURLWithPath: file.temporaryPath).deletingLastPathComponent().path == dir.path)
        try file.write(" and done\n")
        try file.commit()
        #expect(try Fixture.read(url) == "new, partly written and done\n")
        #expect(!FileManager.default.fileExists(atPath: file.temporaryPath))
    }

    @Test func atomicFileLeavesDestinationAndNoTempWhenBodyThrows() throws {
        let dir = try Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("f.txt")
        try AtomicFile.write("old\n", to: url)
        #expect(throws: ReportWriteError.self) {
            try AtomicFile.write(to: url) { (f) throws(ReportWriteError) in
                try f.write(String(repeating: "x", count: 200_000))
                throw ReportWriteError(path: url.path, reason: "test")
            }
        }
        #expect(try Fixture.read(url) == "old\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["f.txt"])
        do {
            let abandoned = try AtomicFile(destination: url)
            try abandoned.write("never")
            abandoned.abandon()
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["f.txt"])
    }

    @Test func atomicFileStreamsLargeContent() throws {
        let dir = try Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("big.csv")
        try AtomicFile.write(to: url) { (f) throws(ReportWriteError) in
            for i in 0..<50_000 { try f.write("\(i),row\n") }
        }
        let text = try Fixture.read(url)
        #expect(text.hasPrefix("0,row\n1,row\n"))
        #expect(text.hasSuffix("49999,row\n"))
        #expect(text.components(separatedBy: "\n").count == 50_001)
    }

    @Test func writeErrorNamesThePath() {
        let url = URL(fileURLWithPath: "/nonexistent-squall-dir/x/report.md")
        #expect {
            try AtomicFile.write("x", to: url)
        } throws: { error in
            let e = error as? ReportWriteError
            return e?.path == url.path && e?.description.hasPrefix("cannot write /nonexistent-squall-dir/x/report.md: open") == true
        }
    }

    @Test func incompleteResultIsWrittenAndMarkedEverywhere() throws {
        let root = try Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let written = try ReportWriter.write(Fixture.result(incomplete: true), to: root, options: Fixture.quiet)
        #expect(written.verdict == .incomplete)
        let report = try Fixture.read(written.directory.appendingPathComponent("report.md"))
        #expect(report.contains("**Verdict: ⚠️ INCOMPLETE**"))
        #expect(report.contains("> [!WARNING]\n> **Incomplete run.**"))
        let junit = try Fixture.read(written.directory.appendingPathComponent("junit.xml"))
        #expect(junit.contains("<error message=\"the run was interrupted; results cover only part of the scenario\" type=\"Incomplete\"/>"))
        let summary = try Fixture.read(written.directory.appendingPathComponent("summary.json"))
        #expect(summary.contains("\"incomplete\" : true"))
        #expect(summary.contains("\"incomplete_reason\" : \"interrupted by SIGINT at 23m\""))
        let index = try Fixture.read(root.appendingPathComponent("README.md"))
        #expect(index.contains("| [breaker-outage](breaker-outage/report.md) | ⚠️ INCOMPLETE | 2/3 | sim |"))
    }

    @Test func staleBreakerChartIsRemovedWhenStackHasNoBreaker() throws {
        let root = try Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let first = try ReportWriter.write(Fixture.result(), to: root, options: Fixture.quiet)
        #expect(FileManager.default.fileExists(atPath: first.directory.appendingPathComponent("breaker.svg").path))
        try ReportWriter.write(Fixture.result(breaker: false), to: root, options: Fixture.quiet)
        #expect(!FileManager.default.fileExists(atPath: first.directory.appendingPathComponent("breaker.svg").path))
        let report = try Fixture.read(first.directory.appendingPathComponent("report.md"))
        #expect(!report.contains("breaker.svg"))
    }

    @Test func catalogIndexListsEveryScenarioWithItsVerdict() throws {
        let root = try Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        var passing = Fixture.result(name: "arithmetic-1k")
        passing.expectations.removeLast()
        try ReportWriter.write(passing, to: root, options: Fixture.quiet)
        try ReportWriter.write(Fixture.result(), to: root, options: Fixture.quiet)
        let index = try Fixture.read(root.appendingPathComponent("README.md"))
        let lines = index.components(separatedBy: "\n")
        #expect(lines[0] == "# Scenario reports")
        #expect(lines.contains("**1 of 2 scenarios passed.**"))
        #expect(lines.contains("| [arithmetic-1k](arithmetic-1k/report.md) | ✅ PASS | 2/2 | sim | The provider returns 503 for five minutes; the breaker must open and close. |"))
        #expect(lines.contains("| [breaker-outage](breaker-outage/report.md) | ❌ FAIL | 2/3 | sim | The provider returns 503 for five minutes; the breaker must open and close. |"))
        let arithmeticRow = try #require(lines.firstIndex { $0.hasPrefix("| [arithmetic-1k]") })
        let outageRow = try #require(lines.firstIndex { $0.hasPrefix("| [breaker-outage]") })
        #expect(arithmeticRow < outageRow)
    }

    @Test func appendsReportWithoutChartsToGitHubStepSummary() throws {
        let root = try Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let summaryPath = root.appendingPathComponent("step-summary.md").path
        try "previous step\n".write(toFile: summaryPath, atomically: true, encoding: .utf8)
        let options = ReportWriter.Options(context: ReportContext(squallVersion: "0.1.0"), environment: ["GITHUB_STEP_SUMMARY": summaryPath])
        let written = try ReportWriter.write(Fixture.result(), to: root.appendingPathComponent("Reports"), options: options)
        #expect(written.stepSummary == summaryPath)
        try ReportWriter.write(Fixture.result(name: "second"), to: root.appendingPathComponent("Reports"), options: options)
        let text = try String(contentsOfFile: summaryPath, encoding: .utf8)
        #expect(text.hasPrefix("previous step\n# breaker-outage\n"))
        #expect(text.contains("\n# second\n"))
        #expect(!text.contains(".svg)"))
        #expect(text.contains("| `latency_p99` |"))
    }

    @Test func noStepSummaryWhenVariableUnset() throws {
        let root = try Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let written = try ReportWriter.write(Fixture.result(), to: root, options: Fixture.quiet)
        #expect(written.stepSummary == nil)
        #expect(try StepSummary.append("x", environment: ["GITHUB_STEP_SUMMARY": ""]) == nil)
    }

    @Test func directoryNameKeepsSafeCharactersOnly() {
        #expect(ReportWriter.directoryName("breaker-opens_on.outage") == "breaker-opens_on.outage")
        #expect(ReportWriter.directoryName("a b/c") == "a-b-c")
        #expect(ReportWriter.directoryName("../x") == "-x")
        #expect(!ReportWriter.directoryName("..").hasPrefix("."))
        #expect(ReportWriter.directoryName("") == "unnamed")
    }
}

@Suite struct EmptyAndOddResultTests {
    static func empty() -> ScenarioResult {
        var r = Fixture.result(breaker: false)
        r.aggregates = RunAggregates()
        r.timeSeries = TimeSeries(intervalSeconds: 0, points: [])
        r.latency = .empty
        r.successLatency = .empty
        r.faultWindows = []
        r.expectations = []
        r.arithmetic = nil
        r.failuresByCause = []
        r.attemptOutcomes = []
        r.retriesByReason = []
        r.totals = TaskTotals(submitted: 0, tasks: 0, succeeded: 0, failed: 0, unfinished: 0)
        return r
    }

    @Test func resultWithoutTasksOrIntervalsStillWritesAWellFormedReport() throws {
        let root = try Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let written = try ReportWriter.write(Self.empty(), to: root, options: Fixture.quiet)
        #expect(written.verdict == .pass)
        let report = try Fixture.read(written.directory.appendingPathComponent("report.md"))
        #expect(report.contains("The scenario states no expectations."))
        #expect(report.contains("## Failure arithmetic\n\nNot computed for this run.\n"))
        for name in written.files where name.hasSuffix(".svg") || name.hasSuffix(".xml") {
            #expect(XMLCheck.parse(try Fixture.read(written.directory.appendingPathComponent(name))) != nil, "\(name)")
        }
        #expect(try Fixture.read(written.directory.appendingPathComponent("timeseries.csv")) == CSV.row(TimeSeriesCSV.columns))
    }
}
