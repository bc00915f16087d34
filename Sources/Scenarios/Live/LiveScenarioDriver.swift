import Foundation
import LoadGen
import MockLLM
import Reliability
import Synchronization
import Traffic

/// Runs a scenario over real sockets in wall-clock time (compressed by `LiveOptions.timeScale`):
/// an in-process MockLLM with the scenario's `llm:` profile (or `--llm-url`), the scenario's exact
/// submission sequence (`SubmissionSchedule`, the same the simulator sends for the seed), each task
/// through the in-process reliability stack (`LiveExecutor` over libcurl) or through a task service
/// (`--target-url`, POST /tasks then polling). Results fill the same `ScenarioResult` as the
/// simulator's, in scenario time; executions per idempotency key are taken from the mock's own
/// counts when the mock runs in process.
public struct LiveScenarioDriver: ScenarioDriver {
    /// Live options (time scale, endpoints).
    public var options: LiveOptions
    /// How long tasks may keep running after the last arrival, scenario time. Default 10 min.
    public var drainLimit: Duration
    /// Most connections the libcurl client opens. Default 256.
    public var maxConnections: Int

    /// Creates a driver.
    public init(options: LiveOptions, drainLimit: Duration = .seconds(600), maxConnections: Int = 256) {
        self.options = options
        self.drainLimit = drainLimit
        self.maxConnections = maxConnections
    }

    /// Always `.live`.
    public var mode: RunMode { .live }

    public func run(_ scenario: Scenario, seed: UInt64?, tasksCSV: String?) async throws -> ScenarioResult {
        let seed = seed ?? scenario.seed
        let tasksFile = try tasksCSV.map { (path) throws(ScenarioRunError) in try TaskCSVWriter(path: path) }
        guard options.timeScale > 0, options.timeScale.isFinite else {
            throw ScenarioRunError("--time-scale must be a positive number, got \(options.timeScale)")
        }
        if let spec = scenario.service, options.targetURL == nil {
            // `service:` — through in-process replicas of the task service (ServiceLiveRun.swift).
            return try await ServiceLiveRun(scenario: scenario, spec: spec, seed: seed, options: options, drainLimit: drainLimit)
                .run(maxConnections: maxConnections, tasksFile: tasksFile)
        }
        let endpoint = try await LLMEndpoint.make(
            scenario: scenario, seed: seed, timeScale: options.timeScale, given: options.llmURL)
        let mock = endpoint.mock
        let llmURL = endpoint.url
        let client: CurlLoadClient
        do {
            client = try CurlLoadClient(maxConnections: maxConnections)
        } catch {
            await mock?.stop()
            throw ScenarioRunError("cannot start the HTTP client: \(error)")
        }
        let run = LiveRun(scenario: scenario, seed: seed, options: options, drainLimit: drainLimit)
        do {
            if let target = options.targetURL {
                try await Preflight.check(url: target, path: "/health", client: client)
            } else if options.llmURL != nil {
                try await Preflight.check(url: llmURL, client: client)
            }
        } catch {
            await client.shutdown()
            await mock?.stop()
            throw ScenarioRunError(error.description)
        }
        mock?.state.reset()  // scenario time 0 at the mock == scenario time 0 here
        let state = mock?.state
        let (result, fileError) = await run.execute(
            llmURL: llmURL, client: client, mockStats: { state?.stats }, tasksFile: tasksFile)
        await client.shutdown()
        await mock?.stop()
        if let fileError { throw ScenarioRunError(fileError) }
        return result
    }
}

/// One live run: shared state between the scheduling loop and the tasks.
struct LiveRun: Sendable {
    let scenario: Scenario
    let seed: UInt64
    let options: LiveOptions
    let drainLimit: Duration
    let routes: [Route]

    init(scenario: Scenario, seed: UInt64, options: LiveOptions, drainLimit: Duration) {
        self.scenario = scenario
        self.seed = seed
        self.options = options
        self.drainLimit = drainLimit
        routes = scenario.load.prompts.map { scenario.stack.router.route($0.text) }
    }

    /// What the run tracks besides the recorder: per-key successful executions seen by clients,
    /// and the start of each attempt of the tasks in flight (for the call records).
    struct Books: Sendable {
        var recorder: ResultRecorder
        var executionsSeen: [Int: (count: Int, first: Duration)] = [:]
        var originalBodies: [Int: String] = [:]
        var attemptStarts: [String: [Duration]] = [:]
        var finished = 0
    }

    /// The books behind a lock, shared by the scheduling loop, the tasks and the event handler.
    final class SharedBooks: Sendable {
        private let state: Mutex<Books>
        init(_ books: Books) { state = Mutex(books) }
        func withLock<R>(_ body: (inout Books) -> R) -> R { state.withLock { body(&$0) } }
    }

    /// Runs the schedule, streaming `tasks.csv` to `tasksFile` when given; returns the result and
    /// the file's write error, if any. A caller may pass its own `target` and `timeline`, say
    /// whether breaker transitions will be observed (`breakerObserved`), and receive a way to
    /// record into the run's recorder from a side task (`attach`, called once before the first arrival).
    func execute(
        llmURL: String, client: CurlLoadClient, mockStats: @Sendable () -> MockStats?, tasksFile: TaskCSVWriter? = nil,
        target given: LiveTarget? = nil, timeline givenTimeline: LiveTimeline? = nil, breakerObserved: Bool? = nil,
        attach: ((@escaping @Sendable (@Sendable (inout ResultRecorder) -> Void) -> Void) -> Void)? = nil
    ) async -> (ScenarioResult, String?) {
        let timeline = givenTimeline ?? LiveTimeline(scale: options.timeScale)
        let info = ScenarioInfo(
            name: scenario.name, description: scenario.description, file: scenario.source,
            tasksPerDay: scenario.load.tasksPerDay, arrival: scenario.load.arrival.name,
            concurrency: scenario.load.concurrency, stackSummary: scenario.stackSummary)
        var recorder = ResultRecorder(
            ResultRecorder.Setup(
                info: info, mode: .live, seed: seed, duration: scenario.duration, interval: nil,
                breakerConfigured: breakerObserved ?? (scenario.stack.breaker != nil && options.targetURL == nil),
                idempotencyTTL: scenario.stack.idempotencyTTL, prices: scenario.stack.prices,
                faultWindows: scenario.faultWindows, needs: ResultNeeds(scenario: scenario),
                routes: routes.map { ResultRecorder.RouteName(name: $0.rule, model: $0.model) }, tasksFile: tasksFile))
        var stats = TokenBudgetStats()
        if let b = scenario.stack.tokenBudget {
            stats.enabled = true
            stats.inputBudget = b.inputBudget
        }
        recorder.tokenBudget = stats
        let books = SharedBooks(Books(recorder: recorder))

        attach?({ body in books.withLock { body(&$0.recorder) } })
        let target: LiveTarget
        if let given {
            target = given
        } else if let service = options.targetURL {
            target = .service(
                TasksTarget(
                    baseURL: service, client: client, timeline: timeline, pollInterval: .milliseconds(250).scaled(by: options.timeScale),
                    taskTimeout: drainLimit))
        } else {
            let executor = LiveExecutor(
                config: scenario.stack, transport: HTTPLLMTransport(baseURL: llmURL, client: client), timeline: timeline,
                idempotency: scenario.stack.idempotencyTTL == nil ? nil : InMemoryIdempotencyStore(), seed: seed,
                onEvent: { event in
                    books.withLock {
                        $0.recorder.record(event.event)
                        if case .attemptStarted(_, let at) = event.event { $0.attemptStarts[event.taskID, default: []].append(at) }
                    }
                })
            target = .stack(executor)
        }

        let gate = scenario.load.concurrency.map { SlotGate(capacity: $0) }
        let limit = scenario.duration + drainLimit
        var cutShort = false
        await withTaskGroup(of: Bool.self) { outer in
            outer.addTask {
                // The deadline: stop everything still running `drainLimit` after the last arrival.
                do { try await timeline.sleep(untilScenario: limit) } catch { return false }
                return true
            }
            outer.addTask {
                await withDiscardingTaskGroup { group in
                    var schedule = SubmissionSchedule(scenario: scenario, seed: seed)
                    while let s = schedule.next() {
                        if timeline.realElapsed() < timeline.toReal(s.at) {
                            do { try await timeline.sleep(untilScenario: s.at) } catch { return }
                        }
                        if Task.isCancelled || OfferStop.requested { return }
                        books.withLock { $0.recorder.recordArrival(at: s.at) }
                        group.addTask {
                            if let gate { await gate.acquire() }
                            await run(s, target: target, timeline: timeline, books: books)
                            if let gate { gate.release() }
                            books.withLock { $0.finished += 1 }
                        }
                    }
                }
                return false
            }
            if let first = await outer.next() {
                cutShort = first
                outer.cancelAll()
            }
        }

        let executions = mockStats()?.executionsByKey
        return books.withLock { b in
            if let executions {
                // Counted at the LLM: completions the mock generated beyond those clients saw succeed
                // (e.g. a retry after a truncated reply) are duplicate executions.
                for (keyID, seen) in b.executionsSeen {
                    let extra = (executions[Submission.key(keyID)] ?? 0) - seen.count
                    for _ in 0..<max(0, extra) { b.recorder.recordExecution(keyID: keyID, at: seen.first) }
                }
            }
            let end = max(timeline.now(), scenario.duration)
            let result = b.recorder.finish(
                end: cutShort ? min(end, limit) : end,
                incompleteReason: cutShort
                    ? "tasks still running \(DurationFormat.short(drainLimit)) after the last arrival were cancelled" : nil)
            return (result, b.recorder.tasksFileError)
        }
    }

    /// Runs one submission and records its outcome: one task record and one call record per call
    /// (tokens and the generation on the last call of a successful task).
    func run(_ s: Submission, target: LiveTarget, timeline: LiveTimeline, books: SharedBooks) async {
        let prompt = scenario.load.prompts[s.prompt].text
        let route = routes[s.prompt]
        let started = timeline.now()
        var result: SubmissionResult
        var cause: FailureCause?
        var attempts = 0
        var calls = 0
        var lastOutcome: AttemptOutcome?
        var usage = TokenUsage.zero
        var model = route.model
        var body: String?
        let taskID = "t\(s.id)"
        switch target {
        case .stack(let executor):
            let r = await executor.run(
                LiveTask(
                    id: taskID, prompt: prompt, idempotencyKey: s.key,
                    stream: UInt64(s.keyID) | (s.duplicate ? 1 << 40 : 0)))
            switch r.disposition {
            case .executed: result = r.outcome.succeeded ? .succeeded : .failed
            case .replayed: result = .replayed
            case .conflict: result = .conflict
            case .mismatch: result = .failed
            }
            if r.disposition == .executed, r.outcome.cause == .shutdown, Task.isCancelled { result = .unfinished }
            cause = r.outcome.cause
            attempts = r.outcome.attempts
            calls = r.outcome.calls
            lastOutcome = r.outcome.lastOutcome
            usage = r.usage
            model = r.model ?? route.model
            body = r.body
        case .service(let service):
            let r = await service.run(
                LoadTask(
                    index: s.keyID, id: taskID, prompt: prompt, idempotencyKey: s.key, intendedStart: s.at,
                    duplicate: s.duplicate ? (s.concurrent ? .concurrent : .afterCompletion) : nil))
            switch r.status {
            case .succeeded: result = .succeeded
            case .failed, .mismatch, .dropped: result = .failed
            case .replayed: result = .replayed
            case .conflict: result = .conflict
            }
            cause = r.cause ?? (r.status == .mismatch ? .idempotencyMismatch : nil)
            attempts = r.attempts
            calls = r.calls
            lastOutcome = r.lastOutcome.map(Self.outcome(label:))
            usage = r.usage
            model = r.model ?? route.model
        }
        let finished = timeline.now()
        books.withLock { b in
            let modelIndex = b.recorder.modelIndex(model)
            let routeIndex = b.recorder.routeIndex(route.rule, model: route.model)
            let starts = b.attemptStarts.removeValue(forKey: taskID) ?? []
            for i in 0..<calls {
                let last = i == calls - 1
                let generated = last && result == .succeeded
                b.recorder.recordCall(
                    LLMCallRecord(
                        at: i < starts.count ? starts[i] : finished, taskID: s.id, keyID: s.keyID, attempt: i + 1,
                        outcome: last ? Self.callOutcome(lastOutcome) : .unknown, generated: generated,
                        promptTokens: last ? usage.promptTokens : 0, completionTokens: last ? usage.completionTokens : 0,
                        model: modelIndex, route: routeIndex))
            }
            if result == .succeeded {
                var seen = b.executionsSeen[s.keyID] ?? (0, finished)
                seen.count += 1
                b.executionsSeen[s.keyID] = seen
            }
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
                if result == .replayed, let original = b.originalBodies[s.keyID], let body {
                    b.recorder.recordReplay(identical: original == body)
                }
            } else if let body, scenario.load.duplicates != nil {
                b.originalBodies[s.keyID] = body
            }
            b.recorder.recordTask(
                TaskRecord(
                    id: s.id, keyID: s.keyID, duplicate: s.duplicate, intendedStart: s.at, started: started,
                    finished: finished, result: result, cause: cause, attempts: attempts, calls: calls,
                    lastOutcome: lastOutcome, route: routeIndex, model: modelIndex, promptTokens: usage.promptTokens,
                    completionTokens: usage.completionTokens))
        }
    }

    /// An outcome label from a task service (`200`, `503`, `timeout`) as an `AttemptOutcome`.
    static func outcome(label: String) -> AttemptOutcome {
        if let status = Int(label) { return .status(status) }
        return .transport(TransportFailure(rawValue: label) ?? .malformed)
    }

    /// What the provider did with a call whose client-side outcome was `outcome` (the live driver
    /// sees the client's side only until it reads the mock's call log).
    static func callOutcome(_ outcome: AttemptOutcome?) -> LLMCallOutcome {
        switch outcome {
        case .response(let status, _)?: return .status(status)
        case .transport(.reset)?: return .dropped(.reset)
        case .transport(.timeout)?: return .dropped(.hang)
        case .transport(.truncated)?: return .dropped(.truncate)
        case .transport(.malformed)?: return .dropped(.malformed)
        case .transport?, nil: return .unknown
        }
    }
}

/// Where a live run sends its tasks.
enum LiveTarget: Sendable {
    /// The in-process reliability stack.
    case stack(LiveExecutor)
    /// A task service over HTTP.
    case service(any LoadTarget)
}
