import MockLLM
import Reliability
import Traffic

/// The deterministic discrete-event simulator. Virtual time, a binary-heap event queue with ties
/// broken by sequence number, and seeded random streams split per purpose (arrivals, prompts,
/// duplicates, and per submission: provider draws and retry jitter), so adding duplicates does not
/// shift anybody's latencies.
///
/// It drives the same cores as the live path: `Reliability.TaskFlow` (retry, backoff, breaker,
/// retry budget) over a shared `StackState`, `StackConfig.plan` (routing + token budget),
/// `IdempotencyTable`, and MockLLM's `FaultPlan` (fault rules + rate-limit buckets) whose decisions
/// become what the client observes through `FaultDecision.observed`. It never re-implements policy.
/// It feeds `ResultRecorder` the three streams (stack events, one `LLMCallRecord` per call, one
/// `TaskRecord` per submission) and keeps nothing per task once the task has ended.
public struct Simulator {
    /// The scenario.
    public let scenario: Scenario
    /// Options.
    public let options: SimulationOptions

    /// Creates a simulator.
    public init(scenario: Scenario, options: SimulationOptions = SimulationOptions()) {
        self.scenario = scenario
        self.options = options
    }

    /// Runs the scenario to completion (all arrivals, then every in-flight task drains), or until
    /// the current task is cancelled (then the result is what was measured, marked incomplete with
    /// reason `interrupted`). Expectations are not evaluated here (see `ScenarioRunner`).
    public func run() -> ScenarioResult {
        var engine = SimulationEngine(scenario: scenario, options: options, tasksFile: nil)
        return engine.run()
    }

    /// Runs as `run()`, streaming one row per submission to `tasksCSV` (created or truncated).
    /// - Throws: `ScenarioRunError` when the file cannot be created or written.
    public func run(tasksCSV: String) throws(ScenarioRunError) -> ScenarioResult {
        var engine = SimulationEngine(scenario: scenario, options: options, tasksFile: try TaskCSVWriter(path: tasksCSV))
        let result = engine.run()
        if let error = engine.recorder.tasksFileError { throw ScenarioRunError(error) }
        return result
    }
}

/// Which keys' records a simulation keeps (`SimulationOptions.shard`). A type parameter of the
/// engine rather than a stored shard: the unsharded engine is specialized for `EveryKey`, whose
/// answer is the constant true, so recording everything costs exactly what it did before sharding
/// existed (measured: a stored shard compared on every record made the 1M-task benchmark 2.3×
/// slower in CPU time; see BENCHMARKS.md "Sharded simulated run").
protocol KeySlice {
    /// Whether key `keyID`'s records are kept.
    func owns(_ keyID: Int) -> Bool
}

/// Every key (an unsharded run).
struct EveryKey: KeySlice {
    @inline(__always) func owns(_ keyID: Int) -> Bool { true }
}

/// The keys `k % count == index` (shard `index` of `count`).
struct ShardKeys: KeySlice {
    let count: Int
    let index: Int
    @inline(__always) func owns(_ keyID: Int) -> Bool { keyID % count == index }
}

/// The mutable state of one simulation run. Per-task state lives in parallel arrays indexed by
/// slot (reused when a task ends), so the hot path mutates elements in place without copying a
/// task's state; nothing per task outlives it.
struct SimulationEngine<Slice: KeySlice> {
    /// What a running task needs besides its flow and random streams.
    struct SlotInfo {
        var id: Int
        var keyID: Int
        var prompt: Int
        var duplicate: Bool
        /// The key has duplicates: its idempotency record and replay body are kept until its last submission ends.
        var tracked: Bool
        var intended: Int64
        var started: Int64
        var pending: AttemptOutcome = .ok
        var promptTokens = 0
        var completionTokens = 0
        var replySeed: UInt64 = 0
        var lastOutcome: AttemptLabel?
    }

    struct Waiting {
        var id: Int
        var keyID: Int
        var prompt: Int
        var duplicate: Bool
        var tracked: Bool
        var intended: Int64
    }

    /// What a call of a prompt sends, read per attempt (a `PlannedRequest` copy costs reference counting).
    struct CallShape {
        var model: String
        var promptTokens: Int
        /// Prompt tokens as the provider counts them (the mock's estimator over the messages sent),
        /// so simulated and live usage bill the same tokens.
        var billedPromptTokens: Int
        var maxTokens: Int
        /// The prompt fits the token budget (else the task fails with cause `token_budget`).
        var fits: Bool
        /// The budget truncated the user message.
        var truncated: Bool
    }

    /// Events between two looks at `Task.isCancelled`.
    static var cancellationCheckInterval: Int { 4096 }
    /// Asked every `cancellationCheckInterval` events whether to stop; a true answer ends the run
    /// as `interrupted`. The current task's cancellation; tests stop after a counted number of checks.
    var shouldStop: () -> Bool = { Task.isCancelled }

    let scenario: Scenario
    let options: SimulationOptions
    let seed: UInt64
    let config: StackConfig
    let ttl: Duration?
    let stream: Bool
    /// Whether a fault rule looks at idempotency keys (only then does a call carry the key's text).
    let rulesReadKeys: Bool
    var state: StackState
    var provider: FaultPlan
    /// Idempotency records of keys that have duplicates (integer keys). A key without duplicates
    /// is claimed exactly once — its claim always succeeds and nobody reads its record — so it
    /// never enters the table; the outcome is the same and the table stays as small as the
    /// duplicates in flight.
    var idempotency = KeyedIdempotencyTable<Int>()
    var recorder: ResultRecorder
    var queue = EventQueue()
    /// The submissions (originals and duplicates) in intended-start order: the same sequence the
    /// live driver sends for the seed.
    var submissions: SubmissionSchedule
    /// The next submission, and its arrival event (kept out of the queue; see `nextEvent`).
    var upcoming: Submission?
    var upcomingEvent: SimEvent?
    /// Per prompt that fits the budget: the call it sends.
    var shapes: [CallShape] = []
    /// Per prompt: its route's and model's index in the recorder's tables.
    var routeIndex: [Int] = []
    var modelIndex: [Int] = []
    var fingerprints: [String] = []
    var flows: [TaskFlow] = []
    var jitter: [SquallRandom] = []
    var providerRngs: [SquallRandom] = []
    var info: [SlotInfo] = []
    var freeSlots: [Int32] = []
    var waiting: [Waiting] = []
    var waitingHead = 0
    var inFlight = 0
    /// Submissions still to end, per key that has duplicates.
    var openKeys: [Int: Int] = [:]
    /// Result bodies of originals that have duplicates, by key number, until the key ends (the replay check).
    var originalBodies: [Int: String] = [:]
    var now: Duration = .zero
    /// `now` in nanoseconds (what the recorder's streams carry).
    var nowNs: Int64 = 0
    /// The keys whose records are kept.
    let slice: Slice
    /// Originals submitted so far (the schedule's keys).
    var keysSubmitted = 0

    init(scenario: Scenario, options: SimulationOptions, tasksFile: TaskCSVWriter?, slice: Slice) {
        self.slice = slice
        self.scenario = scenario
        self.options = options
        seed = options.seed ?? scenario.seed
        config = scenario.stack
        ttl = scenario.stack.idempotencyTTL
        stream = scenario.load.stream
        rulesReadKeys = scenario.llm.faults.contains { $0.idempotencyKey != nil || $0.firstKPerKey != nil }
        state = config.makeState()
        provider = FaultPlan(profile: scenario.llm)
        let info = ScenarioInfo(
            name: scenario.name, description: scenario.description, file: scenario.source,
            tasksPerDay: scenario.load.tasksPerDay, arrival: scenario.load.arrival.name,
            concurrency: scenario.load.concurrency, stackSummary: scenario.stackSummary)
        var needs = ResultNeeds(scenario: scenario)
        if let rule = options.inferBreaker { needs.mechanisms.inferredBreaker = rule }
        recorder = ResultRecorder(
            ResultRecorder.Setup(
                info: info, mode: .sim, seed: seed, duration: scenario.duration, interval: options.interval,
                breakerConfigured: config.breaker != nil, idempotencyTTL: ttl, prices: config.prices,
                faultWindows: scenario.faultWindows, needs: needs, closesKeys: true,
                tasksFile: tasksFile, stackEvents: (options.shard?.index ?? 0) == 0))
        submissions = SubmissionSchedule(scenario: scenario, seed: seed)
        for (i, p) in scenario.load.prompts.enumerated() {
            fingerprints.append("p\(i)")
            let route = scenario.stack.router.route(p.text)
            routeIndex.append(recorder.routeIndex(route.rule, model: route.model))
            modelIndex.append(recorder.modelIndex(route.model))
            do {
                let planned = try config.plan(task: p.text)
                shapes.append(
                    CallShape(
                        model: planned.route.model, promptTokens: planned.prompt.estimatedTokens,
                        billedPromptTokens: ReplyText.estimatePromptTokens(contents: planned.prompt.messages.map(\.content)),
                        maxTokens: planned.route.maxTokens, fits: true, truncated: planned.prompt.userTruncated))
            } catch {
                // The prompt cannot be fitted: every submission of it fails with cause `token_budget`.
                shapes.append(
                    CallShape(
                        model: route.model, promptTokens: 0, billedPromptTokens: 0, maxTokens: 0, fits: false,
                        truncated: false))
            }
        }
        var stats = TokenBudgetStats()
        if let b = config.tokenBudget {
            stats.enabled = true
            stats.inputBudget = b.inputBudget
        }
        recorder.tokenBudget = stats
    }

    /// Whether the records of key `keyID` (its submissions' arrivals, calls, outcomes, duplicate
    /// checks, token-budget counts) belong to the recorded slice: key `k` is shard `k % N`'s, the
    /// same round-robin as `Shard`. The constant true unsharded (`EveryKey`).
    @inline(__always)
    func owns(_ keyID: Int) -> Bool { slice.owns(keyID) }

    mutating func run() -> ScenarioResult {
        let (end, incomplete) = simulate()
        return recorder.finish(end: end, incompleteReason: incomplete)
    }

    /// Runs the whole schedule (every shard simulates all of it: the stack couples every task) and
    /// returns the scenario time it ended and why it stopped early, if it did.
    mutating func simulate() -> (end: Duration, incomplete: String?) {
        scheduleNextSubmission()
        let limit = scenario.duration + options.drainLimit
        var incomplete: String?
        var untilCheck = Self.cancellationCheckInterval
        while let e = nextEvent() {
            if e.time > limit {
                incomplete = "tasks still running \(DurationFormat.short(options.drainLimit)) after the last arrival"
                break
            }
            untilCheck -= 1
            if untilCheck == 0 {
                untilCheck = Self.cancellationCheckInterval
                if shouldStop() {
                    incomplete = "interrupted"
                    break
                }
            }
            now = e.time
            nowNs = ScenarioClock.nanoseconds(attoseconds: e.at)
            switch e.kind {
            case .arrival:
                let sub = upcoming!
                scheduleNextSubmission()
                submit(sub)
            case .attemptEnded:
                let slot = Int(e.a)
                let outcome = info[slot].pending
                info[slot].lastOutcome = AttemptLabel(outcome)
                let action = flows[slot].attemptEnded(
                    outcome, config: config, state: &state, now: now, rng: &jitter[slot], sink: &recorder)
                handle(action, slot: slot)
            case .wake:
                let slot = Int(e.a)
                let action = flows[slot].wakeUp(config: config, state: &state, now: now, rng: &jitter[slot], sink: &recorder)
                handle(action, slot: slot)
            }
        }
        if incomplete != nil {
            // What is still running or queued ends unfinished.
            let free = Set(freeSlots)
            for i in info.indices where !free.contains(Int32(i)) {
                finishRecord(slot: i, result: .unfinished, outcome: nil)
            }
            for w in waiting[waitingHead...] where owns(w.keyID) {
                recorder.recordTask(
                    TaskRecord(
                        id: w.id, keyID: w.keyID, duplicate: w.duplicate, intendedNanos: w.intended, startedNanos: nowNs,
                        finishedNanos: nowNs, result: .unfinished, cause: nil, attempts: 0, calls: 0, lastOutcome: nil,
                        route: routeIndex[w.prompt], model: modelIndex[w.prompt], promptTokens: 0, completionTokens: 0))
            }
        }
        return (max(now, scenario.duration), incomplete)
    }

    /// Takes the schedule's next submission. Its arrival stays out of the heap (one push and one
    /// pop fewer per task) but orders among the queued events by (time, sequence) exactly as a
    /// pushed event would.
    mutating func scheduleNextSubmission() {
        upcoming = submissions.next()
        if let next = upcoming {
            upcomingEvent = SimEvent(at: next.at.attoseconds, seq: queue.takeSequence(), a: 0, kind: .arrival)
        } else {
            upcomingEvent = nil
        }
    }

    /// The earliest of the next arrival and the queued events.
    @inline(__always)
    mutating func nextEvent() -> SimEvent? {
        guard let arrival = upcomingEvent else { return queue.pop() }
        if let queued = queue.first, queued < arrival { return queue.pop() }
        upcomingEvent = nil
        return arrival
    }

    /// A submission reaches the service: claim its key, then run, queue, replay or reject it.
    mutating func submit(_ sub: Submission) {
        let keyID = sub.keyID
        let prompt = sub.prompt
        let duplicate = sub.duplicate
        let id = sub.id
        let tracked = duplicate || sub.duplicatesAhead > 0
        let owned = owns(keyID)
        if !duplicate { keysSubmitted += 1 }
        if owned { recorder.recordArrival(atNanos: nowNs, duplicate: duplicate) }
        if sub.duplicatesAhead > 0 { openKeys[keyID] = 1 + sub.duplicatesAhead }
        if sub.concurrent, owned { recorder.recordConcurrentDuplicate() }
        if let ttl {
            if tracked {
                switch idempotency.claim(key: keyID, fingerprint: fingerprints[prompt], now: now, ttl: ttl) {
                case .claimed:
                    if duplicate, owned { recorder.recordReexecution(afterTTL: true) }
                case .inFlight:
                    recordImmediate(id: id, keyID: keyID, prompt: prompt, duplicate: duplicate, result: .conflict, cause: nil)
                    return
                case .completed(let stored):
                    if owned, let original = originalBodies[keyID] { recorder.recordReplay(identical: original == stored.body) }
                    recordImmediate(id: id, keyID: keyID, prompt: prompt, duplicate: duplicate, result: .replayed, cause: nil)
                    return
                case .mismatch:
                    recordImmediate(
                        id: id, keyID: keyID, prompt: prompt, duplicate: duplicate, result: .failed,
                        cause: .idempotencyMismatch)
                    return
                }
            }
        } else if duplicate, owned {
            recorder.recordReexecution(afterTTL: false)
        }
        if !shapes[prompt].fits {
            if owned { recorder.tokenBudget.rejected += 1 }
            if tracked { completeKey(keyID: keyID, prompt: prompt, body: "error:token_budget", duplicate: duplicate) }
            recordImmediate(id: id, keyID: keyID, prompt: prompt, duplicate: duplicate, result: .failed, cause: .tokenBudget)
            return
        }
        if let cap = scenario.load.concurrency, inFlight >= cap {
            waiting.append(Waiting(id: id, keyID: keyID, prompt: prompt, duplicate: duplicate, tracked: tracked, intended: nowNs))
            return
        }
        start(id: id, keyID: keyID, prompt: prompt, duplicate: duplicate, tracked: tracked, intended: nowNs)
    }

    /// Records a submission that ended at once (replay, conflict, rejection before any attempt).
    mutating func recordImmediate(
        id: Int, keyID: Int, prompt: Int, duplicate: Bool, result: SubmissionResult, cause: FailureCause?
    ) {
        if owns(keyID) {
            recorder.recordTask(
                TaskRecord(
                    id: id, keyID: keyID, duplicate: duplicate, intendedNanos: nowNs, startedNanos: nowNs, finishedNanos: nowNs,
                    result: result, cause: cause, attempts: 0, calls: 0, lastOutcome: nil, route: routeIndex[prompt],
                    model: modelIndex[prompt], promptTokens: 0, completionTokens: 0))
        }
        submissionEnded(keyID: keyID)
    }

    mutating func start(id: Int, keyID: Int, prompt: Int, duplicate: Bool, tracked: Bool, intended: Int64) {
        inFlight += 1
        let index = UInt64(keyID) | (duplicate ? 1 << 40 : 0)
        let slotInfo = SlotInfo(
            id: id, keyID: keyID, prompt: prompt, duplicate: duplicate, tracked: tracked, intended: intended, started: nowNs)
        let i: Int
        if let free = freeSlots.popLast() {
            i = Int(free)
            flows[i] = TaskFlow(startedAt: now)
            jitter[i] = TrafficStreams.stream(seed, .jitter, index)
            providerRngs[i] = TrafficStreams.stream(seed, .provider, index)
            info[i] = slotInfo
        } else {
            i = info.count
            flows.append(TaskFlow(startedAt: now))
            jitter.append(TrafficStreams.stream(seed, .jitter, index))
            providerRngs.append(TrafficStreams.stream(seed, .provider, index))
            info.append(slotInfo)
        }
        if shapes[prompt].fits, owns(keyID) {
            if shapes[prompt].truncated { recorder.tokenBudget.truncatedPrompts += 1 }
            if shapes[prompt].promptTokens > recorder.tokenBudget.maxPromptTokens {
                recorder.tokenBudget.maxPromptTokens = shapes[prompt].promptTokens
            }
        }
        let action = flows[i].start(config: config, state: &state, now: now, rng: &jitter[i], sink: &recorder)
        handle(action, slot: i)
    }

    mutating func handle(_ action: TaskAction, slot: Int) {
        switch action {
        case .attempt(let number, let timeout):
            attempt(number: number, timeout: timeout, slot: slot)
        case .sleep(let until):
            queue.push(until, .wake, a: Int32(slot))
        case .finish(let outcome):
            finish(slot: slot, outcome: outcome)
        }
    }

    /// One LLM call: the provider's fault plan decides, the call is recorded as the provider saw
    /// it, and the client observes the outcome when the attempt ends.
    mutating func attempt(number: Int, timeout: Duration, slot: Int) {
        let prompt = info[slot].prompt
        let keyID = info[slot].keyID
        let request = FaultRequest(
            model: shapes[prompt].model, stream: stream, attempt: number,
            idempotencyKey: rulesReadKeys ? Submission.key(keyID) : nil, promptTokens: shapes[prompt].billedPromptTokens,
            maxTokens: shapes[prompt].maxTokens, now: now)
        let decision = provider.decide(request, rng: &providerRngs[slot])
        let observed = decision.observed(clientTimeout: timeout, stream: stream)
        var call = LLMCallRecord(
            atNanos: nowNs, taskID: info[slot].id, keyID: keyID, attempt: number, outcome: .status(200), generated: false,
            model: modelIndex[prompt], route: routeIndex[prompt])
        switch decision.action {
        case .healthy(let reply):
            call.generated = true
            call.promptTokens = reply.promptTokens
            call.completionTokens = reply.completionTokens
            info[slot].replySeed = reply.textSeed
        case .status(let s):
            call.outcome = .status(s.status)
            call.retryAfter = s.advertisedRetryAfter
        case .connection(let fault, let reply):
            switch fault {
            case .drip:
                call.outcome = .dropped(.drip)
                call.generated = true
                call.promptTokens = reply.promptTokens
                call.completionTokens = reply.completionTokens
                info[slot].replySeed = reply.textSeed
            case .reset: call.outcome = .dropped(.reset)
            case .hang: call.outcome = .dropped(.hang)
            case .truncate: call.outcome = .dropped(.truncate)
            case .malformed: call.outcome = .dropped(.malformed)
            case .empty: call.outcome = .dropped(.empty)
            case .streamError: call.outcome = .dropped(.streamError)
            }
        }
        // When the answer reached the client (Retry-After compliance, retry clustering); never, on a client timeout.
        if observed.outcome != .transport(.timeout) { call.delayNanos = ScenarioClock.nanoseconds(observed.duration) }
        if owns(keyID) { recorder.recordCall(call) }
        if call.generated {
            info[slot].promptTokens += call.promptTokens
            info[slot].completionTokens += call.completionTokens
        }
        info[slot].pending = observed.outcome
        queue.push(now + observed.duration, .attemptEnded, a: Int32(slot))
    }

    mutating func finish(slot: Int, outcome: TaskOutcome) {
        if info[slot].tracked, ttl != nil {
            let body =
                outcome.succeeded
                ? "ok:" + String(UInt32(truncatingIfNeeded: info[slot].replySeed), radix: 16)
                : "error:" + (outcome.cause?.rawValue ?? "failed")
            completeKey(keyID: info[slot].keyID, prompt: info[slot].prompt, body: body, duplicate: info[slot].duplicate)
        }
        finishRecord(slot: slot, result: outcome.succeeded ? .succeeded : .failed, outcome: outcome)
        freeSlots.append(Int32(slot))
        inFlight -= 1
        if waitingHead < waiting.count {
            let w = waiting[waitingHead]
            waitingHead += 1
            if waitingHead > 1024, waitingHead * 2 > waiting.count {
                waiting.removeFirst(waitingHead)
                waitingHead = 0
            }
            start(id: w.id, keyID: w.keyID, prompt: w.prompt, duplicate: w.duplicate, tracked: w.tracked, intended: w.intended)
        }
    }

    mutating func finishRecord(slot: Int, result: SubmissionResult, outcome: TaskOutcome?) {
        // A flow finishes at the instant of the event that finished it: `now`.
        guard owns(info[slot].keyID) else {
            submissionEnded(keyID: info[slot].keyID, tracked: info[slot].tracked)
            return
        }
        recorder.recordTask(
            TaskRecord(
                id: info[slot].id, keyID: info[slot].keyID, duplicate: info[slot].duplicate,
                intendedNanos: info[slot].intended, startedNanos: info[slot].started, finishedNanos: nowNs,
                result: result, cause: outcome?.cause, attempts: outcome?.attempts ?? 0, calls: outcome?.calls ?? 0,
                lastOutcome: outcome?.lastOutcome.map(AttemptLabel.init) ?? info[slot].lastOutcome,
                route: routeIndex[info[slot].prompt], model: modelIndex[info[slot].prompt],
                promptTokens: info[slot].promptTokens, completionTokens: info[slot].completionTokens))
        submissionEnded(keyID: info[slot].keyID, tracked: info[slot].tracked)
    }

    /// One submission of `keyID` ended; when it was the key's last, the key's state goes.
    @inline(__always)
    mutating func submissionEnded(keyID: Int, tracked: Bool = true) {
        if tracked, let left = openKeys[keyID] {
            if left > 1 {
                openKeys[keyID] = left - 1
                return
            }
            openKeys[keyID] = nil
            originalBodies[keyID] = nil
            idempotency.forget(key: keyID)
        }
        if owns(keyID) { recorder.closeKey(keyID) }
    }

    mutating func completeKey(keyID: Int, prompt: Int, body: String, duplicate: Bool) {
        guard let ttl else { return }
        if !duplicate, openKeys[keyID] != nil { originalBodies[keyID] = body }
        idempotency.complete(
            key: keyID, fingerprint: fingerprints[prompt], result: StoredResult(succeeded: body.hasPrefix("ok"), body: body),
            now: now, ttl: ttl)
    }
}

extension SimulationEngine where Slice == EveryKey {
    /// An engine recording every key (what `Simulator.run` uses).
    init(scenario: Scenario, options: SimulationOptions, tasksFile: TaskCSVWriter?) {
        self.init(scenario: scenario, options: options, tasksFile: tasksFile, slice: EveryKey())
    }
}
