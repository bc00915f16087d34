import ArgumentParser
import Foundation
import LoadGen
import Logging

/// `squall load`: ad-hoc load against a raw OpenAI-compatible endpoint, the in-process stack, or a
/// task service; prints counts, attempts, latency from the intended start and scheduler lag.
struct LoadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Offer load to an LLM endpoint, the in-process stack, or a task service.",
        discussion: """
            Open loop (--rate, --tasks-per-day) sends each task at its intended start and measures latency from \
            it; closed loop (--concurrency) runs C users back to back. --time-scale K compresses scenario time \
            K-fold (rates ×K, durations ÷K); reports speak scenario time, scheduler lag is real time.
            """)

    @Option(help: "raw (plain POST /v1/chat/completions), stack (in-process reliability stack) or tasks (POST /tasks + poll).")
    var target: String
    @Option(help: "Base URL of the target, e.g. http://127.0.0.1:8080.") var url: String
    @Option(help: "Open-loop rate, e.g. 2000/s, 300/m or a number per second.") var rate: String?
    @Option(name: .customLong("tasks-per-day"), help: "Open-loop rate as tasks per day, e.g. 10000.") var tasksPerDay: String?
    @Option(help: "Closed loop with C concurrent users.") var concurrency: Int?
    @Option(help: "How long to offer load (scenario time), e.g. 60s, 24h.") var duration: String?
    @Option(help: "How many tasks to offer.") var tasks: Int?
    @Option(name: .customLong("time-scale"), help: "Time compression K (scenario seconds per real second).") var timeScale: Double = 1
    @Option(help: "Fraction of tasks resubmitted with the same idempotency key, e.g. 2%.") var duplicates: String?
    @Option(help: "Stream per-task records to this CSV file.") var csv: String?
    @Option(help: "Seed of arrivals, prompts, duplicates and jitter.") var seed: UInt64 = 1
    @Option(help: "Arrival shape: constant, poisson, ramp, diurnal, bursts or replay.") var arrival: String?
    @Option(help: "Spacing: even or poisson (default even for constant, poisson otherwise).") var process: String?
    @Option(name: .customLong("ramp-from"), help: "Ramp: the rate at the start (the ramp ends at --rate).") var rampFrom: String?
    @Option(name: .customLong("ramp-over"), help: "Ramp: how long it takes (default --duration).") var rampOver: String?
    @Option(name: .customLong("peak-factor"), help: "Diurnal: peak rate ÷ mean rate.") var peakFactor: Double = 2
    @Option(name: .customLong("peak-at"), help: "Diurnal: time of day of the peak.") var peakAt: String = "14h"
    @Option(name: .customLong("start-at"), help: "Diurnal: time of day at the start of the run.") var startAt: String = "0s"
    @Option(name: .customLong("burst-rate"), help: "Bursts: the rate during a burst.") var burstRate: String?
    @Option(name: .customLong("burst-every"), help: "Bursts: period; the burst is its last --burst-length.") var burstEvery: String = "5m"
    @Option(name: .customLong("burst-length"), help: "Bursts: how long each burst lasts.") var burstLength: String = "30s"
    @Option(help: "Replay: CSV whose first column holds task start timestamps.") var replay: String?
    @Option(name: .customLong("max-in-flight"), help: "Open loop: most tasks in flight.") var maxInFlight: Int = 10_000
    @Option(name: .customLong("when-full"), help: "Open loop at the cap: drop (count as dropped) or wait (start late).")
    var whenFull: String = "drop"
    @Option(help: "Per-attempt (stack) or per-request (raw, tasks) timeout, scenario time.") var timeout: String = "30s"
    @Option(name: .customLong("poll-interval"), help: "Tasks target: time between polls, scenario time.") var pollInterval: String = "1s"
    @Option(help: "Stack: attempts per task, including the first (default 5).") var attempts: Int?
    @Flag(name: .customLong("no-breaker"), help: "Stack: run without a circuit breaker.") var noBreaker = false
    @Flag(name: .customLong("no-idempotency"), help: "Stack: run without idempotency keys.") var noIdempotency = false
    @Option(name: .customLong("idempotency-ttl"), help: "Stack: idempotency TTL (default 24h).") var idempotencyTTL: String?
    @Option(help: "HTTP connections (libcurl's cap).") var connections: Int = 64
    @Flag(name: .customLong("no-preflight"), help: "Skip the check that the target answers HTTP.") var noPreflight = false
    @Option(name: .customLong("log-level"), help: "Log level on stderr: trace, debug, info, notice, warning, error.")
    var logLevel: String = "warning"

    func run() async throws {
        var a = LoadArguments()
        a.target = target
        a.url = url
        a.rate = rate
        a.tasksPerDay = tasksPerDay
        a.concurrency = concurrency
        a.duration = duration
        a.tasks = tasks
        a.timeScale = timeScale
        a.duplicates = duplicates
        a.csv = csv
        a.seed = seed
        a.arrival = arrival
        a.process = process
        a.rampFrom = rampFrom
        a.rampOver = rampOver
        a.peakFactor = peakFactor
        a.peakAt = peakAt
        a.startAt = startAt
        a.burstRate = burstRate
        a.burstEvery = burstEvery
        a.burstLength = burstLength
        a.replay = replay
        a.maxInFlight = maxInFlight
        a.whenFull = whenFull
        a.timeout = timeout
        a.pollInterval = pollInterval
        a.attempts = attempts
        a.noBreaker = noBreaker
        a.noIdempotency = noIdempotency
        a.idempotencyTTL = idempotencyTTL
        a.noPreflight = noPreflight
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw UsageError(message: "--log-level: '\(logLevel)' is not valid; expected trace, debug, info, notice, warning or error")
        }
        guard connections >= 1 else { throw UsageError(message: "--connections: must be at least 1, got \(connections)") }
        var options: LoadRunOptions
        do { options = try a.options() } catch { throw UsageError(message: error.message) }
        options.progress = true
        var logger = Logger(label: "squall.load", factory: { StreamLogHandler.standardError(label: $0) })
        logger.logLevel = level

        let client: CurlLoadClient
        do { client = try CurlLoadClient(maxConnections: connections) } catch { throw RunFailure(message: error.description) }
        let result: LoadRunResult
        do {
            result = try await LoadRun.run(options, client: client, logger: logger)
        } catch {
            await client.shutdown()
            switch error {
            case .invalidOptions(let m): throw UsageError(message: m)
            case .unreachable(let m), .output(let m): throw RunFailure(message: m)
            }
        }
        await client.shutdown()
        print(result.summary.render())
    }
}
