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

    /// Runs the scenario to completion (all arrivals, then every in-flight task drains).
    /// Expectations are not evaluated here (see `ScenarioRunner`).
    public func run() -> ScenarioResult {
        var engine = SimulationEngine(scenario: scenario, options: options)
        return engine.run()
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
        var key: String
        var prompt: Int
        var duplicate: Bool
        var intended: Duration
        var started: Duration
        var pending: AttemptOutcome = .ok
        var promptTokens = 0
        var completionTokens = 0
        var cost = 0.0
        var replySeed: UInt64 = 0
        var lastOutcome: AttemptOutcome?
    }

    struct Waiting {
        var id: Int
        var keyID: Int
        var key: String
        var prompt: Int
        var duplicate: Bool
        var intended: Duration
    }

    struct Plan {
        var request: PlannedRequest?
        var error: TokenBudgetError?
    }

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
    var routes: [Route] = []
    var fingerprints: [String] = []
    var slots: [Slot] = []
    var freeSlots: [Int32] = []
    var waiting: [Waiting] = []
    var waitingHead = 0
    var inFlight = 0
    /// Result bodies of originals by key number, kept when the load has duplicates (the replay check).
    var originalBodies: [String?] = []
    var now: Duration = .zero
    /// `"0"` … `"599"`, so task records do not format a status per task.
    let statusLabels = (0..<600).map { String($0) }

    init(scenario: Scenario, options: SimulationOptions) {
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
                faultWindows: scenario.faultWindows, keepTasks: options.keepTasks))
        submissions = SubmissionSchedule(scenario: scenario, seed: seed)
        for (i, p) in scenario.load.prompts.enumerated() {
            fingerprints.append("p\(i)")
            routes.append(scenario.stack.router.route(p.text))
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
        let expected = scenario.load.ratePerSecond * scenario.duration.seconds * (1 + (scenario.load.duplicates?.rate ?? 0))
        recorder.reserveTasks(Int(min(expected * 1.05 + 64, 60_000_000)))
        if ttl != nil {
            // Keys live for the TTL: at most the originals arriving within one TTL (plus slack).
            let live = scenario.load.ratePerSecond * min(scenario.duration, ttl!).seconds * 1.05 + 64
            idempotency = IdempotencyTable(reservingCapacity: Int(min(live, 60_000_000)))
        }
    }

    static func label(_ outcome: AttemptOutcome?, _ statusLabels: [String]) -> String {
        switch outcome {
        case .response(let status, _)?: return (0..<600).contains(status) ? statusLabels[status] : String(status)
        case .transport(let f)?: return f.rawValue
        case nil: return ""
        }
    }

    mutating func run() -> ScenarioResult {
        scheduleNextSubmission()
        let limit = scenario.duration + options.drainLimit
        var incomplete: String?
        while let e = queue.pop() {
            if e.time > limit {
                incomplete = "tasks still running \(DurationFormat.short(options.drainLimit)) after the last arrival"
                break
            }
            now = e.time
            switch e.kind {
            case .arrival:
                let sub = upcoming!
                scheduleNextSubmission()
                submit(id: sub.id, keyID: sub.keyID, prompt: sub.prompt, duplicate: sub.duplicate, concurrent: sub.concurrent)
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
            // Record what is still running as unfinished.
            let free = Set(freeSlots)
            for i in slots.indices where !free.contains(Int32(i)) {
                finishRecord(slot: i, result: .unfinished, outcome: nil)
            }
        }
        return recorder.finish(end: max(now, scenario.duration), incompleteReason: incomplete)
    }

    /// Queues the arrival of the schedule's next submission.
    mutating func scheduleNextSubmission() {
        upcoming = submissions.next()
        if let next = upcoming { queue.push(next.at, .arrival) }
    }

    static func keyString(_ keyID: Int) -> String { Submission.key(keyID) }

    /// A submission reaches the service: claim its key, then run, queue, replay or reject it.
    mutating func submit(id: Int, keyID: Int, prompt: Int, duplicate: Bool, concurrent: Bool) {
        recorder.recordArrival(at: now)
        if concurrent { recorder.recordConcurrentDuplicate() }
        let key = Self.keyString(keyID)
        if let ttl {
            switch idempotency.claim(key: key, fingerprint: fingerprints[prompt], now: now, ttl: ttl) {
            case .claimed:
                if duplicate { recorder.recordReexecution(afterTTL: true) }
            case .inFlight:
                recordImmediate(id: id, key: key, prompt: prompt, duplicate: duplicate, result: .conflict, cause: nil)
                return
            case .completed(let stored):
                if keyID < originalBodies.count, let original = originalBodies[keyID] {
                    recorder.recordReplay(identical: original == stored.body)
                }
                recordImmediate(id: id, key: key, prompt: prompt, duplicate: duplicate, result: .replayed, cause: nil)
                return
            case .mismatch:
                recordImmediate(
                    id: id, key: key, prompt: prompt, duplicate: duplicate, result: .failed, cause: .idempotencyMismatch)
                return
            }
        } else if duplicate {
            recorder.recordReexecution(afterTTL: false)
        }
        if plans[prompt].error != nil {
            recorder.tokenBudget.rejected += 1
            recordImmediate(id: id, key: key, prompt: prompt, duplicate: duplicate, result: .failed, cause: .tokenBudget)
            completeKey(keyID: keyID, key: key, prompt: prompt, body: "error:token_budget", duplicate: duplicate)
            return
        }
        if let cap = scenario.load.concurrency, inFlight >= cap {
            waiting.append(Waiting(id: id, keyID: keyID, key: key, prompt: prompt, duplicate: duplicate, intended: now))
            return
        }
        start(id: id, keyID: keyID, key: key, prompt: prompt, duplicate: duplicate, intended: now)
    }

    /// Records a submission that ended at once (replay, conflict, rejection before any attempt).
    mutating func recordImmediate(
        id: Int, key: String, prompt: Int, duplicate: Bool, result: SubmissionResult, cause: FailureCause?
    ) {
        let route = routes[prompt]
        let t = now.seconds
        recorder.recordTask(
            TaskRecord(
                id: id, key: key, duplicate: duplicate, intendedStart: t, started: t, finished: t,
                result: result, cause: cause, attempts: 0, calls: 0, lastOutcome: "", route: route.rule,
                model: route.model, promptTokens: 0, completionTokens: 0, cost: 0))
    }

    mutating func start(id: Int, keyID: Int, key: String, prompt: Int, duplicate: Bool, intended: Duration) {
        inFlight += 1
        let index = UInt64(keyID) | (duplicate ? 1 << 40 : 0)
        let slot = Slot(
            flow: TaskFlow(startedAt: now), jitterRng: TrafficStreams.stream(seed, .jitter, index),
            providerRng: TrafficStreams.stream(seed, .provider, index), id: id, keyID: keyID, key: key,
            prompt: prompt, duplicate: duplicate, intended: intended, started: now)
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

    /// One LLM call: the provider's fault plan decides, and the client observes the outcome.
    mutating func attempt(number: Int, timeout: Duration, slot: Int) {
        let plan = plans[slots[slot].prompt].request!
        let request = FaultRequest(
            model: plan.route.model, stream: stream, attempt: number, idempotencyKey: slots[slot].key,
            promptTokens: plan.prompt.estimatedTokens, maxTokens: plan.route.maxTokens, now: now)
        var providerRng = slots[slot].providerRng
        let decision = provider.decide(request, rng: &providerRng)
        slots[slot].providerRng = providerRng
        let observed = decision.observed(clientTimeout: timeout, stream: stream)
        var generated = false
        var usage = TokenUsage.zero
        switch decision.action {
        case .healthy(let reply):
            generated = true
            usage = TokenUsage(promptTokens: reply.promptTokens, completionTokens: reply.completionTokens)
            slots[slot].replySeed = reply.textSeed
        case .connection(.drip, let reply):
            generated = true
            usage = TokenUsage(promptTokens: reply.promptTokens, completionTokens: reply.completionTokens)
            slots[slot].replySeed = reply.textSeed
        default:
            break
        }
        if generated {
            recorder.recordCompletion(keyID: slots[slot].keyID, at: now)
            let cost = recorder.recordCall(model: plan.route.model, route: plan.route.rule, usage: usage, generated: true)
            slots[slot].promptTokens += usage.promptTokens
            slots[slot].completionTokens += usage.completionTokens
            slots[slot].cost += cost
        } else {
            _ = recorder.recordCall(model: plan.route.model, route: plan.route.rule, usage: .zero, generated: false)
        }
        slots[slot].pending = observed.outcome
        queue.push(now + observed.duration, .attemptEnded, a: Int32(slot))
    }

    mutating func finish(slot: Int, outcome: TaskOutcome) {
        let s = slots[slot]
        let body = outcome.succeeded ? "ok:" + String(UInt32(truncatingIfNeeded: s.replySeed), radix: 16)
            : "error:" + (outcome.cause?.rawValue ?? "failed")
        finishRecord(slot: slot, result: outcome.succeeded ? .succeeded : .failed, outcome: outcome)
        completeKey(keyID: s.keyID, key: s.key, prompt: s.prompt, body: body, duplicate: s.duplicate)
        freeSlots.append(Int32(slot))
        inFlight -= 1
        if waitingHead < waiting.count {
            let w = waiting[waitingHead]
            waitingHead += 1
            if waitingHead > 1024, waitingHead * 2 > waiting.count {
                waiting.removeFirst(waitingHead)
                waitingHead = 0
            }
            start(id: w.id, keyID: w.keyID, key: w.key, prompt: w.prompt, duplicate: w.duplicate, intended: w.intended)
        }
    }

    mutating func finishRecord(slot: Int, result: SubmissionResult, outcome: TaskOutcome?) {
        let record = makeRecord(slot: slot, result: result, outcome: outcome)
        recorder.recordTask(record)
    }

    func makeRecord(slot: Int, result: SubmissionResult, outcome: TaskOutcome?) -> TaskRecord {
        let s = slots[slot]
        let route = routes[s.prompt]
        return TaskRecord(
            id: s.id, key: s.key, duplicate: s.duplicate, intendedStart: s.intended.seconds,
            started: s.started.seconds, finished: (outcome?.finishedAt ?? now).seconds, result: result,
            cause: outcome?.cause, attempts: outcome?.attempts ?? 0, calls: outcome?.calls ?? 0,
            lastOutcome: Self.label(outcome?.lastOutcome ?? s.lastOutcome, statusLabels), route: route.rule,
            model: route.model, promptTokens: s.promptTokens, completionTokens: s.completionTokens, cost: s.cost)
    }

    mutating func completeKey(keyID: Int, key: String, prompt: Int, body: String, duplicate: Bool) {
        guard let ttl else { return }
        if !duplicate, scenario.load.duplicates != nil {
            if keyID >= originalBodies.count {
                originalBodies.append(contentsOf: repeatElement(nil, count: max(keyID + 1, originalBodies.count * 2) - originalBodies.count))
            }
            originalBodies[keyID] = body
        }
        idempotency.complete(
            key: key, fingerprint: fingerprints[prompt], result: StoredResult(succeeded: body.hasPrefix("ok"), body: body),
            now: now, ttl: ttl)
    }
}
