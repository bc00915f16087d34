import HeapModule

/// A simulator event: what happens, to which slot, at which instant.
struct SimEvent: Sendable {
    /// The event's time.
    var time: Duration { Duration(attoseconds: at) }
    /// Kinds of events.
    enum Kind: UInt8, Sendable {
        /// The next submission of the schedule (originals and duplicates).
        case arrival
        /// The attempt of the task in slot `a` ended (its outcome is stored in the slot).
        case attemptEnded
        /// The task in slot `a` wakes from a backoff sleep.
        case wake
    }
    /// Scenario time in attoseconds (`Duration.attoseconds`): compared as a native 128-bit integer.
    var at: Int128
    var seq: UInt64
    /// The slot the event is for (`attemptEnded`, `wake`).
    var a: Int32
    var kind: Kind
}

extension SimEvent: Comparable {
    static func < (x: SimEvent, y: SimEvent) -> Bool { x.at != y.at ? x.at < y.at : x.seq < y.seq }
    static func == (x: SimEvent, y: SimEvent) -> Bool { x.at == y.at && x.seq == y.seq }
}

/// The simulator's event queue: swift-collections' `Heap` ordered by (time, insertion sequence), so
/// ties always pop in the order they were pushed and the same inputs give the same run. Measured
/// against the hand-written binary heap it replaced on a simulated day of 100,000 tasks:
/// 845.1 M vs 850.0 M instructions for the whole run (callgrind), the same CPU time within noise.
struct EventQueue: Sendable {
    private var heap = Heap<SimEvent>()
    private var nextSeq: UInt64 = 0
    /// Whether no event is pending.
    var isEmpty: Bool { heap.isEmpty }
    /// Pending events.
    var count: Int { heap.count }
    /// Adds an event at `time`.
    @inline(__always)
    mutating func push(_ time: Duration, _ kind: SimEvent.Kind, a: Int32) {
        heap.insert(SimEvent(at: time.attoseconds, seq: nextSeq, a: a, kind: kind))
        nextSeq &+= 1
    }
    /// Removes and returns the earliest event.
    @inline(__always)
    mutating func pop() -> SimEvent? { heap.popMin() }

    /// The earliest event, left in place.
    @inline(__always)
    var first: SimEvent? { heap.min }

    /// Hands out the next insertion sequence without inserting: an event kept outside the heap (the
    /// next arrival) still orders among the others exactly as if it had been pushed now.
    @inline(__always)
    mutating func takeSequence() -> UInt64 {
        defer { nextSeq &+= 1 }
        return nextSeq
    }
}
