/// Completions generated per idempotency key, counted at the LLM, keeping state only for keys
/// that may still be executed: a key's state goes when the driver says the key is done
/// (`close`: its original and every duplicate ended) or, without such signals, once it is older
/// than the TTL. Keys are integers; dense keys (a schedule numbers them in arrival order) live in
/// a ring indexed by key number, so a run's memory follows the keys in flight, not the task count.
/// A key whose executions are more than `ttl` apart counts afresh (re-execution after expiry is
/// allowed); a second execution within the TTL makes the key a duplicate execution.
struct KeyExecutionTable: Sendable, Codable, Equatable {
    struct Slot: Sendable, Codable, Equatable {
        /// Time of the first execution in the current TTL period, nanoseconds.
        var since: Int64 = 0
        /// Executions in the period; 0 for a key with none yet.
        var count: UInt32 = 0
        /// The driver said no more executions will come.
        var closed = false
    }

    /// Keys whose executions count within this many nanoseconds of their first; nil counts them for ever.
    let ttl: Int64?
    /// Whether the driver closes keys (`close`); otherwise state ends by TTL (or never, without one).
    let closesKeys: Bool
    /// Keys with more than one execution within the TTL (the `duplicate_executions` figure).
    private(set) var duplicateKeys = 0
    /// The most executions of one key within the TTL.
    private(set) var maxPerKey = 0

    private var ring: [Slot] = []
    private var head = 0
    private var base = 0
    private var span = 0
    /// Keys outside the ring (below its base, or far above it): rare, kept in a dictionary.
    private var others: [Int: Slot] = [:]
    /// The furthest a key may lie above the ring's base before it goes to `others`.
    static let maxSpan = 1 << 22

    init(ttl: Duration?, closesKeys: Bool) {
        self.ttl = ttl.map { ScenarioClock.nanoseconds($0) }
        self.closesKeys = closesKeys
    }

    /// Keys currently held (the ring's span, closed ones not yet passed included, and the others).
    var liveKeys: Int { span + others.count }

    /// One execution of `key` at `now` (nanoseconds; executions arrive in time order per key).
    @inline(__always)
    mutating func execute(_ key: Int, at now: Int64) {
        guard key >= 0 else { return }
        if key >= base, key - base < Self.maxSpan {
            let i = slotIndex(key)
            var s = ring[i]
            count(&s, at: now)
            ring[i] = s
            if !closesKeys { advance(now: now) }
        } else {
            var s = others[key] ?? Slot()
            count(&s, at: now)
            others[key] = s
        }
    }

    /// No more executions will come for `key`.
    @inline(__always)
    mutating func close(_ key: Int) {
        guard key >= 0 else { return }
        if key >= base, key - base < span {
            ring[(head + key - base) & (ring.count - 1)].closed = true
            advance(now: nil)
        } else if key < base {
            others[key] = nil
        }
    }

    @inline(__always)
    private mutating func count(_ s: inout Slot, at now: Int64) {
        if s.count == 0 || (ttl.map { now - s.since >= $0 } ?? false) {
            s.since = now
            s.count = 1
        } else {
            s.count &+= 1
            if s.count == 2 { duplicateKeys += 1 }
        }
        if Int(s.count) > maxPerKey { maxPerKey = Int(s.count) }
    }

    /// The ring slot of `key` (≥ base), growing the ring to reach it.
    @inline(__always)
    private mutating func slotIndex(_ key: Int) -> Int {
        let offset = key - base
        if offset >= span {
            if offset >= ring.count { grow(to: offset + 1) }
            span = offset + 1
        }
        return (head + offset) & (ring.count - 1)
    }

    private mutating func grow(to needed: Int) {
        var capacity = max(1024, ring.count)
        while capacity < needed { capacity *= 2 }
        var next = [Slot](repeating: Slot(), count: capacity)
        for k in 0..<span { next[k] = ring[(head + k) & (ring.count - 1)] }
        ring = next
        head = 0
    }

    /// Drops keys at the ring's base that can no longer matter: closed ones, ones never executed
    /// (a later execution starts afresh outside the ring, in `others`), and — without close
    /// signals, at `now` — ones older than the TTL.
    private mutating func advance(now: Int64?) {
        while span > 0 {
            let s = ring[head]
            var done = s.closed || s.count == 0
            if !done, !closesKeys, let now, let ttl { done = now - s.since >= ttl }
            guard done else { break }
            ring[head] = Slot()
            head = (head + 1) & (ring.count - 1)
            base += 1
            span -= 1
        }
        if span == 0 { head = 0 }
    }

    /// Combines with another shard's table. Exact when the two saw disjoint keys (shards split by
    /// key); a key both saw counts as if its executions were interleaved by time.
    mutating func merge(_ o: KeyExecutionTable) {
        duplicateKeys += o.duplicateKeys
        maxPerKey = max(maxPerKey, o.maxPerKey)
        for k in 0..<o.span {
            let s = o.ring[(o.head + k) & (o.ring.count - 1)]
            if s.count > 0 || s.closed { mergeKey(o.base + k, s) }
        }
        for (k, s) in o.others { mergeKey(k, s) }
    }

    private mutating func mergeKey(_ key: Int, _ s: Slot) {
        var mine: Slot
        let inRing = key >= base && key - base < Self.maxSpan
        if inRing { mine = ring[slotIndex(key)] } else { mine = others[key] ?? Slot() }
        if mine.count > 0 && s.count > 0 {
            // Both saw the key: as one stream, the executions of the later period start afresh
            // unless within the TTL of the earlier.
            let first = min(mine.since, s.since)
            let withinTTL = ttl.map { abs(mine.since - s.since) < $0 } ?? true
            if withinTTL {
                let was = [mine.count, s.count].filter { $0 >= 2 }.count
                mine.count += s.count
                mine.since = first
                duplicateKeys += 1 - was
                maxPerKey = max(maxPerKey, Int(mine.count))
            } else if s.since > mine.since {
                mine = s
            }
        } else if s.count > 0 {
            mine.since = s.since
            mine.count = s.count
        }
        mine.closed = mine.closed || s.closed
        if inRing { ring[slotIndex(key)] = mine } else { others[key] = mine }
    }

    static func == (a: KeyExecutionTable, b: KeyExecutionTable) -> Bool {
        a.duplicateKeys == b.duplicateKeys && a.maxPerKey == b.maxPerKey && a.live == b.live
    }

    /// The open keys' states by key, for comparisons.
    private var live: [Int: Slot] {
        var out = others
        for k in 0..<span {
            let s = ring[(head + k) & (ring.count - 1)]
            if s.count > 0 && !s.closed { out[base + k] = s }
        }
        return out.filter { !$0.value.closed && $0.value.count > 0 }
    }
}
