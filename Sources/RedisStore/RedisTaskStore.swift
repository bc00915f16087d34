import Foundation

/// Task records and a shared pending queue in Redis, so any replica can pick up a task that another
/// replica accepted, and a task whose replica vanished is picked up again when its lease runs out.
///
/// Layout under `namespace` (default `squall`): `<ns>:task:<id>` holds an opaque record with a TTL;
/// `<ns>:pending` is a list of ids (pushed on the left, claimed from the right: first in, first out);
/// `<ns>:leases` is a sorted set of claimed ids scored by lease expiry (Unix milliseconds). Claiming
/// first moves expired leases back to the head of the queue, then pops one id and leases it, in one
/// Lua script. A worker renews leases while it runs tasks and acknowledges each task when it finishes.
public struct RedisTaskStore: Sendable {
    /// The client.
    public let client: RedisClient
    /// Key prefix. Default `squall`.
    public let namespace: String

    /// Creates a store over `client`.
    public init(client: RedisClient, namespace: String = "squall") {
        self.client = client
        self.namespace = namespace
    }

    var pendingKey: String { "\(namespace):pending" }
    var leasesKey: String { "\(namespace):leases" }
    func recordKey(_ id: String) -> String { "\(namespace):task:\(id)" }

    static let submitScript = """
        local limit = tonumber(ARGV[3])
        if limit >= 0 and redis.call('LLEN', KEYS[2]) >= limit then return 0 end
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
        redis.call('LPUSH', KEYS[2], ARGV[4])
        return 1
        """

    static let claimScript = """
        local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, 100)
        for _, id in ipairs(expired) do
          redis.call('ZREM', KEYS[2], id)
          redis.call('RPUSH', KEYS[1], id)
        end
        local id = redis.call('RPOP', KEYS[1])
        if not id then return false end
        redis.call('ZADD', KEYS[2], ARGV[2], id)
        return id
        """

    static let finishScript = """
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
        return redis.call('ZREM', KEYS[2], ARGV[3])
        """

    static let requeueScript = """
        if redis.call('ZREM', KEYS[2], ARGV[1]) == 1 then redis.call('RPUSH', KEYS[1], ARGV[1]) return 1 end
        return 0
        """

    /// Atomically stores a new task's record (expiring after `ttl`) and appends its id to the pending queue,
    /// unless the queue already holds `queueLimit` ids (a negative limit means unbounded). Returns whether
    /// the task was accepted.
    public func submit(id: String, record: [UInt8], ttl: Duration, queueLimit: Int) async throws(RedisError) -> Bool {
        let reply = try await client.eval(
            Self.submitScript, keys: [recordKey(id), pendingKey],
            args: [record, ms(ttl), Array(String(queueLimit).utf8), Array(id.utf8)])
        return reply.int == 1
    }

    /// Overwrites a task's record, with a fresh `ttl`.
    public func put(id: String, record: [UInt8], ttl: Duration) async throws(RedisError) {
        try await client.command(
            bytes: [Array("SET".utf8), Array(recordKey(id).utf8), record, Array("PX".utf8), ms(ttl)], idempotent: true)
    }

    /// A task's record, or nil when unknown or expired.
    public func get(id: String) async throws(RedisError) -> [UInt8]? {
        switch try await client.command(bytes: [Array("GET".utf8), Array(recordKey(id).utf8)], idempotent: true) {
        case .bulk(let b): return b
        case .null: return nil
        case let other: throw .unexpectedReply("GET \(recordKey(id)) answered \(other)")
        }
    }

    /// Claims the oldest pending id for `lease` (first returning expired leases to the queue), or nil if none.
    /// `now` is wall-clock time, shared by replicas. Default: the current time.
    public func claim(lease: Duration, now: Date = Date()) async throws(RedisError) -> String? {
        let nowMs = Int((now.timeIntervalSince1970 * 1000).rounded(.down))
        let expiry = nowMs + Int(lease / .milliseconds(1))
        let reply = try await client.eval(
            Self.claimScript, keys: [pendingKey, leasesKey],
            args: [Array(String(nowMs).utf8), Array(String(expiry).utf8)])
        switch reply {
        case .null: return nil
        case .bulk(let b): return String(decoding: b, as: UTF8.self)
        default: throw .unexpectedReply("claim answered \(reply)")
        }
    }

    /// Extends the leases of `ids` that are still leased to `lease` from `now`.
    public func renew(ids: [String], lease: Duration, now: Date = Date()) async throws(RedisError) {
        guard !ids.isEmpty else { return }
        let expiry = String(Int((now.timeIntervalSince1970 * 1000).rounded(.down)) + Int(lease / .milliseconds(1)))
        var args: [[UInt8]] = [Array("ZADD".utf8), Array(leasesKey.utf8), Array("XX".utf8)]
        for id in ids { args += [Array(expiry.utf8), Array(id.utf8)] }
        try await client.command(bytes: args, idempotent: true)
    }

    /// Stores a task's final record (with `ttl`) and drops its lease, atomically.
    public func finish(id: String, record: [UInt8], ttl: Duration) async throws(RedisError) {
        try await client.eval(Self.finishScript, keys: [recordKey(id), leasesKey], args: [record, ms(ttl), Array(id.utf8)])
    }

    /// Returns a claimed but unstarted id to the head of the queue. Returns false if it was not leased.
    @discardableResult
    public func requeue(id: String) async throws(RedisError) -> Bool {
        try await client.eval(Self.requeueScript, keys: [pendingKey, leasesKey], args: [Array(id.utf8)]).int == 1
    }

    /// Drops a lease without touching the record (e.g. the record expired).
    public func dropLease(id: String) async throws(RedisError) {
        try await client.command([ "ZREM", leasesKey, id], idempotent: true)
    }

    /// Ids waiting in the queue.
    public func pendingCount() async throws(RedisError) -> Int {
        guard let n = try await client.command(["LLEN", pendingKey], idempotent: true).int else {
            throw .unexpectedReply("LLEN \(pendingKey) is not an integer")
        }
        return n
    }

    /// Ids currently leased by some replica.
    public func leasedCount() async throws(RedisError) -> Int {
        guard let n = try await client.command(["ZCARD", leasesKey], idempotent: true).int else {
            throw .unexpectedReply("ZCARD \(leasesKey) is not an integer")
        }
        return n
    }
}
