import Foundation
import Testing

@testable import Scenarios

/// The parallel batch runner: summaries in job order for any parallelism, equal to single runs,
/// cancellable, errors of the consumer propagate.
@Suite(.serialized) struct BatchRunnerTests {
    static let yaml = """
        name: batch
        duration: 2h
        load: { tasks_per_day: 5000 }
        stack: { retry: { attempts: 2, min: 1s, max: 1s }, breaker: { failure_threshold: 5, recovery_timeout: 30s } }
        llm:
          latency: { lognormal: { median: 500ms, p99: 3s } }
          faults: [ { during: 30m..40m, status: 503 }, { rate: 5%, status: 500 } ]
        expect:
          success_rate: ">= 97%"
          latency_p99: "< 5s"
          breaker: { opens_within: 20s }
          during: { success_rate: ">= 0%" }
        """

    func jobs(_ n: Int) throws -> [BatchJob] {
        let s = try scenario(Self.yaml)
        var out: [BatchJob] = []
        for i in 0..<n {
            let configuration = i % 2 == 0 ? "even" : "odd"
            out.append(BatchJob(configuration: configuration, scenario: s, seed: UInt64(i / 2 + 1)))
        }
        return out
    }

    @Test func deliversInJobOrderWhateverTheParallelism() async throws {
        let jobs = try jobs(12)
        let one = try await BatchRunner(parallelism: 1).summaries(jobs)
        let four = try await BatchRunner(parallelism: 4).summaries(jobs)
        #expect(one.map(\.index) == Array(0..<12))
        #expect(four == one)
        #expect(one.map(\.configuration) == jobs.map(\.configuration))
        #expect(one.map(\.seed) == jobs.map(\.seed))
        #expect(Set(one.map(\.figures.tasks)).count > 1)  // different seeds, different runs
    }

    @Test func aSummaryHoldsTheVerdictsAndFiguresOfTheRun() async throws {
        let s = try scenario(Self.yaml)
        let summary = try #require(try await BatchRunner(parallelism: 2).summaries([BatchJob(configuration: "c", scenario: s, seed: 9)]).first)
        var options = SimulationOptions()
        options.seed = 9
        let full = ScenarioRunner.simulate(s, options: options)
        #expect(summary.verdicts == full.expectations.map(VerdictSummary.init))
        #expect(summary.verdicts.map(\.name) == ["success_rate", "latency_p99", "breaker.opens_within", "during[1].success_rate"])
        #expect(summary.figures == RunFigures(full))
        #expect(summary.figures.latencyP99 == full.latency.p99)
        #expect(summary.passed == full.passed)
        #expect(summary.scenario == "batch")
    }

    @Test func stopsWhenItsTaskIsCancelled() async throws {
        let jobs = try jobs(40)
        let runner = BatchRunner(parallelism: 2)
        let task = Task { () -> (BatchOutcome, Int) in
            var seen = 0
            let outcome = try await runner.run(jobs) { _ in
                seen += 1
                if seen == 3 { withUnsafeCurrentTask { $0?.cancel() } }
            }
            return (outcome, seen)
        }
        let (outcome, seen) = try await task.value
        #expect(outcome.cancelled)
        #expect(outcome.delivered == 3)
        #expect(seen == 3)
    }

    struct Stop: Error {}

    @Test func anErrorOfTheConsumerEndsTheBatch() async throws {
        let jobs = try jobs(10)
        var seen = 0
        await #expect(throws: Stop.self) {
            _ = try await BatchRunner(parallelism: 2).run(jobs) { _ in
                seen += 1
                if seen == 2 { throw Stop() }
            }
        }
        #expect(seen == 2)
    }

    @Test func pullsJobsLazily() async throws {
        // An endless sequence is fine as long as the consumer stops the batch.
        let s = try scenario(Self.yaml)
        let endless = (1...).lazy.map { BatchJob(configuration: "c", scenario: s, seed: UInt64($0)) }
        var seen = 0
        await #expect(throws: Stop.self) {
            _ = try await BatchRunner(parallelism: 2).run(endless) { _ in
                seen += 1
                if seen == 5 { throw Stop() }
            }
        }
        #expect(seen == 5)
    }
}
