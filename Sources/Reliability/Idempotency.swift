import Synchronization

/// The stored result of a completed idempotent operation, replayed to later duplicates.
public struct StoredResult: Sendable, Hashable, Codable {
    /// Whether the original operation succeeded (an error is replayed as an error, per the IETF draft).
    public var succeeded: Bool
    /// The serialized result or error the original caller received.
    public var body: String
    /// Creates a stored result.
    public init(succeeded: Bool, body: String) {
        self.succeeded = succeeded
        self.body = body
    }
}

/// The answer to an atomic claim of an idempotency key.
public enum ClaimResult: Sendable, Hashable {
    /// This caller owns the key and must run the operation, then `complete` or `release` it.
    case claimed
    /// Another caller holds the key and has not finished (IETF draft: 409 Conflict).
    case inFlight
    /// The operation already finished; replay its stored result.
    case completed(StoredResult)
    /// The key was used with a different payload (IETF draft: 422).
    case mismatch
}

/// Errors an idempotency store can raise.
public enum IdempotencyStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The backing store could not be reached or answered unexpectedly.
    case backend(String)
    /// The key is empty or longer than the limit (Stripe: 255 characters).
    case invalidKey(String)
    public var description: String {
        switch self {
        case .backend(let m): return "idempotency store: \(m)"
        case .invalidKey(let m): return "invalid idempotency key: \(m)"
        }
    }
}

/// An idempotency store with an atomic claim. `now` is scenario time; implementations backed by a
/// server with its own expiry (Redis `SET NX PX`) may ignore it.
public protocol IdempotencyStore: Sendable {
    /// Atomically claims `key` for a payload with `fingerprint`; the claim and any stored result expire after `ttl`.
    func claim(key: String, fingerprint: String, now: Duration, ttl: Duration) async throws -> ClaimResult
    /// Records the result of the operation that holds `key`; duplicates will replay it until the TTL passes.
    func complete(key: String, fingerprint: String, result: StoredResult, now: Duration, ttl: Duration) async throws
    /// Gives up a claim without a result (the operation may be run again by the next caller).
    func release(key: String) async throws
}

/// Validates an idempotency key: non-empty, at most 255 characters, printable ASCII.
public func validateIdempotencyKey(_ key: String) throws(IdempotencyStoreError) {
    guard !key.isEmpty else { throw .invalidKey("empty") }
    guard key.count <= 255 else { throw .invalidKey("\(key.count) characters, at most 255 allowed") }
    guard key.unicodeScalars.allSatisfy({ $0.value >= 0x21 && $0.value < 0x7F }) else {
        throw .invalidKey("only printable ASCII without spaces is allowed")
    }
}

/// The deterministic core of the in-memory store for `String` keys (what services receive).
public typealias IdempotencyTable = KeyedIdempotencyTable<String>

/// The deterministic core of the in-memory store: a table of keys with their state and expiry.
/// A value type with no clock; the simulator drives it directly, with integer keys (the key's
/// number in the submission schedule), which hash and compare without touching a string.
public struct KeyedIdempotencyTable<Key: Hashable & Sendable>: Sendable {
    enum Entry: Sendable {
        case inFlight(fingerprint: String, expires: Duration)
        case done(fingerprint: String, result: StoredResult, expires: Duration)
    }
    private var entries: [Key: Entry] = [:]
    private var expiryOrder: [(Duration, Key)] = []
    private var expiryHead = 0

    /// An empty table.
    public init() {}

    /// An empty table with room for `capacity` live keys (avoids rehashing while a run grows).
    public init(reservingCapacity capacity: Int) {
        entries.reserveCapacity(capacity)
        expiryOrder.reserveCapacity(capacity)
    }

    /// Number of live (unexpired as of the last call) keys.
    public var count: Int { entries.count }

    /// Atomically claims `key`; see `IdempotencyStore.claim`.
    public mutating func claim(key: Key, fingerprint: String, now: Duration, ttl: Duration) -> ClaimResult {
        purge(now: now)
        var current = entries[key]
        switch current {
        case .inFlight(_, let e) where e <= now: current = nil
        case .done(_, _, let e) where e <= now: current = nil
        default: break
        }
        switch current {
        case .none:
            entries[key] = .inFlight(fingerprint: fingerprint, expires: now + ttl)
            expiryOrder.append((now + ttl, key))
            return .claimed
        case .inFlight(let fp, _):
            return fp == fingerprint ? .inFlight : .mismatch
        case .done(let fp, let result, _):
            return fp == fingerprint ? .completed(result) : .mismatch
        }
    }

    /// Stores the result for `key` (a key that expired meanwhile is stored afresh).
    public mutating func complete(key: Key, fingerprint: String, result: StoredResult, now: Duration, ttl: Duration) {
        entries[key] = .done(fingerprint: fingerprint, result: result, expires: now + ttl)
        expiryOrder.append((now + ttl, key))
    }

    /// Removes a claim that has no result.
    public mutating func release(key: Key) {
        if case .inFlight = entries[key] { entries[key] = nil }
    }

    /// Drops `key` whatever its state, for a caller that knows no request will ever use it again
    /// (the simulator, once a key's last scheduled submission has ended).
    public mutating func forget(key: Key) {
        entries[key] = nil
    }

    /// Drops every entry whose expiry is at or before `now`. Amortized O(1) per entry.
    public mutating func purge(now: Duration) {
        // expiryOrder is appended in non-decreasing `now`, but TTLs may differ; scan while sorted prefix expires.
        while expiryHead < expiryOrder.count, expiryOrder[expiryHead].0 <= now {
            let key = expiryOrder[expiryHead].1
            switch entries[key] {
            case .inFlight(_, let e) where e <= now: entries[key] = nil
            case .done(_, _, let e) where e <= now: entries[key] = nil
            default: break
            }
            expiryHead += 1
        }
        if expiryHead > 4096, expiryHead * 2 > expiryOrder.count {
            expiryOrder.removeFirst(expiryHead)
            expiryHead = 0
        } else if expiryOrder.count - expiryHead > 2 * entries.count + 4096 {
            // Most pending expiries belong to keys forgotten (or overwritten) before their TTL: keep
            // only those that still match a live entry, in order. Each compaction leaves at most
            // `count` of them, so this is amortized O(1) per entry and the array stays under
            // 3 × `count` + 4096 however many keys are forgotten within one TTL.
            expiryOrder = expiryOrder[expiryHead...].filter { item in
                switch entries[item.1] {
                case .inFlight(_, let e)?, .done(_, _, let e)?: return e == item.0
                case nil: return false
                }
            }
            expiryHead = 0
        }
    }

    /// Pending expiries kept (live entries' and not yet compacted ones'); under 3 × `count` + 4096
    /// once `purge` has run.
    public var pendingExpiries: Int { expiryOrder.count - expiryHead }
}

/// A thread-safe in-memory `IdempotencyStore` over `IdempotencyTable`. Takes `now` from the caller.
public final class InMemoryIdempotencyStore: IdempotencyStore {
    private let table = Mutex(IdempotencyTable())

    /// An empty store.
    public init() {}

    public func claim(key: String, fingerprint: String, now: Duration, ttl: Duration) throws -> ClaimResult {
        try validateIdempotencyKey(key)
        return table.withLock { $0.claim(key: key, fingerprint: fingerprint, now: now, ttl: ttl) }
    }

    public func complete(key: String, fingerprint: String, result: StoredResult, now: Duration, ttl: Duration) {
        table.withLock { $0.complete(key: key, fingerprint: fingerprint, result: result, now: now, ttl: ttl) }
    }

    public func release(key: String) {
        table.withLock { $0.release(key: key) }
    }

    /// Number of live keys.
    public var count: Int { table.withLock { $0.count } }
}
