import LiveRuntime
import Logging
import Reliability
import Traffic
import Synchronization

/// How load is offered.
public enum LoadModel: Sendable {
    /// Open loop: tasks start on `schedule`'s intended starts.
    case open(ArrivalSchedule)
    /// Closed loop: `users` concurrent users, each sending as soon as its previous task ends.
    case closed(users: Int)
}

/// Everything a load run needs besides the HTTP client.
public struct LoadRunOptions: Sendable {
    /// Which target.
    public var target: TargetKind
    /// The target's base URL (OpenAI-compatible for raw/stack, the task service for tasks).
    public var url: String
    /// Open or closed loop.
    public var model: LoadModel
    /// When to stop: scenario duration and/or number of tasks.
    public var limit: ArrivalLimit
    /// Time compression K. Default 1.
    public var timeScale: Double
    /// Seed of arrivals, prompts, duplicates and jitter. Default 1.
    public var seed: UInt64
    /// Prompts to draw from. Default `TaskFactory.defaultPrompts`.
    public var prompts: [WeightedPrompt]
    /// Duplicate injection (open loop). Default none.
    public var duplicates: DuplicatePlan
    /// In-flight cap (open loop). Default 10,000. It bounds memory too: each task in flight holds
    /// its coroutine frames and request (about 10 KB through the stack target).
    public var maxInFlight: Int
    /// What an arrival does at the cap. Default drop.
    public var whenFull: WhenFull
    /// The stack's configuration (target stack). Default `StackConfig()`.
    public var stack: StackConfig
    /// Per-request timeout for raw/tasks, scenario time. Default 30 s.
    public var requestTimeout: Duration
    /// Poll interval of the tasks target, scenario time. Default 1 s.
    public var pollInterval: Duration
    /// Where to stream per-task CSV records; nil for none.
    public var csvPath: String?
    /// Keep every record in memory and return it. Default false. This grows with the run (one record
    /// per task): for tests and short runs only; long runs stream records with `csvPath` (the CLI does).
    public var collectRecords: Bool
    /// Keep every task event (stack target) and return it. Default false. Grows with the run, like
    /// `collectRecords`: for tests and short runs only.
    public var collectEvents: Bool
    /// Check the target answers HTTP before starting. Default true.
    public var preflight: Bool
    /// Show the progress line when stderr is a terminal. Default false.
    public var progress: Bool
    /// Sends later than this (real time) count as late. Default 10 ms.
    public var lateThreshold: Duration
    /// The run id prefixing keys and task ids (`RUN-INDEX`), so reruns against a persistent store
    /// never replay each other; nil keeps `squall-<seed>`. Default nil (`squall load` draws one per run).
    public var runID: String? = nil
    /// Append the run's `SquallTag` to every prompt (needs `runID`), so a mock attributes each LLM
    /// call to its key. Default false (`squall load` turns it on unless `--no-tag`).
    public var tagging = false
    /// How the tasks target talks to the service. Default the reference contract.
    public var contract: TaskContract = .reference
    /// Offer only this shard's slice of the open-loop schedule (`OpenLoopOptions.shard`); nil
    /// offers all of it. Default nil. A closed loop has no schedule to slice: `run` refuses it.
    public var shard: Shard? = nil

    /// Creates options; see each field for its default.
    public init(
        target: TargetKind, url: String, model: LoadModel, limit: ArrivalLimit, timeScale: Double = 1, seed: UInt64 = 1,
        prompts: [WeightedPrompt] = TaskFactory.defaultPrompts, duplicates: DuplicatePlan = DuplicatePlan(),
        maxInFlight: Int = 10_000, whenFull: WhenFull = .drop, stack: StackConfig = StackConfig(),
        requestTimeout: Duration = .seconds(30), pollInterval: Duration = .seconds(1), csvPath: String? = nil,
        collectRecords: Bool = false, collectEvents: Bool = false, preflight: Bool = true, progress: Bool = false,
        lateThreshold: Duration = .milliseconds(10)
    ) {
        self.target = target
        self.url = url
        self.model = model
        self.limit = limit
        self.timeScale = timeScale
        self.seed = seed
        self.prompts = prompts
        self.duplicates = duplicates
        self.maxInFlight = maxInFlight
        self.whenFull = whenFull
        self.stack = stack
        self.requestTimeout = requestTimeout
        self.pollInterval = pollInterval
        self.csvPath = csvPath
        self.collectRecords = collectRecords
        self.collectEvents = collectEvents
        self.preflight = preflight
        self.progress = progress
        self.lateThreshold = lateThreshold
    }
}

/// What a load run produced.
public struct LoadRunResult: Sendable {
    /// Counts, attempts, latency and lag.
    public var summary: LoadSummary
    /// Every record, in completion order (only with `collectRecords`).
    public var records: [LoadTaskRecord]
    /// Every task event of the stack target, in order of occurrence per task (only with `collectEvents`).
    public var events: [LiveEvent]
}

/// Runs load against a target. This is what `squall load` calls, and the seam the scenario runner
/// uses for live mode (target `stack`, `collectRecords`/`collectEvents` on).
public enum LoadRun {
    /// Runs `options` through `client`, on `clock` (default the continuous clock). Throws
    /// `LoadError` when the run cannot be carried out (preflight failed, CSV not writable, bad options).
    /// Without a `logger` the run logs nothing (the CLI passes its own, at the `--log-level` asked for):
    /// a library caller must not get a line per retry on stdout.
    public static func run(
        _ options: LoadRunOptions, client: any LoadHTTPClient, clock: any Clock<Duration> = ContinuousClock(),
        logger: Logger = Logger(label: "squall.load", factory: { _ in SwiftLogNoOpLogHandler() })
    ) async throws(LoadError) -> LoadRunResult {
        guard options.timeScale > 0, options.timeScale.isFinite else {
            throw .invalidOptions("time scale must be a positive number, got \(options.timeScale)")
        }
        guard options.limit.duration != nil || options.limit.count != nil || isReplay(options.model) else {
            throw .invalidOptions("a run needs a duration or a number of tasks")
        }
        if options.shard != nil, case .closed = options.model {
            throw .invalidOptions("--shard needs an open-loop run (--rate, --tasks-per-day or --replay): a closed loop has no schedule to slice")
        }
        if options.preflight {
            try await Preflight.check(url: options.url, path: options.target == .tasks ? options.contract.healthPath : "/v1/models", client: client)
        }
        let records = Collector<LoadTaskRecord>()
        let events = Collector<LiveEvent>()
        var onRecord: (@Sendable (LoadTaskRecord) -> Void)?
        if options.collectRecords { onRecord = { records.append($0) } }
        var onEvent: LiveEventHandler?
        if options.collectEvents { onEvent = { events.append($0) } }
        let recorder = try LoadRecorder(csvPath: options.csvPath, lateThreshold: options.lateThreshold, onRecord: onRecord)
        let timeline = LiveTimeline(clock: clock, scale: options.timeScale)
        let target: any LoadTarget
        var probe: ServiceLatencyProbe?
        switch options.target {
        case .raw:
            target = RawTarget(
                baseURL: options.url, client: client, prompts: options.prompts,
                timeout: timeline.toReal(options.requestTimeout))
        case .stack:
            // Keys are unique per run: the store forgets each once no later submission can find it,
            // so it holds the keys in flight, not every key of the TTL (exact; see RunIdempotencyStore).
            let store = options.stack.idempotencyTTL == nil ? nil : RunIdempotencyStore()
            let executor = LiveExecutor(
                config: options.stack, transport: HTTPLLMTransport(baseURL: options.url, client: client),
                timeline: timeline, idempotency: store ?? InMemoryIdempotencyStore(), seed: options.seed, logger: logger,
                onEvent: onEvent)
            target = StackTarget(executor: executor, runStore: store)
        case .tasks:
            let p = ServiceLatencyProbe()
            probe = p
            target = TasksTarget(
                baseURL: options.url, client: client, timeline: timeline, contract: options.contract, pollInterval: options.pollInterval,
                requestTimeout: timeline.toReal(options.requestTimeout), probe: p)
        }
        // A task service's health path (the contract's, default /health), sampled at a fixed real interval for the whole run.
        let sampler = probe.map { p in
            Task {
                await HealthSampler.run(
                    urls: [TasksTarget.trimmed(options.url)], path: options.contract.healthPath, probe: p, client: client,
                    timeout: timeline.toReal(options.requestTimeout))
            }
        }
        let factory = TaskFactory(
            prompts: options.prompts, seed: options.seed, keyPrefix: options.runID,
            tagRun: options.tagging ? options.runID : nil)
        var total: Int?
        var schedule: ArrivalSchedule?
        if case .open(let s) = options.model {
            schedule = s
            if let d = options.limit.duration {
                let expected = Int(s.expectedCount(in: d).rounded())
                total = options.limit.count.map { min($0, expected) } ?? expected
            } else {
                total = options.limit.count
            }
            if let shard = options.shard { total = total.map { shard.size(of: $0) } }
        } else {
            total = options.limit.count
        }
        let progress = options.progress ? ProgressLine.start(recorder: recorder, total: total, target: target) : nil
        let offered: Int
        switch options.model {
        case .open:
            var dup = options.duplicates
            if dup.ttl == nil { dup.ttl = options.target == .raw ? nil : options.stack.idempotencyTTL }
            var horizon = options.limit.duration
            if horizon == nil, let count = options.limit.count, let p = schedule?.profile, let end = p.inverse(Double(count)) {
                horizon = .fromSeconds(end)
            }
            offered = await LoadDriver.openLoop(
                times: schedule!.times(seed: options.seed, limit: options.limit), factory: factory, target: target,
                timeline: timeline,
                options: OpenLoopOptions(
                    maxInFlight: options.maxInFlight, whenFull: options.whenFull, duplicates: dup, duplicateHorizon: horizon,
                    seed: options.seed, shard: options.shard),
                recorder: recorder)
        case .closed(let users):
            offered = await LoadDriver.closedLoop(
                users: users, limit: options.limit, factory: factory, target: target, timeline: timeline,
                recorder: recorder, executor: client.preferredExecutor)
        }
        let realElapsed = timeline.realElapsed()
        sampler?.cancel()
        _ = await sampler?.value
        progress?.cancel()
        _ = await progress?.value
        recorder.close()
        var summary = recorder.summary(
            target: target.name, timeScale: options.timeScale, realElapsed: realElapsed, offered: offered,
            breaker: target.breakerState)
        summary.serviceLatency = probe?.summary()
        return LoadRunResult(
            summary: summary, records: records.items, events: events.items)
    }

    private static func isReplay(_ model: LoadModel) -> Bool {
        if case .open(let s) = model, case .replay = s.shape { return true }
        return false
    }
}

/// A thread-safe append-only list.
final class Collector<Element: Sendable>: Sendable {
    private let storage = Mutex<[Element]>([])
    func append(_ e: Element) { storage.withLock { $0.append(e) } }
    var items: [Element] { storage.withLock { $0 } }
}
