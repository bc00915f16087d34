import Foundation
import Reliability
import Testing

@testable import Scenarios

/// The simulator streams what it measures: one `tasks.csv` row per submission as it ends, no
/// per-task state after that, and it stops early (marked interrupted) when its task is cancelled.
@Suite struct SimulatorStreamingTests {
    static let yaml = """
        name: stream
        seed: 9
        duration: 2h
        load:
          tasks_per_day: 50000
          duplicates: { rate: 10%, delay: 0s..5m, concurrent: 20% }
        stack: { idempotency: { ttl: 1m } }
        llm:
          latency: { lognormal: { median: 800ms, p99: 6s } }
          faults: [ { rate: 5%, status: 500 }, { during: 30m..40m, status: 503 } ]
        expect:
          success_rate: ">= 99%"
          during: { latency_p99: "< 2m", success_rate: ">= 50%" }
          after: { recovers_within: 2m }
        """

    @Test func tasksCSVGetsOneRowPerSubmissionAsTheyEnd() async throws {
        let s = try scenario(Self.yaml)
        let path = temporaryTasksPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = try await ScenarioRunner().run(s, tasksCSV: path)
        let rows = try TaskRow.read(path)
        #expect(rows.count == r.totals.submitted && rows.count > 4000)
        #expect(Set(rows.map(\.id)).count == rows.count)
        #expect(rows.filter(\.duplicate).count == r.duplicates.submitted)
        #expect(rows.filter { $0.result == "replayed" }.count == r.duplicates.replayed)
        #expect(rows.filter { $0.result == "failed" }.count == r.totals.failed)
        // Rows are in the order tasks ended.
        #expect(zip(rows, rows.dropFirst()).allSatisfy { $0.0.finished <= $0.1.finished + 1e-9 })
        // The windowed expectations read the bounded aggregates the recorder kept for them.
        let during = try #require(r.aggregates.scope(.during, window: 1))
        let inWindow = rows.filter {
            ($0.result == "succeeded" || $0.result == "failed") && $0.intendedStart >= 1800 && $0.intendedStart < 2400
        }
        #expect(during.tasks == inWindow.count && during.succeeded == inWindow.filter { $0.result == "succeeded" }.count)
        #expect(r.aggregates.recovery.first?.window == 1)
        #expect(r.expectations.count == 4 && r.expectations.allSatisfy { $0.observed != "not recorded" })
    }

    @Test func anUnwritableTasksFileIsARunError() async throws {
        let s = try scenario(Self.yaml)
        await #expect(throws: ScenarioRunError.self) {
            _ = try await ScenarioRunner().run(s, tasksCSV: "/nonexistent-dir/tasks.csv")
        }
    }

    @Test func aCancelledSimulationStopsAndReturnsWhatItMeasuredAsInterrupted() async throws {
        // Ten million tasks a day for a day: far more than can run before the first check.
        let s = try scenario("name: big\nduration: 1d\nload: { tasks_per_day: 10000000 }\n")
        let r = await Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return Simulator(scenario: s).run()
        }.value
        #expect(r.incomplete)
        #expect(r.incompleteReason == "interrupted")
        #expect(r.totals.submitted > 0 && r.totals.submitted < 100_000)
        #expect(r.totals.unfinished > 0)
    }

    @Test func anInterruptedSimulationReturnsAConsistentPartialResultBoundedByItsEvents() throws {
        // Ten million tasks a day, 5% 500s and three attempts: about a hundred tasks in flight at any instant.
        let s = try scenario(
            """
            name: big
            seed: 3
            duration: 1d
            load: { tasks_per_day: 10000000 }
            stack: { retry: { attempts: 3 } }
            llm: { faults: [ { rate: 5%, status: 500 } ] }
            """)
        func interrupted(atCheck stop: Int) throws -> (ScenarioResult, [TaskRow], checks: Int) {
            let path = temporaryTasksPath()
            defer { try? FileManager.default.removeItem(atPath: path) }
            var engine = SimulationEngine(scenario: s, options: SimulationOptions(), tasksFile: try TaskCSVWriter(path: path))
            var checks = 0
            engine.shouldStop = {
                checks += 1
                return checks == stop
            }
            let r = engine.run()
            #expect(engine.recorder.tasksFileError == nil)
            return (r, try TaskRow.read(path), checks)
        }
        let (r, rows, checks) = try interrupted(atCheck: 3)
        #expect(checks == 3)
        #expect(r.incomplete && r.incompleteReason == "interrupted")
        // At most one submission per event: 3 × 4096 events bound what was submitted.
        let events = 3 * SimulationEngine<EveryKey>.cancellationCheckInterval
        #expect(r.totals.submitted > events / 4 && r.totals.submitted <= events)
        // Everything submitted is accounted for: finished, or unfinished when the run stopped.
        #expect(r.totals.submitted == r.totals.succeeded + r.totals.failed + r.totals.unfinished)
        #expect(r.totals.unfinished > 0)
        #expect(r.usage.llmCalls >= r.totals.succeeded && r.attempts.histogram.contains { $0.attempts == 2 })
        #expect(rows.count == r.totals.submitted)
        #expect(rows.filter { $0.result == "unfinished" }.count == r.totals.unfinished)
        #expect(rows.filter { $0.result == "succeeded" }.count == r.totals.succeeded)
        // One more check, more events: the stop is the check's answer, not the end of the traffic.
        let (later, _, _) = try interrupted(atCheck: 4)
        #expect(later.incompleteReason == "interrupted" && later.totals.submitted > r.totals.submitted)
    }

    @Test func perKeyStateEndsWithTheKey() throws {
        let s = try scenario(Self.yaml)
        var engine = SimulationEngine(scenario: s, options: SimulationOptions(), tasksFile: nil)
        let r = engine.run()
        #expect(r.totals.submitted > 4000)
        #expect(engine.recorder.usage.keys.liveKeys == 0)
        #expect(engine.openKeys.isEmpty && engine.originalBodies.isEmpty && engine.idempotency.count == 0)
    }
}
