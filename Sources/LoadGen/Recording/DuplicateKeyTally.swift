import Reliability

/// Counts the idempotency keys whose task reached the LLM more than once, by the duplicate's kind,
/// keeping a key only while one of its two submissions (the original and its one duplicate) is
/// still to be recorded. A key is settled — counted and forgotten — when both are recorded, when
/// its original was dropped at the in-flight cap (its duplicate is then never sent), or when its
/// duplicate was skipped (after the run's end). The open keys are those whose duplicate is still
/// waiting (after completion, after the TTL) or in flight, so the table follows the run's in-flight
/// work, not its length; `capacity` caps it besides (the oldest open key is forgotten first and
/// counted in `evicted`; its executions are then not counted, so with evictions the figure is a
/// lower bound). Without evictions the counts are exact. Not thread-safe: `LoadRecorder` calls it
/// under its lock.
struct DuplicateKeyTally: Sendable {
    struct Entry: Sendable {
        var kind: DuplicateKind
        var executions: Int
        var recorded: Int
    }
    /// Most open keys kept; the oldest is forgotten beyond this. Default 262,144 (about 13 MB at most).
    let capacity: Int
    /// Open keys by the original's index (unique per key in a run).
    private(set) var open: [Int: Entry] = [:]
    /// Keys in the order they were opened, from `head` on (settled ones are skipped when met).
    private var order: [Int] = []
    private var head = 0
    /// Keys settled with more than one execution, by the duplicate's kind.
    private(set) var executedMoreThanOnce: [DuplicateKind: Int] = [:]
    /// Open keys forgotten because the table was full.
    private(set) var evicted = 0

    init(capacity: Int = 262_144) { self.capacity = max(1, capacity) }

    /// Open keys now.
    var openCount: Int { open.count }
    /// Length of the eviction order kept (open keys and settled ones not yet compacted away).
    var orderCount: Int { order.count - head }

    /// Records one submission of key `index` planned with a duplicate of `kind`: `executed` when it
    /// made LLM calls, `dropped` when it was dropped at the cap (an original then has no duplicate).
    mutating func record(index: Int, kind: DuplicateKind, isDuplicate: Bool, executed: Bool, dropped: Bool) {
        var entry = open[index] ?? Entry(kind: kind, executions: 0, recorded: 0)
        let isNew = entry.recorded == 0
        entry.recorded += 1
        if executed { entry.executions += 1 }
        if entry.recorded >= 2 || (dropped && !isDuplicate) {
            settle(index, entry)
            return
        }
        open[index] = entry
        if isNew { admit(index) }
    }

    /// The duplicate of key `index` will not be sent: settles it.
    mutating func skip(index: Int) {
        guard let entry = open[index] else { return }
        settle(index, entry)
    }

    private mutating func settle(_ index: Int, _ entry: Entry) {
        open[index] = nil
        if entry.executions > 1 { executedMoreThanOnce[entry.kind, default: 0] += 1 }
    }

    private mutating func admit(_ index: Int) {
        order.append(index)
        while open.count > capacity, head < order.count {
            let old = order[head]
            head += 1
            if open.removeValue(forKey: old) != nil { evicted += 1 }
        }
        // Skip settled keys at the front; compact once the dead prefix is most of the array, or
        // (a long-open key at the front) once the array is twice the open keys plus `capacity`:
        // each compaction keeps at most `capacity` keys, so it is amortized O(1) per key and the
        // array stays under 3 × `capacity`.
        while head < order.count, open[order[head]] == nil { head += 1 }
        if head > 4096, head * 2 > order.count {
            order.removeFirst(head)
            head = 0
        } else if order.count - head > 2 * open.count + capacity {
            order = order[head...].filter { open[$0] != nil }
            head = 0
        }
    }
}
