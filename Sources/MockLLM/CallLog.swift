/// The mock's per-request call log: a fixed-capacity ring of `CallRecord`s with monotonically
/// increasing sequence numbers, drained by cursor. Memory is bounded by `capacity`; a reader that
/// falls behind by more than `capacity` records loses the oldest ones and is told how many.
public struct CallLog: Sendable {
    /// Records kept at most. Default: 65,536.
    public let capacity: Int
    private var ring: ContiguousArray<CallRecord> = []
    private var start = 0
    /// Sequence number of the newest record (0 when none was logged).
    public private(set) var lastSeq: UInt64 = 0

    /// Default capacity: 65,536 records (13 s at 5,000 calls/s; about 15 MB at ~230 bytes a record).
    public static let defaultCapacity = 65_536
    /// Largest capacity accepted (about 240 MB of records).
    public static let maxCapacity = 1 << 20

    /// An empty log holding at most `capacity` records (clamped to 1…`maxCapacity`).
    public init(capacity: Int = CallLog.defaultCapacity) {
        self.capacity = min(max(1, capacity), Self.maxCapacity)
    }

    /// Records held now.
    public var count: Int { ring.count }

    /// Sequence number of the oldest record held (`lastSeq + 1` when empty).
    public var oldestSeq: UInt64 { lastSeq + 1 - UInt64(ring.count) }

    /// Appends a record, giving it the next sequence number (returned); overwrites the oldest when full.
    @discardableResult
    public mutating func append(_ record: CallRecord) -> UInt64 {
        var r = record
        append(swapping: &r)
        return lastSeq
    }

    /// Appends `record` as `append` does, by swapping it into the ring: afterwards `record` holds the
    /// record it overwrote (it is left as it was while the log is not full). No string of either
    /// record is retained or released here, so the caller releases the old record's strings after
    /// leaving its lock.
    mutating func append(swapping record: inout CallRecord) {
        lastSeq += 1
        record.seq = lastSeq
        if ring.count < capacity {
            ring.append(record)
            return
        }
        swap(&ring[start], &record)
        start += 1
        if start == capacity { start = 0 }
    }

    /// The records after sequence number `after`, at most `limit` of them (see `CallLogPage`).
    /// A cursor beyond `lastSeq` (one from before a reset) reads from the beginning.
    public func page(after: UInt64, limit: Int) -> CallLogPage {
        let cursor = after > lastSeq ? 0 : after
        let first = max(cursor + 1, oldestSeq)
        let dropped = first - (cursor + 1)
        let available = lastSeq >= first ? Int(lastSeq - first + 1) : 0
        let n = min(max(0, limit), available)
        var records: [CallRecord] = []
        records.reserveCapacity(n)
        let offset = Int(first - oldestSeq)
        for i in 0..<n {
            records.append(ring[(start + offset + i) % ring.count])
        }
        let next = n > 0 ? records[n - 1].seq : first - 1
        return CallLogPage(records: records, next: next, dropped: dropped, lastSeq: lastSeq)
    }
}

/// One read of the call log.
public struct CallLogPage: Sendable, Hashable {
    /// Records in sequence order.
    public var records: [CallRecord]
    /// The cursor for the next read (`after=` this): the last record's `seq`, or where the reader
    /// already is when there was nothing new.
    public var next: UInt64
    /// Records after the reader's cursor that were overwritten before it read them (it fell more than
    /// the log's capacity behind).
    public var dropped: UInt64
    /// The newest sequence number in the log (`next == lastSeq`: the reader is up to date).
    public var lastSeq: UInt64
    /// The run id set by the last run start, nil when none.
    public var run: String?

    /// Creates a page.
    public init(records: [CallRecord], next: UInt64, dropped: UInt64, lastSeq: UInt64, run: String? = nil) {
        self.records = records
        self.next = next
        self.dropped = dropped
        self.lastSeq = lastSeq
        self.run = run
    }
}

extension CallLog {
    /// Records per read when the reader does not say (`GET /_squall/calls` without `limit`).
    public static let defaultPage = 1_000
    /// Most records per read.
    public static let maxPage = 10_000
}
