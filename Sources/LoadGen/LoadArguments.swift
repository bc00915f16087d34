import ArgumentParser
import CommandFlags
import Reliability
import Traffic

/// The `squall load` flags, parsed by swift-argument-parser and turned into `LoadRunOptions` with
/// errors that name the flag and what is valid. `validate()` runs every check, so a bad flag exits 2
/// before anything runs; tests call `LoadArguments.parse([...])` without spawning the binary.
/// Value options accept a leading `-` (`--rate -5` is "must not be negative", not "missing value").
public struct LoadArguments: ParsableArguments, Sendable {
    /// `--target raw|stack|tasks`.
    @Option(help: "raw (plain POST /v1/chat/completions), stack (in-process reliability stack) or tasks (POST /tasks + poll).")
    public var target: String
    /// `--url`.
    @Option(parsing: .unconditional, help: "Base URL of the target, e.g. http://127.0.0.1:8080.")
    public var url: String
    /// `--rate R/s` (a plain number means per second).
    @Option(parsing: .unconditional, help: "Open-loop rate, e.g. 2000/s, 300/m or a number per second.")
    public var rate: String?
    /// `--tasks-per-day N`.
    @Option(name: .customLong("tasks-per-day"), parsing: .unconditional, help: "Open-loop rate as tasks per day, e.g. 10000.")
    public var tasksPerDay: String?
    /// `--concurrency C` (closed loop).
    @Option(parsing: .unconditional, help: "Closed loop with C concurrent users (1 to 100000).")
    public var concurrency: Int?
    /// `--duration D` (scenario time).
    @Option(parsing: .unconditional, help: "How long to offer load (scenario time), e.g. 60s, 24h.")
    public var duration: String?
    /// `--tasks N`.
    @Option(parsing: .unconditional, help: "How many tasks to offer.")
    public var tasks: Int?
    /// `--time-scale K` (default 1).
    @OptionGroup public var timeScaleOption: TimeScaleOption
    /// `--duplicates 2%`.
    @Option(parsing: .unconditional, help: "Fraction of tasks resubmitted with the same idempotency key, e.g. 2%.")
    public var duplicates: String?
    /// `--csv FILE`.
    @Option(help: "Stream per-task records to this CSV file.")
    public var csv: String?
    /// `--seed N` (default 1).
    @Option(help: "Seed of arrivals, prompts, duplicates and jitter.")
    public var seed: UInt64 = 1
    /// `--arrival constant|poisson|ramp|diurnal|bursts|replay`.
    @Option(help: "Arrival shape: constant, poisson, ramp, diurnal, bursts or replay.")
    public var arrival: String?
    /// `--process even|poisson`.
    @Option(help: "Spacing: even or poisson (default even for constant, poisson otherwise).")
    public var process: String?
    /// `--ramp-from R`.
    @Option(name: .customLong("ramp-from"), parsing: .unconditional, help: "Ramp: the rate at the start (the ramp ends at --rate).")
    public var rampFrom: String?
    /// `--ramp-over D`.
    @Option(name: .customLong("ramp-over"), parsing: .unconditional, help: "Ramp: how long it takes (default --duration).")
    public var rampOver: String?
    /// `--peak-factor X` (default 2).
    @Option(name: .customLong("peak-factor"), parsing: .unconditional, help: "Diurnal: peak rate ÷ mean rate.")
    public var peakFactor: Double = 2
    /// `--peak-at D` (time of day, default 14h).
    @Option(name: .customLong("peak-at"), parsing: .unconditional, help: "Diurnal: time of day of the peak.")
    public var peakAt: String = "14h"
    /// `--start-at D` (time of day at scenario time 0, default 0s).
    @Option(name: .customLong("start-at"), parsing: .unconditional, help: "Diurnal: time of day at the start of the run.")
    public var startAt: String = "0s"
    /// `--burst-rate R`.
    @Option(name: .customLong("burst-rate"), parsing: .unconditional, help: "Bursts: the rate during a burst.")
    public var burstRate: String?
    /// `--burst-every D` (default 5m).
    @Option(name: .customLong("burst-every"), parsing: .unconditional, help: "Bursts: period; the burst is its last --burst-length.")
    public var burstEvery: String = "5m"
    /// `--burst-length D` (default 30s).
    @Option(name: .customLong("burst-length"), parsing: .unconditional, help: "Bursts: how long each burst lasts.")
    public var burstLength: String = "30s"
    /// `--replay FILE`.
    @Option(help: "Replay: CSV whose first column holds task start timestamps.")
    public var replay: String?
    /// `--max-in-flight N` (default 10,000).
    @Option(name: .customLong("max-in-flight"), parsing: .unconditional, help: "Open loop: most tasks in flight.")
    public var maxInFlight: Int = 10_000
    /// `--when-full drop|wait` (default drop).
    @Option(name: .customLong("when-full"), help: "Open loop at the cap: drop (count as dropped) or wait (start late).")
    public var whenFull: String = "drop"
    /// `--timeout D` (per attempt / per request, scenario time; default 30s).
    @Option(parsing: .unconditional, help: "Per-attempt (stack) or per-request (raw, tasks) timeout, scenario time.")
    public var timeout: String = "30s"
    /// `--poll-interval D` (tasks target; default 1s).
    @Option(name: .customLong("poll-interval"), parsing: .unconditional, help: "Tasks target: time between polls, scenario time.")
    public var pollInterval: String = "1s"
    /// Stack target: `--attempts`, `--backoff-*`, `--jitter`, `--no-breaker`, `--idempotency-ttl`.
    @OptionGroup(title: "Stack target") public var stack: StackFlags
    /// `--no-idempotency` (stack target).
    @Flag(name: .customLong("no-idempotency"), help: "Stack: run without idempotency keys.")
    public var noIdempotency = false
    /// `--connections N` (libcurl's connection cap; default 64).
    @Option(parsing: .unconditional, help: "HTTP connections (libcurl's cap).")
    public var connections: Int = 64
    /// `--no-preflight`.
    @Flag(name: .customLong("no-preflight"), help: "Skip the check that the target answers HTTP.")
    public var noPreflight = false
    /// `--grace D`: after the first SIGINT/SIGTERM, how long tasks in flight may finish (default 5s, real time).
    @Option(parsing: .unconditional, help: "After SIGINT/SIGTERM: how long tasks in flight may finish before they are cancelled (real time).")
    public var grace: String = "5s"
    /// `--log-level` (default warning).
    @OptionGroup public var logLevelOption: LogLevelOption

    /// Every check of `options()`, plus the connection cap and the log level (exit 2 on any).
    public func validate() throws {
        do {
            _ = try options()
            _ = try FlagCheck.connections(connections)
            _ = try logLevelOption.value(default: .warning)
            _ = try FlagCheck.duration(grace, flag: "--grace", max: .seconds(3600))
        } catch let e as ArrivalError {
            throw ValidationError(e.message)
        } catch let e as FlagError {
            throw e.validation
        }
    }

    /// Arguments as the parser creates them (use `LoadArguments.parse([...])`).
    public init() {}

    /// The time scale (`--time-scale`, default 1).
    public var timeScale: Double { timeScaleOption.timeScale ?? 1 }

    /// The run these flags describe. Throws `ArrivalError` naming the flag and what is valid.
    public func options() throws(ArrivalError) -> LoadRunOptions {
        guard let kind = TargetKind(rawValue: target) else {
            throw ArrivalError("--target: '\(target)' is not a target; expected raw, stack or tasks")
        }
        let url = try Self.flag { () throws(FlagError) in try FlagCheck.httpURL(self.url, flag: "--url") }
        let timeScale = try Self.flag { () throws(FlagError) in try timeScaleOption.value() }
        var limitDuration: Duration?
        if let duration { limitDuration = try Self.duration(duration, flag: "--duration", positive: true) }
        let limit = ArrivalLimit(duration: limitDuration, count: tasks)
        if let tasks, !(1...FlagLimits.maxTasks).contains(tasks) {
            throw ArrivalError("--tasks \(tasks): expected 1 to \(FlagLimits.maxTasks)")
        }
        let loadFlags = [rate != nil, tasksPerDay != nil, concurrency != nil].filter { $0 }.count
        let isReplay = arrival == "replay" || replay != nil
        if loadFlags > 1 { throw ArrivalError("give one of --rate, --tasks-per-day or --concurrency") }
        if loadFlags == 0 && !isReplay {
            throw ArrivalError("give one of --rate R/s, --tasks-per-day N or --concurrency C")
        }
        if limit.duration == nil && limit.count == nil && !isReplay {
            throw ArrivalError("give --duration D or --tasks N")
        }
        let model: LoadModel
        if let concurrency {
            guard (1...FlagLimits.maxConcurrency).contains(concurrency) else {
                throw ArrivalError("--concurrency \(concurrency): expected 1 to \(FlagLimits.maxConcurrency)")
            }
            model = .closed(users: concurrency)
        } else {
            let s = try schedule()
            try Self.checkHonourable(s, timeScale: timeScale, flag: rate != nil ? "--rate" : (tasksPerDay != nil ? "--tasks-per-day" : "--arrival"))
            model = .open(s)
        }
        let timeoutD = try Self.duration(timeout, flag: "--timeout", positive: true)
        var stackConfig = try Self.flag { () throws(FlagError) in try stack.apply(to: StackConfig(attemptTimeout: timeoutD)) }
        if noIdempotency { stackConfig.idempotencyTTL = nil }
        var dup = DuplicatePlan()
        if let duplicates {
            do { dup.fraction = try Percent.parse(duplicates) } catch { throw ArrivalError("--duplicates: \(error)") }
            if case .closed = model, dup.fraction > 0 {
                throw ArrivalError("--duplicates needs an open-loop run (--rate, --tasks-per-day or --replay)")
            }
        }
        // `queue` (a scenario's worker pool) keeps every waiting arrival in memory: not for an open-ended load.
        guard let full = WhenFull(rawValue: whenFull), full != .queue else {
            throw ArrivalError("--when-full: '\(whenFull)' is not valid; expected drop or wait")
        }
        guard (1...FlagLimits.maxInFlight).contains(maxInFlight) else {
            throw ArrivalError("--max-in-flight \(maxInFlight): expected 1 to \(FlagLimits.maxInFlight)")
        }
        let poll = try Self.duration(pollInterval, flag: "--poll-interval", positive: true, min: FlagLimits.minPollInterval)
        if let csv, csv.isEmpty { throw ArrivalError("--csv '': expected a file path") }
        return LoadRunOptions(
            target: kind, url: url, model: model, limit: limit, timeScale: timeScale, seed: seed, duplicates: dup,
            maxInFlight: maxInFlight, whenFull: full, stack: stackConfig, requestTimeout: timeoutD, pollInterval: poll,
            csvPath: csv, preflight: !noPreflight)
    }

    /// Refuses an open-loop schedule whose real rate (rate × time scale) is beyond what the load
    /// generator can honour (`FlagLimits.maxRealRate`).
    static func checkHonourable(_ s: ArrivalSchedule, timeScale: Double, flag: String) throws(ArrivalError) {
        let peak: Double
        switch s.shape {
        case .constant(let r): peak = r
        case .ramp(let a, let b, _): peak = Swift.max(a, b)
        case .diurnal(let n, let p, _, _): peak = n / 86_400 * p
        case .bursts(let b): peak = Swift.max(b.base, b.burstRate)
        case .replay: return
        }
        let real = peak * timeScale
        guard real <= FlagLimits.maxRealRate else {
            throw ArrivalError(
                "\(flag): \(Self.rateText(peak))/s\(timeScale == 1 ? "" : " × time scale \(timeScale)") is \(Self.rateText(real)) tasks/s in real time; the load generator can honour at most \(Int(FlagLimits.maxRealRate))/s (see the README's limits)")
        }
    }

    static func rateText(_ v: Double) -> String { v < 1e15 && v == v.rounded() ? String(Int(v)) : String(format: "%g", v) }

    static func flag<T>(_ body: () throws(FlagError) -> T) throws(ArrivalError) -> T {
        do { return try body() } catch { throw ArrivalError(error.message) }
    }

    /// The arrival schedule of an open-loop run.
    public func schedule() throws(ArrivalError) -> ArrivalSchedule {
        let name = arrival ?? (replay != nil ? "replay" : "constant")
        var proc: ArrivalProcess
        switch process {
        case nil: proc = name == "constant" ? .even : .poisson
        case let p?:
            guard let parsed = ArrivalProcess(rawValue: p) else {
                throw ArrivalError("--process: '\(p)' is not valid; expected even or poisson")
            }
            proc = parsed
        }
        func baseRate() throws(ArrivalError) -> Double {
            if let rate { return try Self.rate(rate, flag: "--rate") }
            if let tasksPerDay { return try Self.rate(tasksPerDay.contains("/") ? tasksPerDay : tasksPerDay + "/day", flag: "--tasks-per-day") }
            throw ArrivalError("--arrival \(name) needs --rate or --tasks-per-day")
        }
        switch name {
        case "constant":
            return try ArrivalSchedule(.constant(rate: baseRate()), process: proc)
        case "poisson":
            return try ArrivalSchedule(.constant(rate: baseRate()), process: process == nil ? .poisson : proc)
        case "ramp":
            let to = try baseRate()
            var from = 0.0
            if let rampFrom { from = try Self.rate(rampFrom, flag: "--ramp-from", allowZero: true) }
            let overText = rampOver ?? duration
            guard let overText else { throw ArrivalError("--arrival ramp needs --ramp-over D (or --duration)") }
            let over = try Self.duration(overText, flag: rampOver != nil ? "--ramp-over" : "--duration", positive: true)
            return try ArrivalSchedule(.ramp(from: from, to: to, over: over), process: proc)
        case "diurnal":
            let perDay = try baseRate() * 86_400
            guard peakFactor.isFinite, peakFactor >= 1, peakFactor <= 1000 else {
                throw ArrivalError("--peak-factor \(peakFactor): expected a number from 1 to 1000")
            }
            return try ArrivalSchedule(
                .diurnal(
                    tasksPerDay: perDay, peakFactor: peakFactor, peakAt: Self.duration(peakAt, flag: "--peak-at", max: .seconds(86_400)),
                    startAt: Self.duration(startAt, flag: "--start-at", max: .seconds(86_400))), process: proc)
        case "bursts":
            guard let burstRate else { throw ArrivalError("--arrival bursts needs --burst-rate R") }
            let every = try Self.duration(burstEvery, flag: "--burst-every", positive: true)
            let length = try Self.duration(burstLength, flag: "--burst-length", positive: true)
            guard length <= every else {
                throw ArrivalError("--burst-length: must be at most --burst-every (\(burstEvery)), got \(burstLength)")
            }
            // The burst is the last --burst-length of every period, at --burst-rate; --rate between bursts.
            let rate = try Self.rate(burstRate, flag: "--burst-rate")
            return try ArrivalSchedule(
                .bursts(Bursts(every: every, size: rate * length.seconds, length: length, start: every - length, base: baseRate())),
                process: proc)
        case "replay":
            guard let replay else { throw ArrivalError("--arrival replay needs --replay FILE") }
            return try ArrivalSchedule(.replay(ArrivalReplay.load(path: replay)))
        default:
            throw ArrivalError("--arrival: '\(name)' is not valid; expected constant, poisson, ramp, diurnal, bursts or replay")
        }
    }

    static func duration(
        _ text: String, flag: String, positive: Bool = false, min: Duration = .zero, max: Duration = FlagLimits.maxDuration
    ) throws(ArrivalError) -> Duration {
        try Self.flag { () throws(FlagError) in try FlagCheck.duration(text, flag: flag, positive: positive, min: min, max: max) }
    }

    static func rate(_ text: String, flag: String, allowZero: Bool = false) throws(ArrivalError) -> Double {
        try Self.flag { () throws(FlagError) in try FlagCheck.rate(text, flag: flag, allowZero: allowZero) }
    }
}
