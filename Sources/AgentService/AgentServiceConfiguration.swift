/// The task service's settings. Every field has the default `squall serve` uses.
public struct AgentServiceConfiguration: Sendable, Hashable {
    /// Address to listen on. Default `127.0.0.1`.
    public var host: String
    /// Port to listen on; 0 picks a free one. Default 8000.
    public var port: Int
    /// Concurrent task runs. Default 16.
    public var workers: Int
    /// Tasks that may wait for a worker before submissions get 429. Default 1024.
    public var queueLimit: Int
    /// How long a shutdown waits for running tasks before failing them with cause `shutdown`. Default 30 s.
    public var drainTimeout: Duration
    /// `Retry-After` sent with 429 and 503 answers. Default 1 s.
    public var retryAfter: Duration
    /// Largest request body accepted (413 above). Default 64 KiB.
    public var maxBodyBytes: Int
    /// Longest `task` accepted, in characters. Default 32 000.
    public var maxTaskCharacters: Int
    /// Longest `user_id` accepted, in characters. Default 256.
    public var maxUserIDCharacters: Int
    /// How long idempotency keys map to their task. Default 24 h.
    public var idempotencyTTL: Duration
    /// How long an idempotency claim may stay in flight (between claiming a key and recording its task). Default 30 s.
    public var idempotencyClaimTTL: Duration
    /// How long a duplicate waits for a claim in flight on another replica to finish before answering 409. Default 2 s.
    public var idempotencyWait: Duration
    /// Lease on a claimed task in a shared store; renewed every third of it while the task runs. Default 30 s.
    public var lease: Duration
    /// How often idle workers look for tasks queued by other replicas (shared store only). Default 100 ms.
    public var pollInterval: Duration
    /// Name of this replica in records and logs. Default a random id.
    public var replicaID: String

    /// Creates a configuration.
    public init(
        host: String = "127.0.0.1", port: Int = 8000, workers: Int = 16, queueLimit: Int = 1024,
        drainTimeout: Duration = .seconds(30), retryAfter: Duration = .seconds(1), maxBodyBytes: Int = 64 * 1024,
        maxTaskCharacters: Int = 32_000, maxUserIDCharacters: Int = 256, idempotencyTTL: Duration = .seconds(86_400),
        idempotencyClaimTTL: Duration = .seconds(30), idempotencyWait: Duration = .seconds(2),
        lease: Duration = .seconds(30), pollInterval: Duration = .milliseconds(100), replicaID: String? = nil
    ) {
        self.host = host
        self.port = port
        self.workers = workers
        self.queueLimit = queueLimit
        self.drainTimeout = drainTimeout
        self.retryAfter = retryAfter
        self.maxBodyBytes = maxBodyBytes
        self.maxTaskCharacters = maxTaskCharacters
        self.maxUserIDCharacters = maxUserIDCharacters
        self.idempotencyTTL = idempotencyTTL
        self.idempotencyClaimTTL = idempotencyClaimTTL
        self.idempotencyWait = idempotencyWait
        self.lease = lease
        self.pollInterval = pollInterval
        self.replicaID = replicaID ?? "replica-" + String(UInt64.random(in: 0...UInt64.max) & 0xFF_FFFF, radix: 16)
    }

    /// Checks ranges; the error names the field and what is valid.
    public func validate() throws(AgentServiceConfigurationError) {
        guard (0...65535).contains(port) else { throw .init(field: "port", message: "\(port): expected 0 to 65535") }
        guard (1...4096).contains(workers) else { throw .init(field: "workers", message: "\(workers): expected 1 to 4096") }
        guard (0...10_000_000).contains(queueLimit) else {
            throw .init(field: "queue", message: "\(queueLimit): expected 0 to 10000000")
        }
        guard drainTimeout >= .zero else { throw .init(field: "drain-timeout", message: "must not be negative") }
        guard retryAfter >= .zero else { throw .init(field: "retry-after", message: "must not be negative") }
        guard maxBodyBytes >= 64 else { throw .init(field: "max-body", message: "\(maxBodyBytes): expected at least 64 bytes") }
        guard maxTaskCharacters >= 1 else { throw .init(field: "max-task-chars", message: "expected at least 1") }
        guard lease >= .seconds(1) else { throw .init(field: "lease", message: "expected at least 1s") }
        guard pollInterval > .zero else { throw .init(field: "poll-interval", message: "expected more than 0s") }
    }
}

/// A configuration value out of range.
public struct AgentServiceConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The field (as its `squall serve` flag name, without dashes).
    public var field: String
    /// What is wrong and what is valid.
    public var message: String
    /// Creates an error.
    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }
    public var description: String { "--\(field) \(message)" }
}
