import Reliability

/// `squall serve`'s flags as typed, before they are checked. Every field has the flag's default.
public struct ServeOptions: Sendable, Hashable {
    /// `--host`. Default `127.0.0.1`.
    public var host = "127.0.0.1"
    /// `--port`. Default 8000.
    public var port = 8000
    /// `--llm-url`: base URL of any OpenAI/Groq-compatible API (required).
    public var llmURL = ""
    /// `--api-key-env`: name of the environment variable holding the LLM API key; nil sends none.
    public var apiKeyEnv: String?
    /// `--redis`: `redis://host:port[/db]`; nil keeps tasks in memory.
    public var redis: String?
    /// `--redis-namespace`. Default `squall`.
    public var redisNamespace = "squall"
    /// `--workers`. Default 16.
    public var workers = 16
    /// `--queue`. Default 1024.
    public var queue = 1024
    /// `--drain-timeout`. Default `30s`.
    public var drainTimeout = "30s"
    /// `--retry-after` for 429/503. Default `1s`.
    public var retryAfter = "1s"
    /// `--max-body` in bytes. Default 65536.
    public var maxBody = 65536
    /// `--max-task-chars`. Default 32000.
    public var maxTaskChars = 32000
    /// `--attempts` per task, including the first. Default 5.
    public var attempts = 5
    /// `--attempt-timeout`. Default `30s`.
    public var attemptTimeout = "30s"
    /// `--backoff-min`. Default `1s`.
    public var backoffMin = "1s"
    /// `--backoff-max`. Default `60s`.
    public var backoffMax = "60s"
    /// `--backoff-multiplier`. Default 1.
    public var backoffMultiplier = 1.0
    /// `--jitter`: none, full, equal or decorrelated. Default `full`.
    public var jitter = "full"
    /// `--no-breaker`. Default false.
    public var noBreaker = false
    /// `--idempotency-ttl`. Default `24h`.
    public var idempotencyTTL = "24h"
    /// `--time-scale` K: the stack's durations run K times faster (for compressed scenarios). Default 1.
    public var timeScale = 1.0
    /// `--replica-id`; nil picks a random one.
    public var replicaID: String?

    /// Options with every default.
    public init() {}

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
        guard !llmURL.isEmpty else {
            throw ServeOptionsError("--llm-url is required: the base URL of an OpenAI/Groq-compatible API, e.g. http://127.0.0.1:8080")
        }
        guard llmURL.hasPrefix("http://") || llmURL.hasPrefix("https://") else {
            throw ServeOptionsError("--llm-url \(llmURL): expected an http:// or https:// URL")
        }
        if let redis, !redis.hasPrefix("redis://") {
            throw ServeOptionsError("--redis \(redis): expected redis://[:password@]host[:port][/db]")
        }
        guard attempts >= 1 && attempts <= 100 else { throw ServeOptionsError("--attempts \(attempts): expected 1 to 100") }
        guard backoffMultiplier.isFinite && backoffMultiplier >= 0 else {
            throw ServeOptionsError("--backoff-multiplier \(backoffMultiplier): expected a number >= 0")
        }
        guard let j = Jitter(rawValue: jitter) else {
            throw ServeOptionsError("--jitter \(jitter): expected one of \(Jitter.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard timeScale.isFinite && timeScale > 0 else { throw ServeOptionsError("--time-scale \(timeScale): expected a number > 0") }
        let minD = try duration("--backoff-min", backoffMin)
        let maxD = try duration("--backoff-max", backoffMax)
        guard minD <= maxD else { throw ServeOptionsError("--backoff-min \(backoffMin) is greater than --backoff-max \(backoffMax)") }
        let timeout = try duration("--attempt-timeout", attemptTimeout)
        guard timeout > .zero else { throw ServeOptionsError("--attempt-timeout \(attemptTimeout): expected more than 0s") }
        let ttl = try duration("--idempotency-ttl", idempotencyTTL)
        guard ttl >= .seconds(1) else { throw ServeOptionsError("--idempotency-ttl \(idempotencyTTL): expected at least 1s") }

        let service = AgentServiceConfiguration(
            host: host, port: port, workers: workers, queueLimit: queue,
            drainTimeout: try duration("--drain-timeout", drainTimeout), retryAfter: try duration("--retry-after", retryAfter),
            maxBodyBytes: maxBody, maxTaskCharacters: maxTaskChars, idempotencyTTL: ttl, replicaID: replicaID)
        do { try service.validate() } catch { throw ServeOptionsError(error.description) }
        guard !host.isEmpty else { throw ServeOptionsError("--host must not be empty") }

        let stack = StackConfig(
            attemptTimeout: timeout,
            retry: RetryPolicy(
                maxAttempts: attempts, backoff: Backoff(multiplier: backoffMultiplier, min: minD, max: maxD, jitter: j)),
            breaker: noBreaker ? nil : BreakerConfig(), idempotencyTTL: ttl)
        guard !redisNamespace.isEmpty else { throw ServeOptionsError("--redis-namespace must not be empty") }
        return Resolved(
            service: service, stack: stack, llmURL: llmURL, redis: redis, redisNamespace: redisNamespace, timeScale: timeScale)
    }

    private func duration(_ flag: String, _ text: String) throws(ServeOptionsError) -> Duration {
        do { return try DurationFormat.parse(text) } catch {
            throw ServeOptionsError("\(flag) \(text): expected \(DurationFormat.validForms)")
        }
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
