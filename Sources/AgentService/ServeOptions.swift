import ArgumentParser
import CommandFlags
import Reliability

/// `squall serve`'s flags, parsed by swift-argument-parser; `resolve()` (also run by `validate()`, so
/// a bad flag exits 2 before anything starts) checks them and builds the configuration. Service
/// defaults come from `AgentServiceConfiguration()` and stack defaults from `baseStack`: each is
/// written once. Tests call `ServeOptions.parse([...])` without spawning the binary.
public struct ServeOptions: ParsableArguments, Sendable {
    /// `--host` (default `127.0.0.1`).
    @Option(help: "Address to listen on.")
    public var host = AgentServiceConfiguration().host
    /// `--port` (default 8000; 0 picks a free one).
    @Option(parsing: .unconditional, help: "Port to listen on (0 picks a free one).")
    public var port = AgentServiceConfiguration().port
    /// `--llm-url`: base URL of any OpenAI/Groq-compatible API (required).
    @Option(name: .customLong("llm-url"), parsing: .unconditional, help: "Base URL of an OpenAI/Groq-compatible API, e.g. http://127.0.0.1:8080.")
    public var llmURL: String
    /// `--api-key-env`: name of the environment variable holding the LLM API key; nil sends none.
    @Option(name: .customLong("api-key-env"), help: "Environment variable holding the LLM API key (sent as a bearer token).")
    public var apiKeyEnv: String?
    /// `--redis`: `redis://host:port[/db]`; nil keeps tasks in memory.
    @Option(help: "Share tasks and idempotency keys through Redis, e.g. redis://127.0.0.1:6379.")
    public var redis: String?
    /// `--redis-namespace` (default `squall`).
    @Option(name: .customLong("redis-namespace"), help: "Prefix of the Redis keys.")
    public var redisNamespace = "squall"
    /// `--workers` (default 16).
    @Option(parsing: .unconditional, help: "Concurrent task runs (1 to 4096).")
    public var workers = AgentServiceConfiguration().workers
    /// `--queue` (default 1024).
    @Option(parsing: .unconditional, help: "Tasks that may wait for a worker before submissions get 429.")
    public var queue = AgentServiceConfiguration().queueLimit
    /// `--drain-timeout` (default `30s`).
    @Option(name: .customLong("drain-timeout"), parsing: .unconditional, help: "How long a shutdown waits for running tasks.")
    public var drainTimeout = DurationFormat.short(AgentServiceConfiguration().drainTimeout)
    /// `--retry-after` for 429/503 (default `1s`).
    @Option(name: .customLong("retry-after"), parsing: .unconditional, help: "Retry-After on 429 and 503 answers.")
    public var retryAfter = DurationFormat.short(AgentServiceConfiguration().retryAfter)
    /// `--max-body` in bytes (default 65536).
    @Option(name: .customLong("max-body"), parsing: .unconditional, help: "Largest request body in bytes (413 above).")
    public var maxBody = AgentServiceConfiguration().maxBodyBytes
    /// `--max-task-chars` (default 32000).
    @Option(name: .customLong("max-task-chars"), parsing: .unconditional, help: "Longest task in characters (400 above).")
    public var maxTaskChars = AgentServiceConfiguration().maxTaskCharacters
    /// `--attempt-timeout` (default `30s`).
    @Option(name: .customLong("attempt-timeout"), parsing: .unconditional, help: "Timeout of each LLM attempt.")
    public var attemptTimeout = DurationFormat.short(ServeOptions.baseStack.attemptTimeout)
    /// `--attempts`, `--backoff-min`, `--backoff-max`, `--backoff-multiplier`, `--jitter`, `--no-breaker`,
    /// `--idempotency-ttl` (defaults: `baseStack`).
    @OptionGroup(title: "Reliability stack") public var stack: StackFlags
    /// `--time-scale` K: the stack's durations run K times faster (default 1).
    @OptionGroup public var timeScaleOption: TimeScaleOption
    /// `--replica-id`; nil picks a random one.
    @Option(name: .customLong("replica-id"), help: "Name of this replica in task records.")
    public var replicaID: String?
    /// `--log-level` (default notice).
    @OptionGroup public var logLevelOption: LogLevelOption

    /// The stack `squall serve` runs when no stack flag is given: 5 attempts, backoff 1 s to 60 s with
    /// full jitter, the default breaker, 30 s attempts, keys kept 24 h.
    public static let baseStack = StackConfig(
        attemptTimeout: .seconds(30),
        retry: RetryPolicy(maxAttempts: 5, backoff: Backoff(multiplier: 1, min: .seconds(1), max: .seconds(60), jitter: .full)),
        breaker: BreakerConfig(), idempotencyTTL: .seconds(86_400))

    /// Options as the parser creates them (use `ServeOptions.parse([...])`).
    public init() {}

    /// Runs every check (`resolve()`): a bad flag exits 2 naming it.
    public func validate() throws {
        do { _ = try resolve() } catch { throw ValidationError(error.message) }
    }

    /// What the options resolve to.
    public struct Resolved: Sendable {
        /// The service configuration.
        public var service: AgentServiceConfiguration
        /// The reliability stack each task runs through.
        public var stack: StackConfig
        /// The LLM base URL.
        public var llmURL: String
        /// The Redis URL, if any.
        public var redis: String?
        /// Prefix of the Redis keys.
        public var redisNamespace: String
        /// The time scale.
        public var timeScale: Double
    }

    /// Checks every flag; the error names the flag and what is valid.
    public func resolve() throws(ServeOptionsError) -> Resolved {
        func flag<T>(_ body: () throws(FlagError) -> T) throws(ServeOptionsError) -> T {
            do { return try body() } catch { throw ServeOptionsError(error.message) }
        }
        guard !llmURL.isEmpty else {
            throw ServeOptionsError("--llm-url is required: the base URL of an OpenAI/Groq-compatible API, e.g. http://127.0.0.1:8080")
        }
        let url = try flag { () throws(FlagError) in try FlagCheck.httpURL(llmURL, flag: "--llm-url") }
        if let redis, !redis.hasPrefix("redis://") {
            throw ServeOptionsError("--redis \(redis): expected redis://[:password@]host[:port][/db]")
        }
        let timeScale = try flag { () throws(FlagError) in try timeScaleOption.value() }
        let timeout = try flag { () throws(FlagError) in try FlagCheck.duration(attemptTimeout, flag: "--attempt-timeout", positive: true) }
        var base = Self.baseStack
        base.attemptTimeout = timeout
        let stack = try flag { () throws(FlagError) in try self.stack.apply(to: base) }
        let drain = try flag { () throws(FlagError) in try FlagCheck.duration(drainTimeout, flag: "--drain-timeout") }
        let retry = try flag { () throws(FlagError) in try FlagCheck.duration(retryAfter, flag: "--retry-after") }
        _ = try flag { () throws(FlagError) in try logLevelOption.value(default: .notice) }
        let service = AgentServiceConfiguration(
            host: host, port: port, workers: workers, queueLimit: queue, drainTimeout: drain, retryAfter: retry,
            maxBodyBytes: maxBody, maxTaskCharacters: maxTaskChars, idempotencyTTL: stack.idempotencyTTL ?? .seconds(86_400),
            replicaID: replicaID)
        do { try service.validate() } catch { throw ServeOptionsError(error.description) }
        guard !host.isEmpty else { throw ServeOptionsError("--host must not be empty") }
        guard !redisNamespace.isEmpty else { throw ServeOptionsError("--redis-namespace must not be empty") }
        return Resolved(
            service: service, stack: stack, llmURL: url, redis: redis, redisNamespace: redisNamespace, timeScale: timeScale)
    }
}

/// A `squall serve` flag with a bad value (the CLI exits 2).
public struct ServeOptionsError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Names the flag and what is valid.
    public var message: String
    /// Creates an error.
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
