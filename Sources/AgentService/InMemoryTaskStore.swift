import Synchronization

/// The default store: records and the queue in this process. Memory is bounded: at most `queueLimit`
/// pending tasks (enforced at submit), running tasks are bounded by the workers, and finished records
/// beyond `finishedCapacity` are evicted oldest first.
public final class InMemoryTaskStore: TaskStore {
    struct State {
        var records: [String: TaskRecord] = [:]
        var queue: [String] = []
        var head = 0
        var finishedOrder: [String] = []
        var finishedHead = 0
    }
    private let state = Mutex(State())
    /// Finished records kept before the oldest are evicted. Default 100 000.
    public let finishedCapacity: Int

    /// An empty store.
    public init(finishedCapacity: Int = 100_000) { self.finishedCapacity = max(1, finishedCapacity) }

    public var isShared: Bool { false }

    public func submit(_ record: TaskRecord, queueLimit: Int) -> Bool {
        state.withLock { s in
            if queueLimit >= 0, s.queue.count - s.head >= queueLimit { return false }
            s.records[record.id] = record
            s.queue.append(record.id)
            return true
        }
    }

    public func get(id: String) -> TaskRecord? { state.withLock { $0.records[id] } }

    public func claim(lease: Duration) -> TaskRecord? {
        state.withLock { s in
            while s.head < s.queue.count {
                let id = s.queue[s.head]
                s.head += 1
                compact(&s)
                if let r = s.records[id], r.status == .pending { return r }
            }
            return nil
        }
    }

    public func update(_ record: TaskRecord) {
        state.withLock { $0.records[record.id] = record }
    }

    public func finish(_ record: TaskRecord) {
        state.withLock { s in
            s.records[record.id] = record
            s.finishedOrder.append(record.id)
            while s.finishedOrder.count - s.finishedHead > finishedCapacity {
                s.records[s.finishedOrder[s.finishedHead]] = nil
                s.finishedHead += 1
            }
            if s.finishedHead > 4096, s.finishedHead * 2 > s.finishedOrder.count {
                s.finishedOrder.removeFirst(s.finishedHead)
                s.finishedHead = 0
            }
        }
    }

    public func renew(ids: [String], lease: Duration) {}

    public func pendingCount() -> Int { state.withLock { $0.queue.count - $0.head } }

    public func failPending(_ outcome: TaskRunResult, now: Double) -> Int {
        let ids: [String] = state.withLock { s in
            let ids = Array(s.queue[s.head...])
            s.queue.removeAll()
            s.head = 0
            return ids
        }
        var ended = 0
        for id in ids {
            guard var r = get(id: id), r.status == .pending else { continue }
            r.startedAt = now
            r.markFinished(outcome, now: now)
            finish(r)
            ended += 1
        }
        return ended
    }

    private func compact(_ s: inout State) {
        if s.head > 1024, s.head * 2 > s.queue.count {
            s.queue.removeFirst(s.head)
            s.head = 0
        }
    }
}
