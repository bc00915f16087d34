import Foundation
import Reliability
import Scenarios
import Testing

import Reporting

/// Opt-in measurement (not a timed assertion): the time to stream one million task rows to
/// `tasks.csv` (`TaskCSVWriter`) and write a full report around them. Run with
/// `SQUALL_BENCH=1 swift test -c release --filter reportWriterThroughput`.
@Test(.enabled(if: ProcessInfo.processInfo.environment["SQUALL_BENCH"] != nil))
func reportWriterThroughput() throws {
    let root = try Fixture.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: root) }
    let streamed = root.appendingPathComponent("tasks.csv.partial")
    let clock = ContinuousClock()
    let started = clock.now
    let file = try TaskCSVWriter(path: streamed.path)
    let route = Array("default".utf8), model = Array("llama-3.1-8b-instant".utf8)
    for i in 0..<1_000_000 {
        let at = Duration.milliseconds(i * 86)
        file.append(
            TaskRecord(
                id: i, keyID: i, duplicate: false, intendedStart: at, started: at, finished: at + .milliseconds(812),
                result: .succeeded, cause: nil, attempts: 1, calls: 1, lastOutcome: .ok, route: 0, model: 0,
                promptTokens: 57, completionTokens: 160),
            route: route, model: model, cost: 0.0000585)
    }
    #expect(file.close() == nil)
    let streamedIn = clock.now - started
    var options = Fixture.quiet
    options.tasksCSV = streamed
    let written = try ReportWriter.write(Fixture.result(), to: root, options: options)
    let elapsed = clock.now - started
    print("1,000,000 task rows streamed in \(streamedIn); the whole report in \(elapsed)")
    let csv = try Data(contentsOf: written.directory.appendingPathComponent("tasks.csv"))
    #expect(csv.filter { $0 == 10 }.count == 1_000_001)
}
