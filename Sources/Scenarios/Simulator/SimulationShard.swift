import Traffic

/// What one shard of a sharded simulation recorded (`squall run --shard I/N` in sim mode): the
/// recorder's whole state over the shard's slice, where the simulation ended, and why it stopped
/// early if it did. Every shard simulates the same whole schedule (breaker, rate limits and token
/// budgets couple every task), so `end` and the schedule's key count agree across shards.
public struct SimulationShard: Sendable, Codable, Equatable {
    /// Which slice this is.
    public var shard: Shard
    /// The recorder's state over the slice.
    public var state: RecorderState
    /// Scenario time the simulation ended.
    public var end: Duration
    /// Why it stopped early; nil when it ran to the end.
    public var incompleteReason: String?
    /// Originals (keys) the schedule submitted: the work list the slice is taken from.
    public var keys: Int
}

extension Simulator {
    /// Simulates the whole schedule, recording only `options.shard`'s slice (every submission of
    /// the keys `k` with `k % N == I`; shard 0 also keeps the stack's events), and returns that
    /// slice's recorder state. With `tasksCSV`, the slice's rows stream to that file. Unsharded
    /// options record everything (one shard of one).
    /// - Throws: `ScenarioRunError` when `tasksCSV` cannot be created or written.
    public func recordShard(tasksCSV: String? = nil) throws(ScenarioRunError) -> SimulationShard {
        let shard = options.shard ?? (try! Shard(index: 0, count: 1))
        let file = try tasksCSV.map { path throws(ScenarioRunError) in try TaskCSVWriter(path: path) }
        if shard.count == 1 {
            return try Self.record(SimulationEngine(scenario: scenario, options: options, tasksFile: file), shard: shard)
        }
        return try Self.record(
            SimulationEngine(
                scenario: scenario, options: options, tasksFile: file, slice: ShardKeys(count: shard.count, index: shard.index)),
            shard: shard)
    }

    private static func record<S>(_ engine: SimulationEngine<S>, shard: Shard) throws(ScenarioRunError) -> SimulationShard {
        var engine = engine
        let (end, incomplete) = engine.simulate()
        let state = engine.recorder.state
        _ = engine.recorder.finish(end: end)  // closes tasks.csv
        if let error = engine.recorder.tasksFileError { throw ScenarioRunError(error) }
        return SimulationShard(shard: shard, state: state, end: end, incompleteReason: incomplete, keys: engine.keysSubmitted)
    }

    /// Puts the shards of one sharded simulation of this scenario and seed back together: the
    /// result the unsharded `run()` returns, byte for byte in `summary.json` (expectations not yet
    /// evaluated). `shards` must be every shard 0 ..< N of one count, once each, in any order.
    /// - Throws: `RecorderStateError` naming the shard that does not fit.
    public func merge(_ shards: [SimulationShard]) throws(RecorderStateError) -> ScenarioResult {
        guard let first = shards.first else { throw RecorderStateError("no shards to merge") }
        let n = first.shard.count
        let sorted = shards.sorted { $0.shard.index < $1.shard.index }
        guard sorted.count == n, sorted.enumerated().allSatisfy({ $0.offset == $0.element.shard.index && $0.element.shard.count == n })
        else {
            throw RecorderStateError(
                "shards \(sorted.map(\.shard.description).joined(separator: ", ")) are not each of 0…\(n - 1) of \(n) once")
        }
        let base = SimulationEngine(scenario: scenario, options: options, tasksFile: nil).recorder
        var merged: ResultRecorder?
        for s in sorted {
            guard s.end == first.end || s.incompleteReason != nil || first.incompleteReason != nil else {
                throw RecorderStateError(
                    "shard \(s.shard) ended at \(s.end) of scenario time, shard \(first.shard) at \(first.end): not one simulation")
            }
            let r: ResultRecorder
            do { r = try base.restoring(s.state) } catch { throw RecorderStateError("shard \(s.shard): \(error.message)") }
            if merged == nil { merged = r } else { merged!.merge(r) }
        }
        let reasons = sorted.compactMap(\.incompleteReason)
        let end = sorted.map(\.end).max()!
        return merged!.finish(end: end, incompleteReason: reasons.first)
    }
}
