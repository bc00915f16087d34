import Foundation
import Scenarios
import Testing

import Reporting

/// A report is one consistent set: written into a staging directory and swapped in whole.
@Suite(.serialized) struct ReportSetTests {
    func names(_ url: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: url.path).sorted()
    }

    @Test func aRerunReplacesTheWholeSetAndLeavesNoStagingDirectory() throws {
        let root = try Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let first = try ReportWriter.write(Fixture.result(), to: root, options: Fixture.quiet)
        let second = try ReportWriter.write(Fixture.result(incomplete: true, breaker: false), to: root, options: Fixture.quiet)
        #expect(second.directory == first.directory)
        // Only the second run's files: its summary, and no breaker chart from the first.
        #expect(try names(second.directory) == second.files.sorted())
        #expect(try Fixture.read(second.directory.appendingPathComponent("summary.json")).contains("\"incomplete\" : true"))
        #expect(try names(root) == ["README.md", "breaker-outage"])
        #expect(TemporaryFiles.registered.filter { $0.hasPrefix(root.path) }.isEmpty)
    }

    @Test func anAbandonedStagingKeepsThePreviousSetWholeAndRemovesItself() throws {
        let root = try Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let first = try ReportWriter.write(Fixture.result(), to: root, options: Fixture.quiet)
        let before = try Fixture.read(first.directory.appendingPathComponent("summary.json"))
        // A second run writes part of its set, then is interrupted before the swap.
        let staging = try ReportStaging(root: root, scenario: "breaker-outage")
        try AtomicFile.write("half of another run\n", to: staging.url(for: ReportFiles.report))
        #expect(TemporaryFiles.registered.contains(staging.directory.path))
        #expect(try Fixture.read(first.directory.appendingPathComponent("summary.json")) == before)
        staging.abandon()
        #expect(!FileManager.default.fileExists(atPath: staging.directory.path))
        #expect(try names(root) == ["README.md", "breaker-outage"])
        #expect(!(try Fixture.read(first.directory.appendingPathComponent("report.md"))).contains("half of another run"))
    }

    @Test func removeAllDeletesStagingDirectoriesAndTemporaryFiles() throws {
        let root = try Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let staging = try ReportStaging(root: root, scenario: "big")
        let file = try AtomicFile(destination: staging.url(for: ReportFiles.tasks))
        try file.write(String(repeating: "1,2,3\n", count: 100_000))
        let loose = try AtomicFile(destination: root.appendingPathComponent("README.md"))
        try loose.write("partial")
        #expect(TemporaryFiles.registered.contains(loose.temporaryPath))
        #expect(TemporaryFiles.removeAll(under: root.path) >= 2)
        // What a second signal leaves: nothing temporary.
        #expect(try names(root).isEmpty)
        file.abandon()
        loose.abandon()
        staging.abandon()
    }

    @Test func aStreamedTasksFileIsAdoptedIntoTheSet() throws {
        let root = try Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let streamed = root.appendingPathComponent("streamed-tasks.csv")
        try "id,key\n1,k1\n".write(to: streamed, atomically: false, encoding: .utf8)
        var options = Fixture.quiet
        options.tasksCSV = streamed
        let written = try ReportWriter.write(Fixture.result(), to: root, options: options)
        #expect(try Fixture.read(written.directory.appendingPathComponent(ReportFiles.tasks)) == "id,key\n1,k1\n")
        #expect(!FileManager.default.fileExists(atPath: streamed.path))

        // Or the run streams straight into the staging directory the caller opened.
        let staging = try ReportStaging(root: root, scenario: "breaker-outage")
        try "id,key\n2,k2\n".write(to: staging.url(for: ReportFiles.tasks), atomically: false, encoding: .utf8)
        options.tasksCSV = staging.url(for: ReportFiles.tasks)
        try ReportWriter.write(Fixture.result(), into: staging, options: options)
        #expect(try Fixture.read(written.directory.appendingPathComponent(ReportFiles.tasks)) == "id,key\n2,k2\n")
    }

    @Test func aDirectoryHoldingOtherFilesIsNeverReplaced() throws {
        let root = try Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let dir = root.appendingPathComponent("breaker-outage")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try "mine\n".write(to: dir.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        #expect {
            try ReportWriter.write(Fixture.result(), to: root, options: Fixture.quiet)
        } throws: { error in
            (error as? ReportWriteError)?.description.contains("holds 'notes.txt', which is not part of a Squall report") == true
        }
        #expect(try names(dir) == ["notes.txt"])
        #expect(try names(root) == ["breaker-outage"])
    }

    @Test func stagingLeftByADeadProcessIsRemovedByTheNextWriter() throws {
        let root = try Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        // PID 2^22+1 is above Linux's pid_max default, so no process has it.
        let stale = root.appendingPathComponent(".breaker-outage.staging.4194305.1")
        try FileManager.default.createDirectory(at: stale, withIntermediateDirectories: true)
        try ReportWriter.write(Fixture.result(), to: root, options: Fixture.quiet)
        #expect(try names(root) == ["README.md", "breaker-outage"])
    }
}
