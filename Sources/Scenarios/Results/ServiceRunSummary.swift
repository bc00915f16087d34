/// What the reference task service did during a run through `service:` (scenario time throughout).
public struct ServiceRunSummary: Sendable, Codable, Hashable {
    /// Replicas started.
    public var replicas: Int
    /// Whether they shared a Redis.
    public var redis: Bool
    /// Distinct tasks the service accepted with 202 (replayed duplicates not counted).
    public var accepted: Int
    /// Accepted tasks that did not end `complete` or `failed` in the store after the run.
    public var lost: Int
    /// Up to 10 ids of lost tasks.
    public var lostIDs: [String]
    /// Accepted tasks that ended failed with cause `shutdown`.
    public var endedByShutdown: Int
    /// Submissions sent to another replica after a 503 or a refused connection.
    public var failovers: Int
    /// The replica signalled, if any.
    public var sigtermReplica: Int?
    /// When it was signalled, seconds of scenario time.
    public var sigtermAtSeconds: Double?
    /// How long it took to drain, seconds of scenario time (real drain × time scale).
    public var drainSeconds: Double?
    /// The command Squall started the service with (`target.command`); nil for the reference
    /// service's replicas.
    public var command: String?
    /// For a service Squall started: it ignored SIGTERM and was killed (SIGKILL after
    /// `stop_timeout`), so it never drained; nil otherwise.
    public var killed: Bool?

    /// Creates a summary.
    public init(
        replicas: Int, redis: Bool, accepted: Int = 0, lost: Int = 0, lostIDs: [String] = [], endedByShutdown: Int = 0,
        failovers: Int = 0, sigtermReplica: Int? = nil, sigtermAtSeconds: Double? = nil, drainSeconds: Double? = nil
    ) {
        self.replicas = replicas
        self.redis = redis
        self.accepted = accepted
        self.lost = lost
        self.lostIDs = lostIDs
        self.endedByShutdown = endedByShutdown
        self.failovers = failovers
        self.sigtermReplica = sigtermReplica
        self.sigtermAtSeconds = sigtermAtSeconds
        self.drainSeconds = drainSeconds
    }
}
