import Reliability
import Traffic

/// The `squall load` flags as text, turned into `LoadRunOptions` with errors that name the flag and
/// what is valid. Kept here (not in the CLI) so it is tested without spawning the binary.
public struct LoadArguments: Sendable {
    /// `--target raw|stack|tasks`.
    public var target: String = "raw"
    /// `--url`.
    public var url: String = ""
    /// `--rate R/s` (a plain number means per second).
    public var rate: String?
    /// `--tasks-per-day N`.
    public var tasksPerDay: String?
    /// `--concurrency C` (closed loop).
    public var concurrency: Int?
    /// `--duration D` (scenario time).
    public var duration: String?
    /// `--tasks N`.
    public var tasks: Int?
    /// `--time-scale K`.
    public var timeScale: Double = 1
    /// `--duplicates 2%`.
    public var duplicates: String?
    /// `--csv FILE`.
    public var csv: String?
    /// `--seed N`.
    public var seed: UInt64 = 1
    /// `--arrival constant|poisson|ramp|diurnal|bursts|replay`.
    public var arrival: String?
    /// `--process even|poisson`.
    public var process: String?
    /// `--ramp-from R`.
    public var rampFrom: String?
    /// `--ramp-over D`.
    public var rampOver: String?
    /// `--peak-factor X`.
    public var peakFactor: Double = 2
    /// `--peak-at D` (time of day).
    public var peakAt: String = "14h"
    /// `--start-at D` (time of day at scenario time 0).
    public var startAt: String = "0s"
    /// `--burst-rate R`.
    public var burstRate: String?
    /// `--burst-every D`.
    public var burstEvery: String = "5m"
    /// `--burst-length D`.
    public var burstLength: String = "30s"
    /// `--replay FILE`.
    public var replay: String?
    /// `--max-in-flight N`.
    public var maxInFlight: Int = 10_000
    /// `--when-full drop|wait`.
    public var whenFull: String = "drop"
    /// `--timeout D` (per attempt / per request, scenario time).
    public var timeout: String = "30s"
    /// `--poll-interval D` (tasks target).
    public var pollInterval: String = "1s"
    /// `--attempts N` (stack target).
    public var attempts: Int?
    /// `--no-breaker` (stack target).
    public var noBreaker = false
    /// `--no-idempotency` (stack target).
    public var noIdempotency = false
    /// `--idempotency-ttl D` (stack target; also the wait of after-TTL duplicates).
    public var idempotencyTTL: String?
    /// `--no-preflight`.
    public var noPreflight = false

    /// Empty arguments (every default as documented on the fields).
    public init() {}

    /// The run these flags describe. Throws `ArrivalError` naming the flag and what is valid.
    public func options() throws(ArrivalError) -> LoadRunOptions {
        guard let kind = TargetKind(rawValue: target) else {
            throw ArrivalError("--target: '\(target)' is not a target; expected raw, stack or tasks")
        }
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
            throw ArrivalError("--url: '\(url)' must be an http:// or https:// URL")
        }
        guard timeScale > 0, timeScale.isFinite else {
            throw ArrivalError("--time-scale: must be a positive number, got \(timeScale)")
        }
        var limitDuration: Duration?
        if let duration { limitDuration = try Self.duration(duration, flag: "--duration") }
        let limit = ArrivalLimit(duration: limitDuration, count: tasks)
        if let tasks, tasks < 1 { throw ArrivalError("--tasks: must be at least 1, got \(tasks)") }
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
            guard concurrency >= 1 else { throw ArrivalError("--concurrency: must be at least 1, got \(concurrency)") }
            model = .closed(users: concurrency)
        } else {
            model = .open(try schedule())
        }
        var stack = StackConfig(attemptTimeout: try Self.duration(timeout, flag: "--timeout"))
        if let attempts {
            guard attempts >= 1 else { throw ArrivalError("--attempts: must be at least 1, got \(attempts)") }
            stack.retry.maxAttempts = attempts
        }
        if noBreaker { stack.breaker = nil }
        if let idempotencyTTL { stack.idempotencyTTL = try Self.duration(idempotencyTTL, flag: "--idempotency-ttl") }
        if noIdempotency { stack.idempotencyTTL = nil }
        var dup = DuplicatePlan()
        if let duplicates {
            do { dup.fraction = try Percent.parse(duplicates) } catch { throw ArrivalError("--duplicates: \(error)") }
            if case .closed = model, dup.fraction > 0 {
                throw ArrivalError("--duplicates needs an open-loop run (--rate, --tasks-per-day or --replay)")
            }
        }
        guard let full = WhenFull(rawValue: whenFull) else {
            throw ArrivalError("--when-full: '\(whenFull)' is not valid; expected drop or wait")
        }
        guard maxInFlight >= 1 else { throw ArrivalError("--max-in-flight: must be at least 1, got \(maxInFlight)") }
        return LoadRunOptions(
            target: kind, url: url, model: model, limit: limit, timeScale: timeScale, seed: seed, duplicates: dup,
            maxInFlight: maxInFlight, whenFull: full, stack: stack,
            requestTimeout: try Self.duration(timeout, flag: "--timeout"),
            pollInterval: try Self.duration(pollInterval, flag: "--poll-interval"), csvPath: csv,
            preflight: !noPreflight)
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
            if let rampFrom { from = try Self.rate(rampFrom, flag: "--ramp-from") }
            let overText = rampOver ?? duration
            guard let overText else { throw ArrivalError("--arrival ramp needs --ramp-over D (or --duration)") }
            let over = try Self.duration(overText, flag: rampOver != nil ? "--ramp-over" : "--duration")
            return try ArrivalSchedule(.ramp(from: from, to: to, over: over), process: proc)
        case "diurnal":
            let perDay = try baseRate() * 86_400
            return try ArrivalSchedule(
                .diurnal(
                    tasksPerDay: perDay, peakFactor: peakFactor, peakAt: Self.duration(peakAt, flag: "--peak-at"),
                    startAt: Self.duration(startAt, flag: "--start-at")), process: proc)
        case "bursts":
            guard let burstRate else { throw ArrivalError("--arrival bursts needs --burst-rate R") }
            let every = try Self.duration(burstEvery, flag: "--burst-every")
            let length = try Self.duration(burstLength, flag: "--burst-length")
            guard length > .zero, length <= every else {
                throw ArrivalError("--burst-length: must be positive and at most --burst-every (\(burstEvery)), got \(burstLength)")
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

    static func duration(_ text: String, flag: String) throws(ArrivalError) -> Duration {
        do { return try DurationFormat.parse(text) } catch { throw ArrivalError("\(flag): \(error)") }
    }

    static func rate(_ text: String, flag: String) throws(ArrivalError) -> Double {
        if let v = Double(text), v > 0, v.isFinite { return v }
        do { return try Rate.parse(text) } catch { throw ArrivalError("\(flag): \(error)") }
    }
}
