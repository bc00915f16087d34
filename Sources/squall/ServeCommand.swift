import AgentService
import ArgumentParser
import Foundation
import Logging

/// `squall serve`: the reference task service (POST /tasks, GET /tasks/{id}, /health, /metrics) in
/// front of any OpenAI/Groq-compatible LLM, with optional Redis for several replicas. The flags and
/// their checks are `ServeOptions` (module AgentService).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the reference task service in front of an OpenAI/Groq-compatible LLM.",
        discussion: """
            POST /tasks {task, user_id, idempotency_key?} → 202 {task_id}; GET /tasks/{id}; GET /health; GET /metrics. \
            SIGTERM/SIGINT drain: health turns 503, new tasks get 503, running tasks get --drain-timeout, then end \
            failed with cause "shutdown". With --redis several replicas share keys, records and the queue.
            """)

    @OptionGroup var options: ServeOptions

    func run() async throws {
        let resolved: ServeOptions.Resolved
        do { resolved = try options.resolve() } catch { throw UsageError(message: error.message) }
        let level = try options.logLevelOption.value(default: .notice)
        var apiKey: String?
        if let name = options.apiKeyEnv {
            guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
                throw UsageError(message: "--api-key-env \(name): that environment variable is not set")
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
