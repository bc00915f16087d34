/// A simulator event: what happens, to which slot, at which instant.
struct SimEvent: Sendable {
    /// Kinds of events.
    enum Kind: UInt8, Sendable {
        /// The next original submission of the arrival schedule.
        case arrival
        /// A duplicate submission (`a` = original id, `b` = prompt index, `flag` = sent concurrently).
        case duplicate
        /// The attempt of the task in slot `a` ended (its outcome is stored in the slot).
        case attemptEnded
        /// The task in slot `a` wakes from a backoff sleep.
        case wake
    }
    var time: Duration
    var seq: UInt64
    var kind: Kind
    var flag: Bool
    var a: Int32
    var b: Int32
}

/// A binary min-heap of events ordered by time, ties broken by insertion sequence, so the same
/// inputs always pop in the same order.
struct EventQueue: Sendable {
    private var heap: [SimEvent] = []
    private var nextSeq: UInt64 = 0

    init() { heap.reserveCapacity(1024) }

    var isEmpty: Bool { heap.isEmpty }
    var count: Int { heap.count }

    @inline(__always)
    private static func before(_ x: SimEvent, _ y: SimEvent) -> Bool {
        x.time != y.time ? x.time < y.time : x.seq < y.seq
    }

    /// Adds an event.
    mutating func push(_ time: Duration, _ kind: SimEvent.Kind, a: Int32 = 0, b: Int32 = 0, flag: Bool = false) {
        let e = SimEvent(time: time, seq: nextSeq, kind: kind, flag: flag, a: a, b: b)
        nextSeq &+= 1
        var i = heap.count
        heap.append(e)
        while i > 0 {
            let parent = (i - 1) >> 1
            if Self.before(e, heap[parent]) {
                heap[i] = heap[parent]
                i = parent
            } else {
                break
            }
        }
        heap[i] = e
    }

    /// Removes and returns the earliest event.
    mutating func pop() -> SimEvent? {
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
            if Self.before(heap[c], last) {
                heap[i] = heap[c]
                i = c
            } else {
                break
            }
        }
        heap[i] = last
        return top
    }
}
