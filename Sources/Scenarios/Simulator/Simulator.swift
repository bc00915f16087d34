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

/// The mutable state of one simulation run.
struct SimulationEngine {
    struct Slot {
        var flow: TaskFlow
        var jitterRng: SquallRandom
        var providerRng: SquallRandom
        var id: Int
        var keyID: Int
        var prompt: Int
        var duplicate: Bool
        var intended: Duration
        var started: Duration
        var pending: AttemptOutcome = .ok
        var promptTokens = 0
        var completionTokens = 0
        var replySeed: UInt64 = 0
        var lastOutcome: AttemptOutcome?
    }

    struct Waiting {
        var id: Int
        var keyID: Int
        var prompt: Int
        var duplicate: Bool
        var intended: Duration
    }

    struct Plan {
        var request: PlannedRequest?
        var error: TokenBudgetError?
    }

    /// Events between two looks at `Task.isCancelled`.
    static let cancellationCheckInterval = 4096

    let scenario: Scenario
    let options: SimulationOptions
    let seed: UInt64
    let config: StackConfig
    let ttl: Duration?
    let stream: Bool
    var state: StackState
    var provider: FaultPlan
    var idempotency = IdempotencyTable()
    var recorder: ResultRecorder
    var queue = EventQueue()
    /// The submissions (originals and duplicates) in intended-start order: the same sequence the
    /// live driver sends for the seed.
    var submissions: SubmissionSchedule
    /// The next submission, whose `.arrival` event is in the queue.
    var upcoming: Submission?
    var plans: [Plan] = []
    /// Per prompt: its route's and model's index in the recorder's tables.
    var routeIndex: [Int] = []
    var modelIndex: [Int] = []
    var fingerprints: [String] = []
    var slots: [Slot] = []
    var freeSlots: [Int32] = []
    var waiting: [Waiting] = []
    var waitingHead = 0
    var inFlight = 0
    /// Submissions still to end, per key that has duplicates (keys without duplicates end with their task).
    var openKeys: [Int: Int] = [:]
    /// Result bodies of originals that have duplicates, by key number, until the key ends (the replay check).
    var originalBodies: [Int: String] = [:]
    var now: Duration = .zero

    init(scenario: Scenario, options: SimulationOptions, tasksFile: TaskCSVWriter?) {
        self.scenario = scenario
        self.options = options
        seed = options.seed ?? scenario.seed
        config = scenario.stack
        ttl = scenario.stack.idempotencyTTL
        stream = scenario.load.stream
        state = config.makeState()
        provider = FaultPlan(profile: scenario.llm)
        let info = ScenarioInfo(
            name: scenario.name, description: scenario.description, file: scenario.source,
            tasksPerDay: scenario.load.tasksPerDay, arrival: scenario.load.arrival.name,
            concurrency: scenario.load.concurrency, stackSummary: scenario.stackSummary)
        recorder = ResultRecorder(
            ResultRecorder.Setup(
                info: info, mode: .sim, seed: seed, duration: scenario.duration, interval: options.interval,
                breakerConfigured: config.breaker != nil, idempotencyTTL: ttl, prices: config.prices,
                faultWindows: scenario.faultWindows, needs: ResultNeeds(scenario: scenario), closesKeys: true,
                tasksFile: tasksFile))
        submissions = SubmissionSchedule(scenario: scenario, seed: seed)
        for (i, p) in scenario.load.prompts.enumerated() {
            fingerprints.append("p\(i)")
            let route = scenario.stack.router.route(p.text)
            routeIndex.append(recorder.routeIndex(route.rule, model: route.model))
            modelIndex.append(recorder.modelIndex(route.model))
            do {
                plans.append(Plan(request: try config.plan(task: p.text), error: nil))
            } catch {
                plans.append(Plan(request: nil, error: error))
            }
        }
        var stats = TokenBudgetStats()
        if let b = config.tokenBudget {
            stats.enabled = true
            stats.inputBudget = b.inputBudget
        }
        recorder.tokenBudget = stats
        if ttl != nil {
            // Keys live for the TTL: at most the originals arriving within one TTL (plus slack).
            let live = scenario.load.ratePerSecond * min(scenario.duration, ttl!).seconds * 1.05 + 64
            idempotency = IdempotencyTable(reservingCapacity: Int(min(live, 60_000_000)))
        }
    }

    mutating func run() -> ScenarioResult {
        scheduleNextSubmission()
        let limit = scenario.duration + options.drainLimit
        var incomplete: String?
        var untilCheck = Self.cancellationCheckInterval
        while let e = queue.pop() {
            if e.time > limit {
                incomplete = "tasks still running \(DurationFormat.short(options.drainLimit)) after the last arrival"
                break
            }
            untilCheck -= 1
            if untilCheck == 0 {
                untilCheck = Self.cancellationCheckInterval
                if Task.isCancelled {
                    incomplete = "interrupted"
                    break
                }
            }
            now = e.time
            switch e.kind {
            case .arrival:
                let sub = upcoming!
                scheduleNextSubmission()
                submit(sub)
            case .duplicate:
                preconditionFailure("duplicates arrive through the submission schedule")
            case .attemptEnded:
                let slot = Int(e.a)
                let outcome = slots[slot].pending
                var flow = slots[slot].flow
                var rng = slots[slot].jitterRng
                let action = flow.attemptEnded(
                    outcome, config: config, state: &state, now: now, rng: &rng, sink: &recorder)
                slots[slot].flow = flow
                slots[slot].jitterRng = rng
                slots[slot].lastOutcome = outcome
                handle(action, slot: slot)
            case .wake:
                let slot = Int(e.a)
                var flow = slots[slot].flow
                var rng = slots[slot].jitterRng
                let action = flow.wakeUp(config: config, state: &state, now: now, rng: &rng, sink: &recorder)
                slots[slot].flow = flow
                slots[slot].jitterRng = rng
                handle(action, slot: slot)
            }
        }
        if incomplete != nil {
            // What is still running or queued ends unfinished.
            let free = Set(freeSlots)
            for i in slots.indices where !free.contains(Int32(i)) {
                finishRecord(slot: i, result: .unfinished, outcome: nil)
            }
            for w in waiting[waitingHead...] {
                recorder.recordTask(
                    TaskRecord(
                        id: w.id, keyID: w.keyID, duplicate: w.duplicate, intendedStart: w.intended, started: now,
                        finished: now, result: .unfinished, cause: nil, attempts: 0, calls: 0, lastOutcome: nil,
                        route: routeIndex[w.prompt], model: modelIndex[w.prompt], promptTokens: 0, completionTokens: 0))
            }
        }
        return recorder.finish(end: max(now, scenario.duration), incompleteReason: incomplete)
    }

    /// Queues the arrival of the schedule's next submission.
    mutating func scheduleNextSubmission() {
        upcoming = submissions.next()
        if let next = upcoming { queue.push(next.at, .arrival) }
    }

    /// A submission reaches the service: claim its key, then run, queue, replay or reject it.
    mutating func submit(_ sub: Submission) {
        let keyID = sub.keyID, prompt = sub.prompt, duplicate = sub.duplicate, id = sub.id
        recorder.recordArrival(at: now)
        if sub.duplicatesAhead > 0 { openKeys[keyID] = 1 + sub.duplicatesAhead }
        if sub.concurrent { recorder.recordConcurrentDuplicate() }
        if let ttl {
            let key = Submission.key(keyID)
            switch idempotency.claim(key: key, fingerprint: fingerprints[prompt], now: now, ttl: ttl) {
            case .claimed:
                if duplicate { recorder.recordReexecution(afterTTL: true) }
            case .inFlight:
                recordImmediate(id: id, keyID: keyID, prompt: prompt, duplicate: duplicate, result: .conflict, cause: nil)
                return
            case .completed(let stored):
                if let original = originalBodies[keyID] { recorder.recordReplay(identical: original == stored.body) }
                recordImmediate(id: id, keyID: keyID, prompt: prompt, duplicate: duplicate, result: .replayed, cause: nil)
                return
            case .mismatch:
                recordImmediate(
                    id: id, keyID: keyID, prompt: prompt, duplicate: duplicate, result: .failed, cause: .idempotencyMismatch)
                return
            }
        } else if duplicate {
            recorder.recordReexecution(afterTTL: false)
        }
        if plans[prompt].error != nil {
            recorder.tokenBudget.rejected += 1
            completeKey(keyID: keyID, prompt: prompt, body: "error:token_budget", duplicate: duplicate)
            recordImmediate(id: id, keyID: keyID, prompt: prompt, duplicate: duplicate, result: .failed, cause: .tokenBudget)
            return
        }
        if let cap = scenario.load.concurrency, inFlight >= cap {
            waiting.append(Waiting(id: id, keyID: keyID, prompt: prompt, duplicate: duplicate, intended: now))
            return
        }
        start(id: id, keyID: keyID, prompt: prompt, duplicate: duplicate, intended: now)
    }

    /// Records a submission that ended at once (replay, conflict, rejection before any attempt).
    mutating func recordImmediate(
        id: Int, keyID: Int, prompt: Int, duplicate: Bool, result: SubmissionResult, cause: FailureCause?
    ) {
        recorder.recordTask(
            TaskRecord(
                id: id, keyID: keyID, duplicate: duplicate, intendedStart: now, started: now, finished: now,
                result: result, cause: cause, attempts: 0, calls: 0, lastOutcome: nil, route: routeIndex[prompt],
                model: modelIndex[prompt], promptTokens: 0, completionTokens: 0))
        submissionEnded(keyID: keyID)
    }

    mutating func start(id: Int, keyID: Int, prompt: Int, duplicate: Bool, intended: Duration) {
        inFlight += 1
        let index = UInt64(keyID) | (duplicate ? 1 << 40 : 0)
        let slot = Slot(
            flow: TaskFlow(startedAt: now), jitterRng: TrafficStreams.stream(seed, .jitter, index),
            providerRng: TrafficStreams.stream(seed, .provider, index), id: id, keyID: keyID, prompt: prompt,
            duplicate: duplicate, intended: intended, started: now)
        let i: Int
        if let free = freeSlots.popLast() {
            i = Int(free)
            slots[i] = slot
        } else {
            i = slots.count
            slots.append(slot)
        }
        if let p = plans[prompt].request {
            if p.prompt.userTruncated { recorder.tokenBudget.truncatedPrompts += 1 }
            recorder.tokenBudget.maxPromptTokens = max(recorder.tokenBudget.maxPromptTokens, p.prompt.estimatedTokens)
        }
        var flow = slots[i].flow
        var rng = slots[i].jitterRng
        let action = flow.start(config: config, state: &state, now: now, rng: &rng, sink: &recorder)
        slots[i].flow = flow
        slots[i].jitterRng = rng
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
        let plan = plans[slots[slot].prompt].request!
        let request = FaultRequest(
            model: plan.route.model, stream: stream, attempt: number, idempotencyKey: Submission.key(slots[slot].keyID),
            promptTokens: plan.prompt.estimatedTokens, maxTokens: plan.route.maxTokens, now: now)
        var providerRng = slots[slot].providerRng
        let decision = provider.decide(request, rng: &providerRng)
        slots[slot].providerRng = providerRng
        let observed = decision.observed(clientTimeout: timeout, stream: stream)
        var call = LLMCallRecord(
            at: now, taskID: slots[slot].id, keyID: slots[slot].keyID, attempt: number, outcome: .status(200),
            generated: false, model: modelIndex[slots[slot].prompt], route: routeIndex[slots[slot].prompt])
        switch decision.action {
        case .healthy(let reply):
            call.generated = true
            call.promptTokens = reply.promptTokens
            call.completionTokens = reply.completionTokens
            slots[slot].replySeed = reply.textSeed
        case .status(let s):
            call.outcome = .status(s.status)
            call.retryAfter = s.advertisedRetryAfter
        case .connection(let fault, let reply):
            switch fault {
            case .drip:
                call.generated = true
                call.promptTokens = reply.promptTokens
                call.completionTokens = reply.completionTokens
                slots[slot].replySeed = reply.textSeed
            case .reset: call.outcome = .dropped(.reset)
            case .hang: call.outcome = .dropped(.hang)
            case .truncate: call.outcome = .dropped(.truncate)
            case .malformed: call.outcome = .dropped(.malformed)
            case .empty: call.outcome = .dropped(.empty)
            case .streamError: call.outcome = .dropped(.streamError)
            }
        }
        recorder.recordCall(call)
        slots[slot].promptTokens += call.promptTokens
        slots[slot].completionTokens += call.completionTokens
        slots[slot].pending = observed.outcome
        queue.push(now + observed.duration, .attemptEnded, a: Int32(slot))
    }

    mutating func finish(slot: Int, outcome: TaskOutcome) {
        let s = slots[slot]
        let body = outcome.succeeded ? "ok:" + String(UInt32(truncatingIfNeeded: s.replySeed), radix: 16)
            : "error:" + (outcome.cause?.rawValue ?? "failed")
        completeKey(keyID: s.keyID, prompt: s.prompt, body: body, duplicate: s.duplicate)
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
            start(id: w.id, keyID: w.keyID, prompt: w.prompt, duplicate: w.duplicate, intended: w.intended)
        }
    }

    mutating func finishRecord(slot: Int, result: SubmissionResult, outcome: TaskOutcome?) {
        let s = slots[slot]
        recorder.recordTask(
            TaskRecord(
                id: s.id, keyID: s.keyID, duplicate: s.duplicate, intendedStart: s.intended, started: s.started,
                finished: outcome?.finishedAt ?? now, result: result, cause: outcome?.cause,
                attempts: outcome?.attempts ?? 0, calls: outcome?.calls ?? 0,
                lastOutcome: outcome?.lastOutcome ?? s.lastOutcome, route: routeIndex[s.prompt],
                model: modelIndex[s.prompt], promptTokens: s.promptTokens, completionTokens: s.completionTokens))
        submissionEnded(keyID: s.keyID)
    }

    /// One submission of `keyID` ended; when it was the key's last, the key's state goes.
    mutating func submissionEnded(keyID: Int) {
        if let left = openKeys[keyID] {
            if left > 1 {
                openKeys[keyID] = left - 1
                return
            }
            openKeys[keyID] = nil
            originalBodies[keyID] = nil
        }
        recorder.closeKey(keyID)
    }

    mutating func completeKey(keyID: Int, prompt: Int, body: String, duplicate: Bool) {
        guard let ttl else { return }
        if !duplicate, openKeys[keyID] != nil { originalBodies[keyID] = body }
        idempotency.complete(
            key: Submission.key(keyID), fingerprint: fingerprints[prompt],
            result: StoredResult(succeeded: body.hasPrefix("ok"), body: body), now: now, ttl: ttl)
    }
}
