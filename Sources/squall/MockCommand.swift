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
            (/_squall/profile, /_squall/reset, /_squall/run, /_squall/calls, /_squall/stats) and /metrics. Faults, latency and rate limits \
            come from the profile (the same block as a scenario's 'llm:' section). Prints its URL, then \
            serves until SIGINT or SIGTERM.
            """)

    @Option(help: "Address to bind: an IPv4 or IPv6 address, or localhost.") var host: String = "127.0.0.1"
    @Option(parsing: .unconditional, help: "Port to bind (0 picks a free one).") var port: Int = 8080
    @Option(help: "Fault profile YAML file (latency, stream, reply, faults, rate_limits, ...).") var profile: String?
    @Option(parsing: .unconditional, help: "Seed for every random draw.") var seed: UInt64 = 1
    @Option(name: .customLong("time-scale"), parsing: .unconditional, help: "Divide every configured duration by this factor (0 < K <= 1000000).")
    var timeScale: Double = 1
    @Option(name: .customLong("control-token"), help: "Require 'Authorization: Bearer TOKEN' on the control API (else loopback only).")
    var controlToken: String?
    @Flag(name: .customLong("insecure-control"), help: "Without --control-token, answer the control API from any address (needed to bind beyond loopback without a token).")
    var insecureControl = false
    @Flag(name: .customLong("allow-fault-header"), help: "Honour the per-request 'x-squall-fault: status=503' header.")
    var allowFaultHeader = false
    @Option(name: .customLong("max-body"), parsing: .unconditional, help: "Largest request body in bytes (larger gets 413; 1 to 1073741824).")
    var maxBody: Int = 4 << 20
    @Option(name: .customLong("idle-timeout"), parsing: .unconditional, help: "Close connections idle (or stuck mid-request) this long, e.g. 60s (1ms to 24h).")
    var idleTimeout: String = "60s"
    @Option(parsing: .unconditional, help: "Event-loop threads, 1 to \(MockServerConfig.maxThreads) (default: one per core).") var threads: Int?
    @Option(name: .customLong("max-connections"), parsing: .unconditional, help: "Connections served at once; more get 503 (default: the file-descriptor limit less a reserve).")
    var maxConnections: Int?
    @Option(name: .customLong("call-log"), parsing: .unconditional, help: "Records the call log keeps (GET /_squall/calls; the oldest is overwritten).")
    var callLog: Int = CallLog.defaultCapacity
    @Option(name: .customLong("max-keys"), parsing: .unconditional, help: "Idempotency keys counted per key in stats (oldest evicted first).")
    var maxKeys: Int = MockStats.defaultMaxKeys

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
        c.host = host
        c.port = port
        c.seed = seed
        c.timeScale = timeScale
        c.controlToken = controlToken
        c.insecureControl = insecureControl
        c.allowFaultHeader = allowFaultHeader
        c.maxBodyBytes = maxBody
        c.maxConnections = maxConnections
        c.maxKeys = maxKeys
        c.callLogCapacity = callLog
        if let threads { c.threads = threads }
        do {
            c.idleTimeout = try DurationFormat.parse(idleTimeout)
        } catch {
            throw UsageError(message: "--idle-timeout \(idleTimeout): \(error)")
        }
        do { try c.validate() } catch { throw UsageError(message: error.description) }
        if let profile {
            do {
                c.profile = try FaultProfile.load(path: profile)
            } catch {
                throw UsageError(message: error.description)
            }
            c.profileText = (try? String(contentsOfFile: profile, encoding: .utf8)) ?? "{}\n"
        }
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
