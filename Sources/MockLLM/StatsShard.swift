import struct NIOConcurrencyHelpers.NIOLockedValueBox

/// The request series one event loop counted (series, total, completions): kept per loop so that the
/// per-request counting (four label strings compared, a counter or a dictionary update) happens
/// outside the lock both event loops share. Its own lock is taken by its loop once per request and by
/// a reader (`/_squall/stats`, `/metrics`) now and then, so it is practically never contended.
///
/// A shard's counts belong to one epoch of the shared state (an epoch ends with every reset and run
/// start): a count of a later epoch first clears the shard, a count of an earlier one (a request
/// decided before a reset and counted after it) is dropped, and readers merge only the shards of the
/// epoch in force, so a reset clears the shards without taking their locks.
final class StatsShard: Sendable {
    struct Counts: Sendable {
        var epoch: UInt64 = 0
        var stats = MockStats(maxKeys: 1)
    }

    private let box = NIOLockedValueBox(Counts())

    /// Counts one request decided in `epoch`.
    func record(epoch: UInt64, path: String, model: String, status: Int?, action: String, executed: Bool) {
        box.withLockedValue { c in
            if c.epoch != epoch {
                guard c.epoch < epoch else { return }
                c = Counts(epoch: epoch)
            }
            c.stats.recordSeries(path: path, model: model, status: status, action: action, executed: executed)
        }
    }

    /// Adds this shard's counts to `stats` when they belong to `epoch`.
    func add(to stats: inout MockStats, epoch: UInt64) {
        box.withLockedValue { c in
            if c.epoch == epoch { stats.addSeries(of: c.stats) }
        }
    }
}
