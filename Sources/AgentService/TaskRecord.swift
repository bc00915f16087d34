import Foundation

/// Where a task is in its life.
public enum TaskStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// Accepted and waiting for a worker.
    case pending
    /// A worker is running it.
    case running
    /// It finished with an answer.
    case complete
    /// It finished without one; `cause` says why (e.g. `shutdown`).
    case failed

    /// Whether the task has ended.
    public var isTerminal: Bool { self == .complete || self == .failed }
}

/// Everything the service knows about one task; also the `GET /tasks/{id}` document.
public struct TaskRecord: Sendable, Hashable, Codable {
    /// The task's identifier.
    public var id: String
    /// The user's task text.
    public var task: String
    /// Who asked (default `anonymous` when the request had no `user_id`).
    public var userID: String
    /// The idempotency key it was submitted with, if any.
    public var idempotencyKey: String?
    /// Current status.
    public var status: TaskStatus
    /// The LLM's answer when complete.
    public var result: String?
    /// What went wrong when failed.
    public var error: String?
    /// Why it failed (a `FailureCause` raw value such as `attempts_exhausted` or `shutdown`).
    public var cause: String?
    /// Dollars spent on LLM tokens, when priced.
    public var costUSD: Double?
    /// Milliseconds from the start of the run to its end.
    public var durationMS: Double?
    /// Milliseconds from acceptance to the start of the run.
    public var queuedMS: Double?
    /// LLM attempts made.
    public var attempts: Int
    /// The model the task was routed to.
    public var model: String?
    /// Unix time (seconds) it was accepted.
    public var createdAt: Double
    /// Unix time it started running.
    public var startedAt: Double?
    /// Unix time it ended.
    public var finishedAt: Double?
    /// The replica that ran (or is running) it.
    public var replica: String?

    /// A new pending task.
    public init(id: String, task: String, userID: String, idempotencyKey: String?, createdAt: Double) {
        self.id = id
        self.task = task
        self.userID = userID
        self.idempotencyKey = idempotencyKey
        self.status = .pending
        self.attempts = 0
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id = "task_id"
        case task, status, result, error, cause, attempts, model, replica
        case userID = "user_id"
        case idempotencyKey = "idempotency_key"
        case costUSD = "cost_usd"
        case durationMS = "duration_ms"
        case queuedMS = "queued_ms"
        case createdAt = "created_at"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
    }

    // Optional fields are written as explicit nulls so clients see every field of the document.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(status, forKey: .status)
        try c.encode(result, forKey: .result)
        try c.encode(error, forKey: .error)
        try c.encode(cause, forKey: .cause)
        try c.encode(costUSD, forKey: .costUSD)
        try c.encode(durationMS, forKey: .durationMS)
        try c.encode(queuedMS, forKey: .queuedMS)
        try c.encode(attempts, forKey: .attempts)
        try c.encode(model, forKey: .model)
        try c.encode(task, forKey: .task)
        try c.encode(userID, forKey: .userID)
        try c.encode(idempotencyKey, forKey: .idempotencyKey)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(startedAt, forKey: .startedAt)
        try c.encode(finishedAt, forKey: .finishedAt)
        try c.encode(replica, forKey: .replica)
    }

    /// The record as JSON bytes (stable key order).
    public func jsonBytes() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding a struct of strings and numbers cannot fail.
        return Array((try? encoder.encode(self)) ?? Data("{}".utf8))
    }

    /// Decodes a record written by `jsonBytes()`.
    public static func decode(_ bytes: [UInt8]) throws -> TaskRecord {
        try JSONDecoder().decode(TaskRecord.self, from: Data(bytes))
    }

    /// Marks the record running on `replica` at `now` (Unix seconds).
    public mutating func markRunning(replica: String, now: Double) {
        status = .running
        startedAt = now
        queuedMS = max(0, (now - createdAt) * 1000)
        self.replica = replica
    }

    /// Marks the record finished at `now` (Unix seconds) with `outcome`.
    public mutating func markFinished(_ outcome: TaskRunResult, now: Double) {
        status = outcome.succeeded ? .complete : .failed
        result = outcome.succeeded ? outcome.result : nil
        error = outcome.succeeded ? nil : outcome.error
        cause = outcome.succeeded ? nil : outcome.cause
        costUSD = outcome.costUSD
        attempts = outcome.attempts
        model = outcome.model ?? model
        finishedAt = now
        durationMS = max(0, (now - (startedAt ?? now)) * 1000)
    }
}
