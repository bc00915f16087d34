/// The schedule's duplicates not yet due: a binary min-heap ordered by intended start, ties
/// broken by a sequence number the schedule hands out (shared with its pending original), so the
/// sequence is deterministic. Holds the duplicates scheduled within the largest duplicate delay,
/// so it stays small.
struct SubmissionQueue: Sendable {
    struct Item: Sendable {
        var at: Duration
        var seq: UInt64
        var keyID: Int
        var prompt: Int32
        var duplicate: Bool
        var concurrent: Bool
    }

    private var heap: [Item] = []

    @inline(__always)
    private static func before(_ x: Item, _ y: Item) -> Bool { x.at != y.at ? x.at < y.at : x.seq < y.seq }

    /// The earliest item, if any.
    var first: Item? { heap.first }

    mutating func push(at: Duration, seq: UInt64, keyID: Int, prompt: Int, duplicate: Bool, concurrent: Bool) {
        let e = Item(at: at, seq: seq, keyID: keyID, prompt: Int32(prompt), duplicate: duplicate, concurrent: concurrent)
        var i = heap.count
        heap.append(e)
        while i > 0 {
            let parent = (i - 1) >> 1
            guard Self.before(e, heap[parent]) else { break }
            heap[i] = heap[parent]
            i = parent
        }
        heap[i] = e
    }

    mutating func pop() -> Item? {
        guard let last = heap.popLast() else { return nil }
        guard !heap.isEmpty else { return last }
        let top = heap[0]
        let n = heap.count
        var i = 0
        while true {
            let l = 2 * i + 1
            if l >= n { break }
            let r = l + 1
            let c = (r < n && Self.before(heap[r], heap[l])) ? r : l
            guard Self.before(heap[c], last) else { break }
            heap[i] = heap[c]
            i = c
        }
        heap[i] = last
        return top
    }
}
