/// The schedule's pending submissions (the next original and the duplicates not yet due): a binary
/// min-heap ordered by intended start, ties broken by insertion order so the sequence is
/// deterministic. Holds at most one original plus the duplicates scheduled within the largest
/// duplicate delay, so it stays small.
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
    private var nextSeq: UInt64 = 0

    @inline(__always)
    private static func before(_ x: Item, _ y: Item) -> Bool { x.at != y.at ? x.at < y.at : x.seq < y.seq }

    mutating func push(at: Duration, keyID: Int, prompt: Int, duplicate: Bool, concurrent: Bool) {
        let e = Item(at: at, seq: nextSeq, keyID: keyID, prompt: Int32(prompt), duplicate: duplicate, concurrent: concurrent)
        nextSeq &+= 1
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
