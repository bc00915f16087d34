import Reliability
import YAMLConfig

/// The `service:` section: drive the scenario through the reference task service (LoadGen →
/// AgentService replicas → MockLLM) instead of the in-process stack. Live mode only.
public struct ServiceSpec: Sendable, Hashable {
    /// A replica shut down mid-load the way SIGTERM does.
    public struct Sigterm: Sendable, Hashable {
        /// Which replica (0-based). Default 0.
        public var replica: Int
        /// Scenario time of the signal.
        public var at: Duration
        /// Creates a signal.
        public init(replica: Int = 0, at: Duration) {
            self.replica = replica
            self.at = at
        }
    }

    /// Replicas started on loopback ports. Default 1.
    public var replicas: Int
    /// Whether the replicas share a Redis (needed for more than one replica). Default false.
    public var redis: Bool
    /// Concurrent task runs per replica. Default 16.
    public var workers: Int
    /// Tasks that may wait for a worker per service before 429. Default 1024.
    public var queue: Int
    /// How long a shutdown waits for running tasks, scenario time. Default 30 s.
    public var drainTimeout: Duration
    /// How long a duplicate waits for a claim in flight on another replica, scenario time. Default 2 s.
    public var idempotencyWait: Duration
    /// The shutdown to inject, if any. Default none.
    public var sigterm: Sigterm?

    /// Creates a section; see each field for its default.
    public init(
        replicas: Int = 1, redis: Bool = false, workers: Int = 16, queue: Int = 1024, drainTimeout: Duration = .seconds(30),
        idempotencyWait: Duration = .seconds(2), sigterm: Sigterm? = nil
    ) {
        self.replicas = replicas
        self.redis = redis
        self.workers = workers
        self.queue = queue
        self.drainTimeout = drainTimeout
        self.idempotencyWait = idempotencyWait
        self.sigterm = sigterm
    }

    /// Keys of the section.
    public static let keys = ["replicas", "redis", "workers", "queue", "drain_timeout", "idempotency_wait", "sigterm"]

    /// Decodes the section strictly; `duration` bounds `sigterm.at`.
    static func decode(_ node: ConfigNode, duration: Duration) throws(ConfigError) -> ServiceSpec {
        let m = try node.mapping(allowed: keys)
        var s = ServiceSpec()
        if let n = m.optional("replicas") { s.replicas = try n.int(in: 1...16) }
        if let n = m.optional("redis") { s.redis = try n.bool() }
        if let n = m.optional("workers") { s.workers = try n.int(in: 1...4096) }
        if let n = m.optional("queue") { s.queue = try n.int(in: 0...10_000_000) }
        if let n = m.optional("drain_timeout") { s.drainTimeout = try n.duration() }
        if let n = m.optional("idempotency_wait") { s.idempotencyWait = try n.duration() }
        if s.replicas > 1, !s.redis {
            throw m["replicas"].error("\(s.replicas) replicas share tasks and idempotency keys through Redis: add 'redis: true'")
        }
        if let n = m.optional("sigterm") {
            let sm = try n.mapping(allowed: ["replica", "at"])
            let replicaNode = sm.optional("replica")
            let replica = try replicaNode?.int(in: 0...Int.max) ?? 0
            if let replicaNode, replica >= s.replicas {
                throw replicaNode.error("there is no replica \(replica): replicas are numbered 0 to \(s.replicas - 1)")
            }
            let atNode = try sm.required("at")
            let at = try atNode.duration()
            guard at < duration else {
                throw atNode.error("\(DurationFormat.short(at)) is at or after the scenario ends (duration \(DurationFormat.short(duration))); the signal would never be sent under load")
            }
            s.sigterm = Sigterm(replica: replica, at: at)
        }
        return s
    }
}

/// Decodes the scenario-level `mode:` and `time_scale:` keys.
enum RunModeDecoding {
    static func mode(_ node: ConfigNode?) throws(ConfigError) -> RunMode {
        guard let node else { return .sim }
        return RunMode(rawValue: try node.oneOf(RunMode.allCases.map(\.rawValue))) ?? .sim
    }

    static func timeScale(_ node: ConfigNode?) throws(ConfigError) -> Double? {
        guard let node else { return nil }
        let v = try node.double(in: 0...1_000_000)
        guard v > 0 else { throw node.error("must be above 0 (live mode divides every scenario duration by it)") }
        return v
    }
}
