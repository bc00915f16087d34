import AgentService
import ArgumentParser
import Foundation
import Logging

/// `squall serve`: the reference task service (POST /tasks, GET /tasks/{id}, /health, /metrics) in
/// front of any OpenAI/Groq-compatible LLM, with optional Redis for several replicas.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the reference task service in front of an OpenAI/Groq-compatible LLM.",
        discussion: """
            POST /tasks {task, user_id, idempotency_key?} → 202 {task_id}; GET /tasks/{id}; GET /health; GET /metrics. \
            SIGTERM/SIGINT drain: health turns 503, new tasks get 503, running tasks get --drain-timeout, then end \
            failed with cause "shutdown". With --redis several replicas share keys, records and the queue.
            """)

    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on (0 picks a free one).") var port = 8000
    @Option(name: .customLong("llm-url"), help: "Base URL of an OpenAI/Groq-compatible API, e.g. http://127.0.0.1:8080.")
    var llmURL: String
    @Option(name: .customLong("api-key-env"), help: "Environment variable holding the LLM API key (sent as a bearer token).")
    var apiKeyEnv: String?
    @Option(help: "Share tasks and idempotency keys through Redis, e.g. redis://127.0.0.1:6379.") var redis: String?
    @Option(name: .customLong("redis-namespace"), help: "Prefix of the Redis keys.") var redisNamespace = "squall"
    @Option(help: "Concurrent task runs.") var workers = 16
    @Option(help: "Tasks that may wait for a worker before submissions get 429.") var queue = 1024
    @Option(name: .customLong("drain-timeout"), help: "How long a shutdown waits for running tasks.") var drainTimeout = "30s"
    @Option(name: .customLong("retry-after"), help: "Retry-After on 429 and 503 answers.") var retryAfter = "1s"
    @Option(name: .customLong("max-body"), help: "Largest request body in bytes (413 above).") var maxBody = 65536
    @Option(name: .customLong("max-task-chars"), help: "Longest task in characters (400 above).") var maxTaskChars = 32000
    @Option(help: "LLM attempts per task, including the first.") var attempts = 5
    @Option(name: .customLong("attempt-timeout"), help: "Timeout of each LLM attempt.") var attemptTimeout = "30s"
    @Option(name: .customLong("backoff-min"), help: "Floor of each retry wait.") var backoffMin = "1s"
    @Option(name: .customLong("backoff-max"), help: "Cap of each computed retry wait.") var backoffMax = "60s"
    @Option(name: .customLong("backoff-multiplier"), help: "Seconds scale of the first retry wait.") var backoffMultiplier = 1.0
    @Option(help: "Retry jitter: none, full, equal or decorrelated.") var jitter = "full"
    @Flag(name: .customLong("no-breaker"), help: "Run without a circuit breaker.") var noBreaker = false
    @Option(name: .customLong("idempotency-ttl"), help: "How long keys and task records are kept.") var idempotencyTTL = "24h"
    @Option(name: .customLong("time-scale"), help: "Run the stack's durations K times faster (compressed scenarios).")
    var timeScale = 1.0
    @Option(name: .customLong("replica-id"), help: "Name of this replica in task records.") var replicaID: String?
    @Option(name: .customLong("log-level"), help: "Log level on stderr: trace, debug, info, notice, warning, error.")
    var logLevel = "notice"

    func run() async throws {
        var o = ServeOptions()
        o.host = host
        o.port = port
        o.llmURL = llmURL
        o.apiKeyEnv = apiKeyEnv
        o.redis = redis
        o.redisNamespace = redisNamespace
        o.workers = workers
        o.queue = queue
        o.drainTimeout = drainTimeout
        o.retryAfter = retryAfter
        o.maxBody = maxBody
        o.maxTaskChars = maxTaskChars
        o.attempts = attempts
        o.attemptTimeout = attemptTimeout
        o.backoffMin = backoffMin
        o.backoffMax = backoffMax
        o.backoffMultiplier = backoffMultiplier
        o.jitter = jitter
        o.noBreaker = noBreaker
        o.idempotencyTTL = idempotencyTTL
        o.timeScale = timeScale
        o.replicaID = replicaID
        let resolved: ServeOptions.Resolved
        do { resolved = try o.resolve() } catch { throw UsageError(message: error.message) }
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw UsageError(message: "--log-level \(logLevel): expected trace, debug, info, notice, warning, error or critical")
        }
        var apiKey: String?
        if let apiKeyEnv {
            guard let value = ProcessInfo.processInfo.environment[apiKeyEnv], !value.isEmpty else {
                throw UsageError(message: "--api-key-env \(apiKeyEnv): that environment variable is not set")
            }
            apiKey = value
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        do {
            try await ServeLauncher.run(resolved, apiKey: apiKey, logger: Logger(label: "squall.service"))
        } catch {
            throw RunFailure(message: error.message)
        }
    }
}
