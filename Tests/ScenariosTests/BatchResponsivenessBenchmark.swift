import Foundation
import Synchronization
import Testing

@testable import Scenarios

/// Opt-in measurement (not a timed assertion): how late a task sleeping 10 ms wakes up while a
/// batch simulates, with the jobs on `BatchRunner`'s own threads and, for comparison, on Swift's
/// cooperative pool. Run with `SQUALL_BENCH=1 swift test --filter batchKeepsTheCooperativePoolFree`.
@Test(.enabled(if: ProcessInfo.processInfo.environment["SQUALL_BENCH"] != nil))
func batchKeepsTheCooperativePoolFree() async throws {
    let s = try scenario("""
        name: bench
        duration: 1d
        load: { tasks_per_day: 20000 }
        llm: { latency: { lognormal: { median: 800ms, p99: 6s } }, faults: [ { rate: 1%, status: 500 } ] }
        expect: { failures: 0 }
        """)
    let width = ProcessInfo.processInfo.activeProcessorCount
    let jobs = (1...(2 * width)).map { BatchJob(configuration: "c", scenario: s, seed: UInt64($0)) }

    /// The largest lateness of a 10 ms sleep while `work` runs.
    func lateness(_ work: @escaping @Sendable () async throws -> Void) async throws -> Duration {
        let clock = ContinuousClock()
        let done = Done()
        let worker = Task {
            try await work()
            done.flag.withLock { $0 = true }
        }
        var worst = Duration.zero
        while !done.flag.withLock({ $0 }) {
            let before = clock.now
            try await Task.sleep(for: .milliseconds(10))
            worst = max(worst, clock.now - before - .milliseconds(10))
        }
        try await worker.value
        return worst
    }

    let clock = ContinuousClock()
    var started = clock.now
    let own = try await lateness { _ = try await BatchRunner(parallelism: width).summaries(jobs) }
    let ownTime = clock.now - started
    started = clock.now
    let pool = try await lateness {
        await withTaskGroup(of: Void.self) { group in
            for (i, job) in jobs.enumerated() { group.addTask { _ = BatchRunner.summary(of: job, index: i) } }
        }
    }
    let poolTime = clock.now - started
    print("""
        \(jobs.count) jobs, \(width) at a time: a 10 ms sleeper woke at most \(own) late with the batch's threads \
        (\(ownTime) in all), \(pool) late with the jobs on the cooperative pool (\(poolTime))
        """)
}

/// Set when the measured work has finished.
final class Done: Sendable {
    let flag = Mutex(false)
}
