import Reliability
import Synchronization

/// The stack target's idempotency store in a load run: an in-memory `IdempotencyTable` that forgets
/// a key as soon as no later submission of the run can find it, instead of keeping every key for
/// its TTL (24 h by default: 5,000 tasks/s would hold 432 million keys). Keys are unique per run and
/// each original has at most one duplicate, so the run knows when a key is done with:
///
/// - an original without a duplicate, or whose duplicate comes after the TTL (`after_ttl`: it is
///   meant to find the key expired), and an `after_ttl` duplicate: when it ends;
/// - an original with a `concurrent` or `after_completion` duplicate: when both have ended, in
///   either order (a concurrent duplicate may end first).
///
/// The answers (claimed, in flight, replayed, mismatch) are the same as with a store that keeps
/// every key for its TTL, so the figures stay exact; what is live is the keys in flight plus those
/// whose duplicate is still to come. `StackTarget` calls `ended(_:)` after each submission.
public final class RunIdempotencyStore: IdempotencyStore {
    struct State {
        var table = IdempotencyTable()
        /// Keys waiting for the second of their two submissions to end, by key: ends seen (1).
        var halfEnded: Set<String> = []
        var forgotten = 0
    }
    private let state = Mutex(State())

    /// An empty store.
    public init() {}

    public func claim(key: String, fingerprint: String, now: Duration, ttl: Duration) throws -> ClaimResult {
        try validateIdempotencyKey(key)
        return state.withLock { $0.table.claim(key: key, fingerprint: fingerprint, now: now, ttl: ttl) }
    }

    public func complete(key: String, fingerprint: String, result: StoredResult, now: Duration, ttl: Duration) {
        state.withLock { $0.table.complete(key: key, fingerprint: fingerprint, result: result, now: now, ttl: ttl) }
    }

    public func release(key: String) {
        state.withLock { $0.table.release(key: key) }
    }

    /// Says that submission `task` has ended (its claim completed or released): forgets its key when
    /// no later submission of the run can find it (see the type's rules).
    public func ended(_ task: LoadTask) {
        ended(Ending(task))
    }

    /// Says that a submission has ended, from what `Ending` kept of it.
    public func ended(_ ending: Ending) {
        state.withLock { s in
            if ending.waitsForPair, s.halfEnded.insert(ending.key).inserted { return }
            s.halfEnded.remove(ending.key)
            s.table.forget(key: ending.key)
            s.forgotten += 1
        }
    }

    /// What `ended(_:)` needs of a submission (its key, and whether its pair is waited for): small
    /// enough to keep across the submission's run instead of the whole `LoadTask`.
    public struct Ending: Sendable, Hashable {
        /// The submission's idempotency key.
        public var key: String
        /// Whether the key is forgotten only after the second of its two submissions ended
        /// (a `concurrent` or `after_completion` pair).
        public var waitsForPair: Bool

        /// What `ended(_:)` needs of `task`.
        public init(_ task: LoadTask) {
            key = task.idempotencyKey
            let pairKind = task.duplicate ?? task.duplicatedAs
            waitsForPair = pairKind == .concurrent || pairKind == .afterCompletion
        }
    }

    /// Sizes of the store's tables now.
    public var sizes: Sizes {
        state.withLock { s in
            Sizes(liveKeys: s.table.count, pendingExpiries: s.table.pendingExpiries, halfEnded: s.halfEnded.count, forgotten: s.forgotten)
        }
    }

    /// The sizes of a `RunIdempotencyStore`'s tables.
    public struct Sizes: Sendable, Hashable {
        /// Keys held (claimed or completed, not yet forgotten or expired).
        public var liveKeys: Int
        /// Pending expiries of the table (under 3 × `liveKeys` + 4096 after a claim).
        public var pendingExpiries: Int
        /// Keys one of whose two submissions has ended.
        public var halfEnded: Int
        /// Keys forgotten so far (no later submission could find them).
        public var forgotten: Int
    }
}
