import Foundation
import Reliability
import Scenarios
import Testing

import Reporting

/// Reports of a result built by the drivers' own `ResultRecorder` (not a hand-made fixture), with
/// breaker transitions from a real `CircuitBreaker`.
@Suite struct RecorderIntegrationTests {
    static func recordedResult(tasksFile: TaskCSVWriter? = nil) -> ScenarioResult {
        let window = FaultWindowInfo(index: 1, start: 60, end: 120, label: "status 503")
        var recorder = ResultRecorder(
            ResultRecorder.Setup(
                info: ScenarioInfo(
                    name: "recorded", description: "Recorder-built result.", file: "recorded.yaml", tasksPerDay: 8640,
                    arrival: "constant", concurrency: nil, stackSummary: "3 attempts"),
                mode: .sim, seed: 7, duration: .seconds(180), interval: .seconds(10), breakerConfigured: true,
                idempotencyTTL: .seconds(3600), prices: PriceTable(prices: [:]), faultWindows: [window],
                routes: [ResultRecorder.RouteName(name: "default", model: "m")], tasksFile: tasksFile))
        var breaker = CircuitBreaker(BreakerConfig(trip: .failureCount(threshold: 2, window: .seconds(30)), recoveryTimeout: .seconds(20)))
        for i in 0..<18 {
            let start = Duration.seconds(i * 10)
            let failing = window.contains(start.seconds)
            recorder.recordArrival(at: start)
            guard case .admitted(let ticket) = breaker.admit(now: start) else {
                recorder.record(.breakerRejected(at: start, retryAt: breaker.openUntil))
                for t in breaker.takeTransitions() { recorder.record(.breaker(t)) }
                recorder.recordTask(
                    TaskRecord(
                        id: i, keyID: i, duplicate: false, intendedStart: start, started: start, finished: start,
                        result: .failed, cause: .breakerOpen, attempts: 1, calls: 0, lastOutcome: nil, route: 0, model: 0,
                        promptTokens: 0, completionTokens: 0))
                continue
            }
            for t in breaker.takeTransitions() { recorder.record(.breaker(t)) }
            recorder.record(.attemptStarted(attempt: 1, at: start))
            let end = start + .milliseconds(800)
            let outcome: AttemptOutcome = failing ? .status(503) : .ok
            recorder.record(.attemptEnded(attempt: 1, outcome: outcome, failureClass: failing ? .transient : .success, at: end, latency: .milliseconds(800)))
            breaker.record(failing ? .transient : .success, ticket: ticket, now: end)
            for t in breaker.takeTransitions() { recorder.record(.breaker(t)) }
            recorder.recordCall(
                LLMCallRecord(
                    at: start, taskID: i, keyID: i, attempt: 1, outcome: .status(failing ? 503 : 200), generated: !failing,
                    promptTokens: 10, completionTokens: failing ? 0 : 20, model: 0, route: 0))
            recorder.recordTask(
                TaskRecord(
                    id: i, keyID: i, duplicate: false, intendedStart: start, started: start, finished: end,
                    result: failing ? .failed : .succeeded, cause: failing ? .attemptsExhausted : nil, attempts: 1, calls: 1,
                    lastOutcome: outcome, route: 0, model: 0, promptTokens: 10, completionTokens: failing ? 0 : 20))
        }
        var result = recorder.finish(end: .seconds(180))
        result.expectations = [ExpectationVerdict(name: "breaker.calls_while_open", expected: "0", observed: "0", passed: true, observations: 1)]
        return result
    }

    @Test func recorderResultProducesConsistentReport() throws {
        let root = try Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let streamed = root.appendingPathComponent("recorded.tasks.csv.partial")
        let r = Self.recordedResult(tasksFile: try TaskCSVWriter(path: streamed.path))
        #expect(r.breaker.transitions.first?.to == "open")
        var options = Fixture.quiet
        options.tasksCSV = streamed
        let written = try ReportWriter.write(r, to: root, options: options)
        #expect(written.verdict == .pass)
        let report = try Fixture.read(written.directory.appendingPathComponent("report.md"))
        #expect(report.contains("**Verdict: ✅ PASS**: 1 of 1 expectations held · sim, seed 7, 3m of scenario time, 18 tasks"))
        #expect(report.contains("| 1 | 1m10.8s | closed → open | 2 failures in window | window 1 start +10.8s |"))
        let timeseries = CSV.parse(try Fixture.read(written.directory.appendingPathComponent("timeseries.csv")))
        #expect(timeseries.count == r.timeSeries.points.count + 1)
        let tasks = CSV.parse(try Fixture.read(written.directory.appendingPathComponent("tasks.csv")))
        #expect(tasks.count == 19)
        for name in ReportFiles.all where name.hasSuffix(".svg") {
            let svg = try Fixture.read(written.directory.appendingPathComponent(name))
            #expect(XMLCheck.parse(svg) != nil, "\(name) is not well-formed")
        }
        let band = try #require(ReportCharts.breaker(r))
        #expect(band.segments.first?.state == .closed)
        #expect(band.segments.contains { $0.state == .open })
    }
}
