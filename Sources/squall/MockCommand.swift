import ArgumentParser
import Dispatch
import Foundation
import MockLLM
import Reliability
import Synchronization
import YAMLConfig

/// `squall mock`: runs the OpenAI/Groq-compatible chaos server until SIGINT or SIGTERM.
struct MockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mock",
        abstract: "Run the OpenAI/Groq-compatible chaos LLM server.",
        discussion: """
            Serves POST /v1/chat/completions (and Groq's /openai/v1/...), GET /v1/models, the control API \
            (/_squall/profile, /_squall/reset, /_squall/stats) and /metrics. Faults, latency and rate limits \
            come from the profile (the same block as a scenario's 'llm:' section). Prints its URL, then \
            serves until SIGINT or SIGTERM.
            """)

    @Option(help: "Address to bind.") var host: String = "127.0.0.1"
    @Option(help: "Port to bind (0 picks a free one).") var port: Int = 8080
    @Option(help: "Fault profile YAML file (latency, stream, reply, faults, rate_limits, ...).") var profile: String?
    @Option(help: "Seed for every random draw.") var seed: UInt64 = 1
    @Option(name: .customLong("time-scale"), help: "Divide every configured duration by this factor.")
    var timeScale: Double = 1
    @Option(name: .customLong("control-token"), help: "Require 'Authorization: Bearer TOKEN' on the control API (else loopback only).")
    var controlToken: String?
    @Flag(name: .customLong("insecure-control"), help: "Without --control-token, answer the control API from any address (needed to bind beyond loopback without a token).")
    var insecureControl = false
    @Option(name: .customLong("max-keys"), help: "Idempotency keys counted per key in stats (oldest evicted first).")
    var maxKeys: Int = MockStats.defaultMaxKeys
    @Flag(name: .customLong("allow-fault-header"), help: "Honour the per-request 'x-squall-fault: status=503' header.")
    var allowFaultHeader = false
    @Option(name: .customLong("max-body"), help: "Largest request body in bytes (larger gets 413).")
    var maxBody: Int = 4 << 20
    @Option(name: .customLong("idle-timeout"), help: "Close connections idle (or stuck mid-request) this long, e.g. 60s.")
    var idleTimeout: String = "60s"
    @Option(help: "Event-loop threads (default: one per core).") var threads: Int?

    func run() async throws {
        let config = try makeConfig()
        let server: MockServer
        do {
            server = try await MockServer.start(config)
        } catch {
            throw RunFailure(message: error.description)
        }
        var line = "squall mock listening on \(server.url)"
        if config.profile.faults.count > 0 || !config.profile.rateLimits.isEmpty {
            line += " (\(config.profile.faults.count) fault rules, \(config.profile.rateLimits.count) rate-limited models)"
        }
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
        let signal = await SignalWaiter.wait(for: [SIGINT, SIGTERM])
        await server.stop()
        FileHandle.standardError.write(Data("squall mock: stopped (signal \(signal))\n".utf8))
    }

    /// Builds the server configuration from the flags (exposed for tests).
    func makeConfig() throws -> MockServerConfig {
        var c = MockServerConfig()
        guard (0...65535).contains(port) else { throw UsageError(message: "--port \(port) is out of range: expected 0...65535") }
        guard timeScale > 0, timeScale.isFinite else {
            throw UsageError(message: "--time-scale \(timeScale) is not valid: expected a number > 0")
        }
        guard maxBody > 0 else { throw UsageError(message: "--max-body must be > 0") }
        c.host = host
        c.port = port
        c.seed = seed
        c.timeScale = timeScale
        c.controlToken = controlToken
        c.insecureControl = insecureControl
        c.maxKeys = maxKeys
        c.allowFaultHeader = allowFaultHeader
        c.maxBodyBytes = maxBody
        if let threads {
            guard threads > 0 else { throw UsageError(message: "--threads must be > 0") }
            c.threads = threads
        }
        do {
            c.idleTimeout = try DurationFormat.parse(idleTimeout)
        } catch {
            throw UsageError(message: "--idle-timeout: \(error)")
        }
        guard c.idleTimeout > .zero else { throw UsageError(message: "--idle-timeout must be > 0") }
        if let profile {
            do {
                c.profile = try FaultProfile.load(path: profile)
            } catch {
                throw UsageError(message: error.description)
            }
            c.profileText = (try? String(contentsOfFile: profile, encoding: .utf8)) ?? "{}\n"
        }
        do { try c.validate() } catch { throw UsageError(message: error.description) }
        return c
    }
}

/// Waits for the first of some POSIX signals (which are ignored by default handling meanwhile).
enum SignalWaiter {
    static func wait(for signals: [Int32]) async -> Int32 {
        await withCheckedContinuation { (continuation: CheckedContinuation<Int32, Never>) in
            let resumed = Mutex(false)
            var sources: [DispatchSourceSignal] = []
            for sig in signals {
                Foundation.signal(sig, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
                source.setEventHandler {
                    let first = resumed.withLock { r in
                        defer { r = true }
                        return !r
                    }
                    if first { continuation.resume(returning: sig) }
                }
                source.resume()
                sources.append(source)
            }
            // The sources stay alive for the life of the process.
            SignalSources.keep(sources)
        }
    }
}

enum SignalSources {
    nonisolated(unsafe) static var kept: [DispatchSourceSignal] = []
    static func keep(_ s: [DispatchSourceSignal]) { kept += s }
}
