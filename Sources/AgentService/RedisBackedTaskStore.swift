import RedisStore

/// Task records and the pending queue in Redis (`RedisTaskStore`), shared by every replica: a task
/// accepted by one replica may run on another, and tasks left pending by a replica that shut down
/// (or whose lease ran out) are picked up by the others.
public struct RedisBackedTaskStore: TaskStore {
    /// The underlying store.
    public let store: RedisTaskStore
    /// How long records are kept. Default 24 h.
    public let recordTTL: Duration

    /// Creates a store over `client` under `namespace` (default `squall`).
    public init(client: RedisClient, namespace: String = "squall", recordTTL: Duration = .seconds(86_400)) {
        store = RedisTaskStore(client: client, namespace: namespace)
        self.recordTTL = recordTTL
    }

    public var isShared: Bool { true }

    public func submit(_ record: TaskRecord, queueLimit: Int) async throws -> Bool {
        try await store.submit(id: record.id, record: record.jsonBytes(), ttl: recordTTL, queueLimit: queueLimit)
    }

    public func get(id: String) async throws -> TaskRecord? {
        guard let bytes = try await store.get(id: id) else { return nil }
        return try TaskRecord.decode(bytes)
    }

    public func claim(lease: Duration) async throws -> TaskRecord? {
        // Ids whose record expired (or is already finished) are dropped; bounded so one call stays short.
        for _ in 0..<16 {
            guard let id = try await store.claim(lease: lease) else { return nil }
            if let record = try await get(id: id), !record.status.isTerminal { return record }
            try await store.dropLease(id: id)
        }
        return nil
    }

    public func update(_ record: TaskRecord) async throws {
        try await store.put(id: record.id, record: record.jsonBytes(), ttl: recordTTL)
    }

    public func finish(_ record: TaskRecord) async throws {
        try await store.finish(id: record.id, record: record.jsonBytes(), ttl: recordTTL)
    }

    public func renew(ids: [String], lease: Duration) async throws {
        try await store.renew(ids: ids, lease: lease)
    }

    public func pendingCount() async throws -> Int { try await store.pendingCount() }

    /// Redis answers `PING` (bounded by the client's command timeout).
    public func checkHealth() async throws { try await store.client.ping() }

    /// Pending tasks stay in Redis for another replica: nothing is ended.
    public func failPending(_ outcome: TaskRunResult, now: Double) async throws -> Int { 0 }
}
