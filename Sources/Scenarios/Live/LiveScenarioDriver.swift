import Foundation
import LiveRuntime
import LoadGen
import MockLLM
import Reliability
import Synchronization
import Traffic

/// Runs a scenario over real sockets in wall-clock time (compressed by `LiveOptions.timeScale`):
/// a mock Squall owns (in process with the scenario's `llm:` profile, on `--mock-port` /
/// `llm: { listen: }` or a free port, or an external `squall mock` at `--llm-url` configured with
/// `POST /_squall/run`), the scenario's exact submission sequence (`SubmissionSchedule`, the same the
/// simulator sends for the seed), each task through the in-process reliability stack (`LiveExecutor`
/// over libcurl) or through a task service (`--target-url`, POST /tasks then polling). Results fill
/// the same `ScenarioResult` as the simulator's, in scenario time; every LLM-side figure comes from
/// the mock's call log (`CallLogFeeder`), for every target.
public struct LiveScenarioDriver: ScenarioDriver {
    /// Live options (time scale, endpoints).
    public var options: LiveOptions
    /// How long tasks may keep running after the last arrival, scenario time. Default 10 min.
    public var drainLimit: Duration
    /// Most connections the libcurl client opens. Default 256.
    public var maxConnections: Int
    /// Test hook: real time added to every LLM attempt of the in-process stack before it is sent,
    /// measured as overhead (a planted distortion for the timing-fidelity check). Default zero.
    public var plantedAttemptDelay: Duration = .zero

    /// Creates a driver.
    public init(options: LiveOptions, drainLimit: Duration = .seconds(600), maxConnections: Int = 256) {
        self.options = options
        self.drainLimit = drainLimit
        self.maxConnections = maxConnections
    }

    /// Always `.live`.
    public var mode: RunMode { .live }

    /// What a foreign task service (`--target-url`) lets Squall observe: task outcomes and its API
    /// by polling, LLM calls through Squall's mock (required with a target); not its stack's events.
    public static let foreignTargetEvidence: Set<EvidenceKind> = [.taskOutcomes, .serviceAPI, .llmCalls]

    public func run(_ scenario: Scenario, seed: UInt64?, tasksCSV: String?) async throws -> ScenarioResult {
        let seed = seed ?? scenario.seed
        let tasksFile = try tasksCSV.map { (path) throws(ScenarioRunError) in try TaskCSVWriter(path: path) }
        guard options.timeScale > 0, options.timeScale.isFinite else {
            throw ScenarioRunError("--time-scale must be a positive number, got \(options.timeScale)")
        }
        if options.shard != nil, let problem = LiveShardCheck.problem(
            scenario, .init(llmURL: options.llmURL, targetURL: options.targetURL, mockPort: options.mockPort, autoTimeScale: false))
        {
            throw ScenarioRunError(problem)  // `squall run` says so before the run (exit 2); a library caller gets it here
        }
        if let spec = scenario.service, options.targetURL == nil {
            // `service:` — through in-process replicas of the task service (ServiceLiveRun.swift).
            return try await ServiceLiveRun(scenario: scenario, spec: spec, seed: seed, options: options, drainLimit: drainLimit)
                .run(maxConnections: maxConnections, tasksFile: tasksFile)
        }
        if let launch = scenario.launch {
            // `target: { command: … }` — Squall starts the team's service itself (LaunchedServiceRun.swift).
            if let url = options.targetURL {
                throw ScenarioRunError(
                    "--target-url \(url) and the scenario's target.command both name the service to drive; give one "
                        + "(drop --target-url to let Squall start it, or drop target.command to drive a service you started)")
            }
            return try await LaunchedServiceRun(scenario: scenario, launch: launch, seed: seed, options: options, drainLimit: drainLimit)
                .run(
                    maxConnections: maxConnections, tasksFile: tasksFile,
                    logDirectory: tasksCSV.map { URL(fileURLWithPath: $0).deletingLastPathComponent().path })
        }
        do {
            try ServiceLatencyExpectation.requireService(
                scenario, measuresService: options.targetURL != nil,
                target: "the in-process stack (no 'service:', no --target-url)")
        } catch {
            throw ScenarioRunError(error.message)
        }
        if options.targetURL != nil, let problem = Self.unreachableMock(scenario, options) {
            throw ScenarioRunError(problem)
        }
        if let target = options.targetURL {
            // The same check `squall run` makes before any run (exit 2 there): no library caller may
            // get a verdict on what a foreign service cannot show.
            do {
                try ObservabilityCheck.require(
                    scenario, provided: Self.foreignTargetEvidence, target: "--target-url \(target) (a task service Squall did not build)")
            } catch {
                throw ScenarioRunError(error.message)
            }
        }
        let client: CurlLoadClient
        do {
            client = try CurlLoadClient(maxConnections: maxConnections)
        } catch {
            throw ScenarioRunError("cannot start the HTTP client: \(error)")
        }
        let endpoint: LLMEndpoint
        do {
            endpoint = try await LLMEndpoint.make(
                scenario: scenario, seed: seed, timeScale: options.timeScale, given: options.llmURL,
                listen: options.listen(scenario), client: client, token: options.mockToken)
        } catch {
            await client.shutdown()
            throw error
        }
        let mock = endpoint.mock
        let attribution = RunAttribution(run: options.runID, tagging: options.tagging && scenario.tagging)
        var run = LiveRun(scenario: scenario, seed: seed, options: options, drainLimit: drainLimit)
        run.plantedAttemptDelay = plantedAttemptDelay
        var mockOrigin: Int64?
        do {
            if let target = options.targetURL {
                try await Preflight.check(url: target, path: (scenario.target ?? .reference).healthPath, client: client)
            }
            // Scenario time 0 at the mock == scenario time 0 here: the timeline starts right after,
            // and the mock's times are shifted by the measured difference of the two origins.
            mockOrigin = try await endpoint.startRun(
                attribution, scenario: scenario, seed: seed, timeScale: options.timeScale, client: client,
                join: options.shard == nil ? nil : options.startDelay)
        } catch {
            await client.shutdown()
            await mock?.stop()
            throw ScenarioRunError("\(error)")
        }
        let (timeline, offset) = await LiveJoin.timeline(mockOrigin: mockOrigin, options: options)
        let (result, fileError) = await run.execute(
            llmURL: endpoint.url, client: client, callLog: endpoint.callLog, attribution: attribution, tasksFile: tasksFile,
            timeline: timeline, mockTimeOffset: offset)
        await client.shutdown()
        await mock?.stop()
        if let fileError { throw ScenarioRunError(fileError) }
        return result
    }

    /// Why a task service at `--target-url` could not reach Squall's mock, or nil when it can: it
    /// needs a mock on an address it can be configured with (`--mock-port`, `llm: { listen: }`) or
    /// an external `squall mock` (`--llm-url`).
    public static func unreachableMock(_ scenario: Scenario, _ options: LiveOptions) -> String? {
        guard options.targetURL != nil, options.llmURL == nil, options.listen(scenario) == nil else { return nil }
        return """
            --target-url drives a service that calls an LLM itself, and Squall's mock is the only source of its LLM-side \
            figures, so the service must call Squall's mock: give --mock-port PORT (or `llm: { listen: 127.0.0.1:PORT }` \
            in the scenario) and start the service with its LLM base URL at http://127.0.0.1:PORT/v1 \
            (e.g. OPENAI_BASE_URL / GROQ_BASE_URL), or run `squall mock --port PORT` yourself and pass --llm-url http://127.0.0.1:PORT
            """
    }
}

extension LiveOptions {
    /// Where the in-process mock listens: `--mock-port` on the scenario's host (or 127.0.0.1), else
    /// the scenario's `llm: { listen: }`, else nil (a free port).
    func listen(_ scenario: Scenario) -> LLMListen? {
        if let mockPort { return LLMListen(host: scenario.llmListen?.host ?? "127.0.0.1", port: mockPort) }
        return scenario.llmListen
    }
}

/// One live run: shared state between the scheduling loop and the tasks.
struct LiveRun: Sendable {
    let scenario: Scenario
    let seed: UInt64
    let options: LiveOptions
    let drainLimit: Duration
    let routes: [Route]
    /// Real time added to every LLM attempt of the in-process stack (`LiveScenarioDriver.plantedAttemptDelay`).
    var plantedAttemptDelay: Duration = .zero

    /// Real time between reads of the mock's call log during the run.
    static let drainInterval = Duration.milliseconds(200)

    init(scenario: Scenario, seed: UInt64, options: LiveOptions, drainLimit: Duration) {
        self.scenario = scenario
        self.seed = seed
        self.options = options
        self.drainLimit = drainLimit
        routes = scenario.load.prompts.map { scenario.stack.router.route($0.text) }
    }

    /// What the run tracks besides the recorder: the call-log feeder and the keys it can still see
    /// (for attributing calls and comparing replays; bounded by the keys in flight: `LiveKeyBook`).
    struct Books: Sendable {
        var recorder: ResultRecorder
        var feeder: CallLogFeeder
        var keyBook = LiveKeyBook()
        var readError: String?
        var finished = 0
    }

    /// The books behind a lock, shared by the pacing loop, the tasks, the call-log reader and the event handler.
    final class SharedBooks: Sendable {
        private let state: Mutex<Books>
        init(_ books: Books) { state = Mutex(books) }
        func withLock<R>(_ body: (inout Books) -> R) -> R { state.withLock { body(&$0) } }
    }

    /// Runs the schedule through LoadGen's open-loop pacing (`LoadDriver.pace`) and `target`,
    /// streaming `tasks.csv` to `tasksFile` when given; returns the result and the file's write
    /// error, if any. Every LLM-side figure (calls, tokens, cost, executions per key, calls per
    /// window) comes from `callLog`, drained during the run and at its end (`CallLogFeeder`). A
    /// caller may pass its own `target` (a task service), say whether breaker transitions will be
    /// recorded (`breakerObserved`), and receive a way to record into the run's recorder from a
    /// side task (`attach`, called once before the first arrival). `timeline` must start at the
    /// mock's run start.
    func execute(
        llmURL: String, client: CurlLoadClient, callLog: any CallLogSource, attribution: RunAttribution,
        tasksFile: TaskCSVWriter? = nil, target given: LiveTarget? = nil, timeline: LiveTimeline, mockTimeOffset: Duration = .zero,
        breakerObserved: Bool? = nil, service: ServiceProbe? = nil,
        attach: ((@escaping @Sendable (@Sendable (inout ResultRecorder) -> Void) -> Void) -> Void)? = nil
    ) async -> (ScenarioResult, String?) {
        let recorder = Self.recorder(
            scenario, seed: seed, foreignTarget: options.targetURL != nil,
            breakerObserved: breakerObserved ?? (scenario.stack.breaker != nil && options.targetURL == nil), tasksFile: tasksFile)
        var feeder = CallLogFeeder(run: attribution.run, tagged: attribution.tagging, source: callLog.label)
        feeder.timeOffset = mockTimeOffset
        feeder.shard = options.shard
        let books = SharedBooks(Books(recorder: recorder, feeder: feeder))
        // Timing fidelity: submissions' lag is measured by the pacing below, timers' (backoff, polls)
        // by the timeline the tasks sleep on, attempts' overhead by the stack's HTTP client.
        let probe = FidelityProbe(planted: plantedAttemptDelay)
        let taskTimeline = timeline.reportingWakeLag { probe.lag($0, timer: true) }

        attach?({ body in books.withLock { body(&$0.recorder) } })
        let target: LiveTarget
        var service = service
        if let given {
            target = given
        } else if let url = options.targetURL {
            let latency = ServiceLatencyProbe()
            service = ServiceProbe(probe: latency, urls: [url], healthPath: (scenario.target ?? .reference).healthPath)
            target = .service(
                TasksTarget(
                    baseURL: url, client: client, timeline: taskTimeline, contract: scenario.target ?? .reference,
                    pollInterval: .milliseconds(250).scaled(by: options.timeScale), taskTimeout: drainLimit, probe: latency))
        } else {
            let timed = TimedLLMClient(base: client, probe: probe, scale: options.timeScale)
            let transport = TaggingTransport(base: HTTPLLMTransport(baseURL: llmURL, client: timed), attribution: attribution)
            // The stack's own events (attempts, retries, breaker transitions) at the instants it makes them.
            // Keys are unique per run and each original has at most one duplicate, so the store can
            // forget a key once no later submission can find it (same answers as keeping it for the TTL).
            let store = scenario.stack.idempotencyTTL == nil ? nil : RunIdempotencyStore()
            let executor = LiveExecutor(
                config: scenario.stack, transport: transport, timeline: taskTimeline, idempotency: store, seed: seed,
                onEvent: { event in books.withLock { $0.recorder.record(event.event) } })
            target = .stack(StackTarget(executor: executor, runStore: store))
        }

        // Reads the call log while the run goes on, so the mock's bounded log never overwrites a record unread.
        let reader = Task {
            while !Task.isCancelled {
                do { try await Task.sleep(for: Self.drainInterval) } catch { return }
                guard await drain(callLog, books: books, timeline: timeline) else { return }
            }
        }

        // The service's /health, sampled at a fixed real interval for the whole run.
        let sampler = service.map { s in
            Task { await HealthSampler.run(urls: s.urls, path: s.healthPath, probe: s.probe, client: client, timeout: s.requestTimeout) }
        }

        // A scenario's `load.concurrency` is a client-side worker pool: arrivals are taken on time
        // and wait in line for a slot (as the simulator models it); without it every arrival runs.
        let pacing = Pacing(maxInFlight: scenario.load.concurrency, whenFull: .queue)
        let limit = scenario.duration + drainLimit
        var cutShort = false
        await withTaskGroup(of: Bool.self) { outer in
            outer.addTask {
                // The deadline: stop everything still running `drainLimit` after the last arrival.
                do { try await timeline.sleep(untilScenario: limit) } catch { return false }
                return true
            }
            outer.addTask {
                await LoadDriver.pace(
                    // A shard of a sharded live run sends only its keys' submissions (k % N == I).
                    SubmissionSchedule(scenario: scenario, seed: seed).lazy.filter { [shard = options.shard] in
                        shard?.contains($0.keyID) ?? true
                    }, timeline: timeline, pacing: pacing,
                    intended: { $0.at },
                    prepare: { s, lag in
                        probe.lag(max(.zero, lag), timer: false)
                        let route = routes[s.prompt]
                        books.withLock {
                            $0.recorder.recordArrival(at: s.at, duplicate: s.duplicate)
                            if !s.duplicate {
                                // A key submitted more than once carries one tag for all its
                                // submissions, so the mock cannot tell them apart: its calls get a
                                // key-only identity (task -1), never the original's, or a duplicate's
                                // completion would look like the original's own retry.
                                $0.keyBook.register(
                                    keyID: s.keyID,
                                    info: CallLogFeeder.KeyInfo(
                                        task: s.duplicatesAhead > 0 ? -1 : s.id,
                                        route: $0.recorder.routeIndex(route.rule, model: route.model)),
                                    submissions: 1 + s.duplicatesAhead)
                            }
                        }
                        return s
                    },
                    body: { s, _ in
                        await run(s, target: target, timeline: timeline, attribution: attribution, books: books)
                    })
                return false
            }
            if let first = await outer.next() {
                cutShort = first
                outer.cancelAll()
            }
        }
        reader.cancel()
        await reader.value
        sampler?.cancel()
        await sampler?.value
        let mockRun = await drainAll(callLog, books: books)

        return books.withLock { b in
            let end = max(timeline.now(), scenario.duration)
            b.feeder.conclude(succeededTasks: b.recorder.totals.succeeded, mockRun: mockRun)
            var reason: String?
            if cutShort {
                reason = "tasks still running \(DurationFormat.short(drainLimit)) after the last arrival were cancelled"
            } else if let error = b.readError {
                reason = "the mock's call log could not be read to the end (\(error)): LLM-side figures are incomplete"
            } else if b.feeder.summary.dropped > 0 {
                reason =
                    "the mock's call log lost \(b.feeder.summary.dropped) records before Squall read them: LLM-side figures are incomplete"
            }
            if let error = b.readError { b.feeder.noteReadError(error) }
            options.capture?.keep(
                state: b.recorder.state, end: cutShort ? min(end, limit) : end, incompleteReason: reason, fidelity: probe.currentTally(),
                llmLog: b.feeder.summary)
            var result = b.recorder.finish(end: cutShort ? min(end, limit) : end, incompleteReason: reason)
            result.llmLog = b.feeder.summary
            result.serviceLatency = service?.probe.summary()
            result.fidelity = probe.summary(timeScale: options.timeScale)
            Self.countCallsPerTask(&result, foreignTarget: options.targetURL != nil)
            return (result, b.recorder.tasksFileError)
        }
    }

    /// The recorder a live run of `scenario` records into — also what `squall merge` restores each
    /// shard of a sharded live run onto (`LiveRunShard.merge`), so the two cannot drift apart.
    static func recorder(
        _ scenario: Scenario, seed: UInt64, foreignTarget: Bool, breakerObserved: Bool, tasksFile: TaskCSVWriter? = nil
    ) -> ResultRecorder {
        let info = ScenarioInfo(
            name: scenario.name, description: scenario.description, file: scenario.source,
            tasksPerDay: scenario.load.tasksPerDay, arrival: scenario.load.arrival.name,
            concurrency: scenario.load.concurrency, stackSummary: scenario.stackSummary)
        let routes = scenario.load.prompts.map { scenario.stack.router.route($0.text) }
        var recorder = ResultRecorder(
            ResultRecorder.Setup(
                info: info, mode: .live, seed: seed, duration: scenario.duration, interval: nil, breakerConfigured: breakerObserved,
                idempotencyTTL: scenario.stack.idempotencyTTL, prices: scenario.stack.prices,
                faultWindows: scenario.faultWindows, needs: ResultNeeds(scenario: scenario, foreignTarget: foreignTarget),
                routes: routes.map { ResultRecorder.RouteName(name: $0.rule, model: $0.model) }, tasksFile: tasksFile))
        var stats = TokenBudgetStats()
        if let b = scenario.stack.tokenBudget {
            stats.enabled = true
            stats.inputBudget = b.inputBudget
        }
        recorder.tokenBudget = stats
        return recorder
    }

    /// LLM calls per task from the call log (the client's own count is not the provider's view, and
    /// a foreign service reports none); for a task service it is also the only attempt count.
    static func countCallsPerTask(_ result: inout ScenarioResult, foreignTarget: Bool) {
        let done = result.totals.succeeded + result.totals.failed
        result.attempts.meanCalls = done == 0 ? 0 : Double(result.usage.llmCalls) / Double(done)
        if foreignTarget { result.attempts.meanAttempts = result.attempts.meanCalls }
    }

    /// Reads the call log up to date, then forgets the keys that read made safe to forget
    /// (`LiveKeyBook`); false (and the error kept) when it cannot be read.
    func drain(_ callLog: any CallLogSource, books: SharedBooks, timeline: LiveTimeline) async -> Bool {
        let (cursor, read) = books.withLock { ($0.feeder.cursor, $0.keyBook.readStarted()) }
        let caughtUp = Mutex(false)
        do {
            _ = try await CallLogFeeder.drain(callLog, from: cursor) { page in
                let done = books.withLock { $0.feeder.feed(page, keys: $0.keyBook.keys, into: &$0.recorder) }
                caughtUp.withLock { $0 = done }
                return done
            }
            // Only a read that reached the end of the log has seen every call of the keys it may forget.
            if caughtUp.withLock({ $0 }) {
                books.withLock { b in
                    b.feeder.forget(b.keyBook.readCompleted(read, now: timeline.realElapsed()))
                }
            }
            return true
        } catch {
            books.withLock { $0.readError = $0.readError ?? error.description }
            return false
        }
    }

    /// The final read, to the end of the log; returns the mock's run id (nil when unreadable).
    func drainAll(_ callLog: any CallLogSource, books: SharedBooks) async -> String? {
        let cursor = books.withLock { $0.feeder.cursor }
        do {
            return try await CallLogFeeder.drain(callLog, from: cursor, maxPages: Int.max) { page in
                books.withLock { $0.feeder.feed(page, keys: $0.keyBook.keys, into: &$0.recorder) }
            }
        } catch {
            books.withLock { $0.readError = $0.readError ?? error.description }
            return nil
        }
    }

    /// Runs one submission through the run's target (LoadGen's driver step, `LoadDriver.execute`)
    /// and records its outcome: one task record; the calls it made are read from the mock's call log.
    func run(_ s: Submission, target: LiveTarget, timeline: LiveTimeline, attribution: RunAttribution, books: SharedBooks) async {
        let route = routes[s.prompt]
        let text = scenario.load.prompts[s.prompt].text
        var task = LoadTask(
            index: s.keyID, id: attribution.taskID(s.id),
            // The in-process stack sees the untagged prompt (routing and token budget as in the
            // simulator) and tags it on the wire (`TaggingTransport`); a task service gets it tagged.
            prompt: target.tagsOnTheWire ? text : attribution.prompt(text, keyID: s.keyID),
            idempotencyKey: attribution.key(s.keyID), intendedStart: s.at,
            duplicate: s.duplicate ? (s.concurrent ? .concurrent : .afterCompletion) : nil)
        // An original with duplicates to come: a task service's target keeps its task id, so a
        // duplicate given the same id counts as deduplicated.
        if !s.duplicate, s.duplicatesAhead > 0 { task.duplicatedAs = .afterCompletion }
        let record = await LoadDriver.execute(task, target: target.target, timeline: timeline)
        let r = record.result
        var result: SubmissionResult
        switch r.status {
        case .succeeded: result = .succeeded
        case .failed, .mismatch, .dropped: result = .failed
        case .replayed: result = .replayed
        case .conflict: result = .conflict
        }
        // Cut short by the run's end, not failed.
        if r.status == .failed, r.cause == .shutdown, Task.isCancelled { result = .unfinished }
        let cause = r.cause ?? (r.status == .mismatch ? .idempotencyMismatch : nil)
        let model = r.model ?? route.model
        let ended = timeline.realElapsed()
        books.withLock { b in
            let modelIndex = b.recorder.modelIndex(model)
            let routeIndex = b.recorder.routeIndex(route.rule, model: route.model)
            if s.duplicate {
                if s.concurrent { b.recorder.recordConcurrentDuplicate() }
                // A concurrent duplicate may win the claim race against its original (which is then
                // the one answered as a replay): that is not a re-execution; double runs are counted at the LLM.
                let wonTheRace = s.concurrent && scenario.stack.idempotencyTTL != nil
                if result == .succeeded || result == .failed, !wonTheRace {
                    // As in the simulator: with idempotency on, a duplicate runs again only once its
                    // key has expired; without it, every duplicate runs again.
                    b.recorder.recordReexecution(afterTTL: scenario.stack.idempotencyTTL != nil)
                }
                if result == .replayed, let original = b.keyBook.reply(of: s.keyID), let digest = r.replyDigest {
                    b.recorder.recordReplay(identical: original == digest)
                }
            } else if let digest = r.replyDigest, s.duplicatesAhead > 0 {
                b.keyBook.keepReply(digest, of: s.keyID)
            }
            b.keyBook.ended(keyID: s.keyID, at: ended)
            b.finished += 1
            b.recorder.recordTask(
                TaskRecord(
                    id: s.id, keyID: s.keyID, duplicate: s.duplicate, intendedStart: s.at, started: record.sentAt,
                    finished: record.finishedAt, result: result, cause: cause, attempts: r.attempts, calls: r.calls,
                    lastOutcome: r.lastOutcome.map(Self.outcome(label:)), route: routeIndex, model: modelIndex,
                    promptTokens: r.usage.promptTokens, completionTokens: r.usage.completionTokens))
        }
    }

    /// An outcome label from a target (`200`, `503`, `timeout`) as an `AttemptOutcome`.
    static func outcome(label: String) -> AttemptOutcome {
        if let status = Int(label) { return .status(status) }
        return .transport(TransportFailure(rawValue: label) ?? .malformed)
    }
}

/// How a live run through a task service measures the service's latency: the probe its target
/// records submissions and polls into, and the base URLs whose `/health` is sampled.
struct ServiceProbe: Sendable {
    /// Where submissions, polls and health samples are recorded.
    var probe: ServiceLatencyProbe
    /// Base URLs of the service (one per replica).
    var urls: [String]
    /// The path sampled for health (the contract's `health`).
    var healthPath: String = "/health"
    /// Timeout of one health sample, real time.
    var requestTimeout: Duration = .seconds(30)
}

/// Where a live run sends its tasks: one of LoadGen's targets.
enum LiveTarget: Sendable {
    /// The in-process reliability stack (`StackTarget`), which tags prompts on the wire.
    case stack(StackTarget)
    /// A task service over HTTP (`TasksTarget`, or a test double): prompts carry the run's tag in their text.
    case service(any LoadTarget)

    /// The LoadGen target.
    var target: any LoadTarget {
        switch self {
        case .stack(let t): return t
        case .service(let t): return t
        }
    }

    /// Whether the target tags each LLM request itself (the in-process stack's `TaggingTransport`).
    var tagsOnTheWire: Bool {
        if case .stack = self { return true }
        return false
    }
}
