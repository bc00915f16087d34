/// Where the service keeps task records and its queue of pending tasks.
public protocol TaskStore: Sendable {
    /// Whether pending tasks outlive this process (shared by replicas): then a draining replica stops
    /// taking tasks and leaves the rest for a surviving or restarted replica.
    var isShared: Bool { get }
    /// Stores a new pending record and queues it, unless `queueLimit` tasks already wait. Returns whether it was accepted.
    func submit(_ record: TaskRecord, queueLimit: Int) async throws -> Bool
    /// A record by id; nil when unknown (or expired).
    func get(id: String) async throws -> TaskRecord?
    /// Takes the oldest pending task for this replica, leased for `lease`; nil when none waits.
    func claim(lease: Duration) async throws -> TaskRecord?
    /// Overwrites a record that is still running.
    func update(_ record: TaskRecord) async throws
    /// Stores a finished record and releases its lease.
    func finish(_ record: TaskRecord) async throws
    /// Extends the leases of tasks this replica is running.
    func renew(ids: [String], lease: Duration) async throws
    /// Tasks waiting in the queue.
    func pendingCount() async throws -> Int
    /// Ends every queued task with `outcome` (a store whose queue dies with the process does this at shutdown).
    /// Returns how many were ended.
    func failPending(_ outcome: TaskRunResult, now: Double) async throws -> Int
    /// Throws when the store cannot serve requests now (what `GET /health` reports). Default: never
    /// (a store in this process is always there).
    func checkHealth() async throws
}

extension TaskStore {
    /// A store in this process is always available.
    public func checkHealth() async throws {}
}
