import Foundation
import Scenarios
import Testing

import Reporting

/// Opt-in measurement (not a timed assertion): the time to write a full report whose result holds
/// one million task records. Run with
/// `SQUALL_BENCH=1 swift test -c release --filter reportWriterThroughput`.
@Test(.enabled(if: ProcessInfo.processInfo.environment["SQUALL_BENCH"] != nil))
func reportWriterThroughput() throws {
    var r = Fixture.result()
    let base = r.tasks
    r.tasks = (0..<1_000_000).map { i in
        var t = base[i % base.count]
        t.id = i
        t.key = "key-\(i)"
        return t
    }
    let root = try Fixture.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: root) }
    let clock = ContinuousClock()
    let started = clock.now
    let written = try ReportWriter.write(r, to: root, options: Fixture.quiet)
    let elapsed = clock.now - started
    print("report with 1,000,000 task records written in \(elapsed)")
    let csv = try Data(contentsOf: written.directory.appendingPathComponent("tasks.csv"))
    #expect(csv.filter { $0 == 10 }.count == 1_000_001)
}
