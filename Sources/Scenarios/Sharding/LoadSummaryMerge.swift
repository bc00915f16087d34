import LoadGen
import Reliability

extension LoadSummary {
    /// Adds another shard's summary of the same load: counts, token sums and duplicate figures add
    /// (an original and its duplicates are in one shard, so per-key figures add too), the HDR
    /// histograms merge exactly, the wall time is the longer one (the shards ran side by side),
    /// and the breaker state is kept only when both agree; service latency (percentiles per shard)
    /// is dropped, since it cannot be merged exactly.
    /// - Throws: `ShardPartError` when the two are of different targets, time scales or late thresholds.
    public mutating func merge(_ o: LoadSummary) throws(ShardPartError) {
        guard target == o.target, timeScale == o.timeScale, lateThreshold == o.lateThreshold else {
            throw ShardPartError(
                "a load of target \(o.target) at time scale \(o.timeScale) does not merge with one of \(target) at \(timeScale)")
        }
        realElapsed = max(realElapsed, o.realElapsed)
        offered += o.offered
        recorded += o.recorded
        byStatus.merge(o.byStatus, uniquingKeysWith: +)
        failuresByCause.merge(o.failuresByCause, uniquingKeysWith: +)
        lastOutcomes.merge(o.lastOutcomes, uniquingKeysWith: +)
        attemptsPerTask.merge(o.attemptsPerTask, uniquingKeysWith: +)
        calls += o.calls
        usage = usage + o.usage
        duplicatesSent.merge(o.duplicatesSent, uniquingKeysWith: +)
        duplicatesExecuted.merge(o.duplicatesExecuted, uniquingKeysWith: +)
        keysExecutedMoreThanOnce.merge(o.keysExecutedMoreThanOnce, uniquingKeysWith: +)
        duplicatesSkipped += o.duplicatesSkipped
        if duplicateKeysEvicted != nil || o.duplicateKeysEvicted != nil {
            duplicateKeysEvicted = (duplicateKeysEvicted ?? 0) + (o.duplicateKeysEvicted ?? 0)
        }
        late += o.late
        latencyMicros.add(o.latencyMicros)
        lagMicros.add(o.lagMicros)
        dispatchLagMicros.add(o.dispatchLagMicros)
        if breaker != o.breaker { breaker = nil }
        // Service latency is kept as percentiles, which do not merge exactly: the merge has none
        // (`squall load --shard` refuses a service-latency `--expect`; docs/scale-out.md says so).
        serviceLatency = nil
    }
}
