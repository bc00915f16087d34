import Foundation
import Traffic

/// Runs the simulator over many (configuration × seed) jobs on every core and delivers a compact
/// `RunSummary` per job, in job order, as jobs finish. `squall audit` uses it, and so will
/// `squall sweep`, `squall plan` and sharded runs.
///
/// - Parallel: at most `parallelism` simulations run at once, as child tasks of one task group
///   that prefer the batch's own threads (`SimulationThreads`), so they never occupy Swift's
///   cooperative pool.
/// - Deterministic: each job's summary depends only on its scenario and seed, and summaries are
///   delivered in job order whatever order jobs finish in, so the output is the same for any
///   `parallelism`.
/// - Bounded: jobs are pulled lazily from the sequence; no job starts more than `lookahead` jobs
///   ahead of the next one to deliver, so at most `lookahead` summaries wait to be delivered, and a
///   run's full result is dropped as soon as its summary is taken.
/// - Cancellable: when the calling task is cancelled, no further job starts, running simulations
///   are cancelled (the simulator checks for cancellation), nothing more is delivered, and `run`
///   returns with `cancelled = true`.
public struct BatchRunner: Sendable {
    /// Simulations run at once. Default: the number of active processor cores.
    public var parallelism: Int
    /// Options of every simulation (the seed is each job's). Default: `SimulationOptions()`, with
    /// per-task records kept only for scenarios whose expectations read them.
    public var options: SimulationOptions

    /// Creates a runner; `parallelism` nil (or below 1) uses every core.
    public init(parallelism: Int? = nil, options: SimulationOptions = SimulationOptions()) {
        self.parallelism = max(1, parallelism ?? ProcessInfo.processInfo.activeProcessorCount)
        self.options = options
    }

    /// How far (in jobs) starting may run ahead of delivery.
    public var lookahead: Int { parallelism * 4 }

    /// Runs every job of `jobs` and calls `deliver` with each summary in job order, on the calling
    /// task. Throws what `deliver` throws (the remaining jobs are cancelled).
    ///
    /// With a `shard`, only the jobs at the positions that shard keeps run (`Shard.contains`);
    /// each summary's `index` stays the job's position in the whole sequence, so the shards'
    /// summaries put together are exactly the unsharded batch's.
    public func run<Jobs: Sequence>(
        _ jobs: Jobs, shard: Shard? = nil, deliver: (RunSummary) async throws -> Void
    ) async throws -> BatchOutcome where Jobs.Element == BatchJob {
        let width = parallelism
        let ahead = lookahead
        let options = self.options
        let threads = SimulationThreads(count: width)
        defer { threads.shutdown() }
        return try await withThrowingTaskGroup(of: (Int, RunSummary).self) { group in
            var iterator = jobs.makeIterator()
            var exhausted = false
            var position = 0  // in the whole sequence (the summary's index)
            var started = 0  // jobs of this shard started, in order
            var running = 0
            var delivered = 0
            var waiting: [Int: RunSummary] = [:]  // by the order of start
            while true {
                if Task.isCancelled {
                    group.cancelAll()
                    return BatchOutcome(delivered: delivered, cancelled: true)
                }
                while !exhausted, running < width, started < delivered + ahead {
                    guard let job = iterator.next() else {
                        exhausted = true
                        break
                    }
                    let index = position
                    position += 1
                    if let shard, !shard.contains(index) { continue }
                    let order = started
                    group.addTask(executorPreference: threads) { (order, Self.summary(of: job, index: index, options: options)) }
                    started += 1
                    running += 1
                }
                guard running > 0, let (order, summary) = try await group.next() else { break }
                running -= 1
                waiting[order] = summary
                while let next = waiting.removeValue(forKey: delivered) {
                    if Task.isCancelled { break }
                    try await deliver(next)
                    delivered += 1
                }
            }
            return BatchOutcome(delivered: delivered, cancelled: Task.isCancelled)
        }
    }

    /// Runs every job and returns the summaries in job order (for small batches and tests).
    public func summaries<Jobs: Sequence>(_ jobs: Jobs) async throws -> [RunSummary] where Jobs.Element == BatchJob {
        var out: [RunSummary] = []
        _ = try await run(jobs) { out.append($0) }
        return out
    }

    /// Simulates one job, evaluates its expectations and keeps only the summary.
    public static func summary(of job: BatchJob, index: Int, options: SimulationOptions = SimulationOptions()) -> RunSummary {
        var o = options
        o.seed = job.seed
        let result = ScenarioRunner.simulate(job.scenario, options: o)
        return RunSummary(result, index: index, configuration: job.configuration)
    }
}
