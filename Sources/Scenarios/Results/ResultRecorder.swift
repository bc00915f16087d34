import Reliability

/// The driver-agnostic accumulator of a run: the simulator and the live driver feed it the same
/// events, and `finish` turns them into a `ScenarioResult`. It is a `TaskEventSink`, so a driver
/// can hand it (or a sink wrapping it) to `TaskFlow` directly; per-task facts that events do not
/// carry (keys, tokens, cost) arrive through `recordCall`, `recordCompletion` and `recordTask`.
public struct ResultRecorder: TaskEventSink, Sendable {
    /// Configuration of a recorder.
    public struct Setup: Sendable {
        /// What is being run.
        public var info: ScenarioInfo
        /// Simulator or live.
        public var mode: RunMode
        /// The run's seed.
        public var seed: UInt64
        /// Scenario duration (arrivals stop there).
        public var duration: Duration
        /// Time-series interval; nil picks one giving at most ~240 points.
        public var interval: Duration?
        /// Whether the stack has a breaker.
        public var breakerConfigured: Bool
        /// Idempotency TTL; nil when idempotency is off.
        public var idempotencyTTL: Duration?
        /// Prices for cost.
        public var prices: PriceTable
        /// The profile's fault windows.
        public var faultWindows: [FaultWindowInfo]
        /// Whether to keep one `TaskRecord` per submission. Default true.
        public var keepTasks: Bool

        /// Creates a setup.
        public init(
            info: ScenarioInfo, mode: RunMode, seed: UInt64, duration: Duration, interval: Duration? = nil,
            breakerConfigured: Bool, idempotencyTTL: Duration?, prices: PriceTable, faultWindows: [FaultWindowInfo],
            keepTasks: Bool = true
        ) {
            self.info = info
            self.mode = mode
            self.seed = seed
            self.duration = duration
            self.interval = interval
            self.breakerConfigured = breakerConfigured
            self.idempotencyTTL = idempotencyTTL
            self.prices = prices
            self.faultWindows = faultWindows
            self.keepTasks = keepTasks
        }
    }

    struct Bin: Sendable {
        var arrivals = 0
        var llmCalls = 0
        var attemptFailures = 0
        var throttled = 0
        var rejected = 0
        var succeeded = 0
        var failed = 0
        var openSeconds = 0.0
        var latency: LatencyRecorder?
        var stateAtEnd: BreakerState?
    }

    struct ModelTally: Sendable {
        var calls = 0
        var executions = 0
        var prompt = 0
        var completion = 0
        var cost = 0.0
    }

    struct RouteTally: Sendable {
        var model: String
        var tasks = 0
        var cost = 0.0
    }

    struct KeyExecutions: Sendable {
        var since: Duration
        var count: Int
    }

    let setup: Setup
    /// The time-series interval in use.
    public let interval: Duration
    private let intervalSeconds: Double
    private var bins: [Bin] = []

    private var submitted = 0
    private var executed = 0
    private var succeeded = 0
    private var failed = 0
    private var unfinished = 0
    private var causes: [String: Int] = [:]
    /// Attempt outcomes: HTTP statuses by code (index 0…599), then transport failures, then breaker rejections.
    private var outcomeCounts = [Int](repeating: 0, count: 600 + TransportFailure.allCases.count + 1)
    private static let transportIndex: [TransportFailure: Int] = Dictionary(
        uniqueKeysWithValues: TransportFailure.allCases.enumerated().map { ($1, 600 + $0) })
    private static let rejectedIndex = 600 + TransportFailure.allCases.count
    private var retryReasons: [String: Int] = [:]
    private var attemptsHistogram: [Int] = []
    private var attemptSum = 0
    private var callSum = 0
    private var latency = LatencyRecorder()
    private var successLatency = LatencyRecorder()

    private var llmCalls = 0
    private var modelNames: [String] = []
    private var modelTallies: [ModelTally] = []
    private var modelPrices: [PriceTable.Price?] = []
    private var routeNames: [String] = []
    private var routeTallies: [RouteTally] = []

    private var breakerState: BreakerState = .closed
    private var breakerSince: Duration = .zero
    private var transitions: [BreakerTransitionRecord] = []
    private var opens = 0
    private var closes = 0
    private var cycles = 0
    private var secondsOpen = 0.0
    private var callsWhileOpen = 0
    private var halfOpenCalls = 0
    private var currentHalfOpenCalls = 0
    private var maxCallsPerHalfOpen = 0
    private var rejections = 0

    private var duplicatesSubmitted = 0
    private var concurrentDuplicates = 0
    private var replayed = 0
    private var conflicts = 0
    private var reexecutedAfterTTL = 0
    private var reexecutedWithinTTL = 0
    private var replayMismatches = 0
    /// Executions per key: dense keys (0 ..< 2^26, the simulator's) in an array, others in a dictionary.
    private var denseExecutions: [KeyExecutions] = []
    private var sparseExecutions: [Int: KeyExecutions] = [:]
    private var duplicateExecutionKeys = 0
    private var maxExecutionsPerKey = 0

    private var tasks: [TaskRecord] = []
    private var windows: [FaultWindowInfo]
    /// What the token budget did; drivers fill it directly.
    public var tokenBudget = TokenBudgetStats()

    /// A recorder for one run.
    public init(_ setup: Setup) {
        self.setup = setup
        windows = setup.faultWindows
        let chosen = setup.interval ?? Self.niceInterval(for: setup.duration)
        interval = chosen
        intervalSeconds = max(chosen.seconds, 1e-3)
        bins.reserveCapacity(Int(setup.duration.seconds / intervalSeconds) + 2)
    }

    /// The interval giving at most ~240 points for `duration`, from 1 s, 2 s, 5 s, 10 s, 15 s, 30 s, 1 m … 1 h.
    public static func niceInterval(for duration: Duration) -> Duration {
        let candidates: [Double] = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600]
        let s = duration.seconds
        for c in candidates where s / c <= 240 { return .seconds(c) }
        return .seconds(86_400)
    }

    // MARK: Events

    @inline(__always)
    private mutating func bin(_ t: Duration) -> Int {
        let i = max(0, Int(t.seconds / intervalSeconds))
        if i >= bins.count { bins.append(contentsOf: repeatElement(Bin(), count: i - bins.count + 1)) }
        return i
    }

    /// A submission (original or duplicate) was intended to start at `at` (offered load).
    public mutating func recordArrival(at: Duration) {
        bins[bin(at)].arrivals += 1
        if !windows.isEmpty {
            let t = at.seconds
            for i in windows.indices where windows[i].contains(t) { windows[i].arrivals += 1 }
        }
    }

    /// Receives the task flow's events.
    public mutating func record(_ event: TaskEvent) {
        switch event {
        case .attemptStarted(_, let at):
            llmCalls += 1
            bins[bin(at)].llmCalls += 1
            if !windows.isEmpty {
                let t = at.seconds
                for i in windows.indices where windows[i].contains(t) { windows[i].llmCalls += 1 }
            }
            switch breakerState {
            case .open, .forcedOpen: callsWhileOpen += 1
            case .halfOpen:
                halfOpenCalls += 1
                currentHalfOpenCalls += 1
                maxCallsPerHalfOpen = max(maxCallsPerHalfOpen, currentHalfOpenCalls)
            default: break
            }
        case .attemptEnded(_, let outcome, let failureClass, let at, _):
            switch outcome {
            case .response(let status, _): outcomeCounts[min(599, max(0, status))] += 1
            case .transport(let f): outcomeCounts[Self.transportIndex[f]!] += 1
            }
            if failureClass != .success {
                let b = bin(at)
                bins[b].attemptFailures += 1
                if failureClass == .throttled { bins[b].throttled += 1 }
            }
        case .retryScheduled(_, _, let reason, _, _):
            retryReasons[reason.rawValue, default: 0] += 1
        case .breakerRejected(let at, _):
            rejections += 1
            outcomeCounts[Self.rejectedIndex] += 1
            bins[bin(at)].rejected += 1
        case .breaker(let t):
            recordBreaker(t)
        case .finished:
            break
        }
    }

    private mutating func recordBreaker(_ t: BreakerTransition) {
        closeBreakerSpan(until: t.at)
        transitions.append(
            BreakerTransitionRecord(at: t.at.seconds, from: t.from.rawValue, to: t.to.rawValue, cause: t.cause.label))
        switch t.to {
        case .open, .forcedOpen:
            opens += 1
            if t.from == .closed { cycles += 1 }
        case .closed:
            if t.from == .halfOpen { closes += 1 }
        case .halfOpen:
            currentHalfOpenCalls = 0
        case .disabled: break
        }
        breakerState = t.to
        breakerSince = t.at
    }

    /// Adds OPEN time from the last transition to `until` into the bins.
    private mutating func closeBreakerSpan(until: Duration) {
        let isOpen = breakerState == .open || breakerState == .forcedOpen
        let from = breakerSince.seconds
        let to = until.seconds
        if to > from {
            let first = bin(breakerSince)
            let last = bin(until)
            for i in first...last {
                if isOpen {
                    let a = max(from, Double(i) * intervalSeconds)
                    let b = min(to, Double(i + 1) * intervalSeconds)
                    if b > a { bins[i].openSeconds += b - a }
                }
                if i < last { bins[i].stateAtEnd = breakerState }
            }
            if isOpen { secondsOpen += to - from }
        }
    }

    /// One LLM call's billed tokens on `model` for a task routed by `route`; `generated` when the
    /// provider produced the completion (counted as an execution).
    public mutating func recordCall(model: String, route: String, usage: TokenUsage, generated: Bool) -> Double {
        let i = modelIndex(model)
        var cost = 0.0
        if let p = modelPrices[i] {
            cost = (Double(usage.promptTokens) * p.inputPerMillion + Double(usage.completionTokens) * p.outputPerMillion) / 1e6
        }
        modelTallies[i].calls += 1
        if generated { modelTallies[i].executions += 1 }
        modelTallies[i].prompt += usage.promptTokens
        modelTallies[i].completion += usage.completionTokens
        modelTallies[i].cost += cost
        routeTallies[routeIndex(route, model: model)].cost += cost
        return cost
    }

    @inline(__always)
    private mutating func modelIndex(_ model: String) -> Int {
        for i in modelNames.indices where modelNames[i] == model { return i }
        modelNames.append(model)
        modelTallies.append(ModelTally())
        modelPrices.append(setup.prices.prices[model])
        return modelNames.count - 1
    }

    @inline(__always)
    private mutating func routeIndex(_ route: String, model: String) -> Int {
        for i in routeNames.indices where routeNames[i] == route { return i }
        routeNames.append(route)
        routeTallies.append(RouteTally(model: model))
        return routeNames.count - 1
    }

    /// A completion was fully generated at `at` for the key numbered `keyID` (executions per key,
    /// counted at the LLM). A second generation while the key is live (within the TTL of the first)
    /// makes the key a duplicate execution.
    public mutating func recordCompletion(keyID: Int, at: Duration) {
        if keyID >= 0, keyID < 1 << 26 {
            if keyID >= denseExecutions.count {
                let grow = max(keyID + 1, denseExecutions.count * 2, 1024)
                denseExecutions.append(contentsOf: repeatElement(KeyExecutions(since: .zero, count: 0), count: grow - denseExecutions.count))
            }
            var e = denseExecutions[keyID]
            count(&e, at: at)
            denseExecutions[keyID] = e
        } else {
            var e = sparseExecutions[keyID] ?? KeyExecutions(since: .zero, count: 0)
            count(&e, at: at)
            sparseExecutions[keyID] = e
        }
    }

    private mutating func count(_ e: inout KeyExecutions, at: Duration) {
        if e.count == 0 {
            e = KeyExecutions(since: at, count: 1)
        } else if let ttl = setup.idempotencyTTL, at - e.since >= ttl {
            e = KeyExecutions(since: at, count: 1)
        } else {
            e.count += 1
            if e.count == 2 { duplicateExecutionKeys += 1 }
        }
        maxExecutionsPerKey = max(maxExecutionsPerKey, e.count)
    }

    /// How the idempotency layer treated a duplicate submission that was executed again.
    public mutating func recordReexecution(afterTTL: Bool) {
        if afterTTL { reexecutedAfterTTL += 1 } else { reexecutedWithinTTL += 1 }
    }

    /// A duplicate was sent while its original was in flight (by schedule).
    public mutating func recordConcurrentDuplicate() { concurrentDuplicates += 1 }

    /// A replay was compared with the original's result.
    public mutating func recordReplay(identical: Bool) {
        if !identical { replayMismatches += 1 }
    }

    /// Reserves room for `count` task records (avoids regrowing a large array).
    public mutating func reserveTasks(_ count: Int) {
        if setup.keepTasks { tasks.reserveCapacity(count) }
    }

    /// A submission ended (executed, replayed or rejected as a conflict).
    public mutating func recordTask(_ record: TaskRecord) {
        submitted += 1
        if record.duplicate { duplicatesSubmitted += 1 }
        let finishedAt = Duration.fromSeconds(record.finished)
        switch record.result {
        case .replayed:
            replayed += 1
        case .conflict:
            conflicts += 1
        case .unfinished:
            executed += 1
            unfinished += 1
        case .succeeded, .failed:
            executed += 1
            let ok = record.result == .succeeded
            let lat = Duration.fromSeconds(max(0, record.latency))
            latency.record(lat)
            let b = bin(finishedAt)
            if bins[b].latency == nil { bins[b].latency = LatencyRecorder(digits: .two) }
            bins[b].latency!.record(lat)
            if ok {
                succeeded += 1
                successLatency.record(lat)
                bins[b].succeeded += 1
            } else {
                failed += 1
                bins[b].failed += 1
                causes[(record.cause ?? .permanent).rawValue, default: 0] += 1
            }
            if attemptsHistogram.count <= record.attempts {
                attemptsHistogram.append(contentsOf: repeatElement(0, count: record.attempts - attemptsHistogram.count + 1))
            }
            attemptsHistogram[record.attempts] += 1
            attemptSum += record.attempts
            callSum += record.calls
            routeTallies[routeIndex(record.route, model: record.model)].tasks += 1
        }
        if setup.keepTasks { tasks.append(record) }
    }

    // MARK: Result

    /// Orders records by intended start, then id. When ids are 0..<n and already follow intended
    /// starts (the simulator numbers submissions as they arrive), this is a linear placement.
    static func inIntendedStartOrder(_ records: [TaskRecord]) -> [TaskRecord] {
        let n = records.count
        var position = [Int32](repeating: -1, count: n)
        var dense = true
        for (i, r) in records.enumerated() {
            guard r.id >= 0, r.id < n, position[r.id] == -1 else { dense = false; break }
            position[r.id] = Int32(i)
        }
        if dense {
            let placed = position.map { records[Int($0)] }
            var ordered = true
            for i in placed.indices.dropFirst() where placed[i].intendedStart < placed[i - 1].intendedStart {
                ordered = false
                break
            }
            if ordered { return placed }
        }
        return records.sorted {
            $0.intendedStart != $1.intendedStart ? $0.intendedStart < $1.intendedStart : $0.id < $1.id
        }
    }

    private func outcomeLabels() -> [String: Int] {
        var out: [String: Int] = [:]
        for (i, c) in outcomeCounts.enumerated() where c > 0 {
            if i < 600 {
                out[String(i)] = c
            } else if i == Self.rejectedIndex {
                out["breaker_rejected"] = c
            } else {
                out[TransportFailure.allCases[i - 600].rawValue] = c
            }
        }
        return out
    }

    /// Builds the result; `end` is the scenario time the run stopped.
    public mutating func finish(end: Duration, incompleteReason: String? = nil) -> ScenarioResult {
        closeBreakerSpan(until: max(end, breakerSince))
        breakerSince = max(end, breakerSince)
        let lastBin = bin(max(end, setup.duration) - .nanoseconds(1))
        var state = breakerState
        var points: [TimeSeriesPoint] = []
        points.reserveCapacity(lastBin + 1)
        for i in 0...lastBin {
            let b = bins[i]
            if let s = b.stateAtEnd { state = s } else if i == lastBin { state = breakerState }
            points.append(
                TimeSeriesPoint(
                    start: Double(i) * intervalSeconds, arrivals: b.arrivals, llmCalls: b.llmCalls,
                    attemptFailures: b.attemptFailures, throttled: b.throttled, rejected: b.rejected,
                    succeeded: b.succeeded, failed: b.failed, latencyP50: b.latency?.percentile(50) ?? 0,
                    latencyP99: b.latency?.percentile(99) ?? 0, latencyMax: b.latency?.max ?? 0,
                    breakerState: setup.breakerConfigured ? state.rawValue : "none",
                    breakerOpenFraction: min(1, b.openSeconds / intervalSeconds)))
        }
        let done = succeeded + failed
        var hist: [AttemptsBucket] = []
        for (n, c) in attemptsHistogram.enumerated() where c > 0 { hist.append(AttemptsBucket(attempts: n, tasks: c)) }
        let attempts = AttemptsSummary(
            histogram: hist, meanAttempts: done == 0 ? 0 : Double(attemptSum) / Double(done),
            meanCalls: done == 0 ? 0 : Double(callSum) / Double(done), maxAttempts: hist.last?.attempts ?? 0)

        var byModel: [ModelUsage] = []
        var prompt = 0
        var completion = 0
        var cost = 0.0
        var executions = 0
        var unpriced: [String] = []
        for (name, m) in zip(modelNames, modelTallies).sorted(by: { $0.0 < $1.0 }) {
            byModel.append(
                ModelUsage(
                    model: name, llmCalls: m.calls, executions: m.executions, promptTokens: m.prompt,
                    completionTokens: m.completion, cost: m.cost))
            prompt += m.prompt
            completion += m.completion
            cost += m.cost
            executions += m.executions
            if setup.prices.prices[name] == nil { unpriced.append(name) }
        }
        var byRoute: [RouteUsage] = []
        for (name, r) in zip(routeNames, routeTallies).sorted(by: { $0.0 < $1.0 }) {
            byRoute.append(
                RouteUsage(
                    route: name, model: r.model, tasks: r.tasks, taskShare: done == 0 ? 0 : Double(r.tasks) / Double(done),
                    cost: r.cost, costShare: cost == 0 ? 0 : r.cost / cost))
        }
        let usage = UsageSummary(
            llmCalls: llmCalls, executions: executions, promptTokens: prompt, completionTokens: completion, cost: cost,
            byModel: byModel, byRoute: byRoute, unpricedModels: unpriced)
        let days = setup.duration.seconds / 86_400
        let scale = days > 0 ? 1 / days : 0
        let perDay = PerDayFigures(
            tasks: Double(executed) * scale, failures: Double(failed) * scale, llmCalls: Double(llmCalls) * scale,
            tokens: Double(prompt + completion) * scale, cost: cost * scale)
        let breaker = BreakerSummary(
            configured: setup.breakerConfigured, transitions: transitions, opens: opens, closes: closes, cycles: cycles,
            secondsOpen: secondsOpen, callsWhileOpen: callsWhileOpen, halfOpenCalls: halfOpenCalls,
            maxCallsPerHalfOpen: maxCallsPerHalfOpen, rejections: rejections,
            finalState: setup.breakerConfigured ? breakerState.rawValue : "none")
        let duplicates = DuplicateStats(
            idempotencyEnabled: setup.idempotencyTTL != nil, submitted: duplicatesSubmitted,
            concurrent: concurrentDuplicates, replayed: replayed, conflicts: conflicts,
            reexecutedAfterTTL: reexecutedAfterTTL, reexecutedWithinTTL: reexecutedWithinTTL,
            duplicateExecutions: duplicateExecutionKeys, maxExecutionsPerKey: maxExecutionsPerKey,
            replayMismatches: replayMismatches)
        var result = ScenarioResult(
            scenario: setup.info, mode: setup.mode, seed: setup.seed, durationSeconds: setup.duration.seconds,
            endSeconds: end.seconds,
            totals: TaskTotals(
                submitted: submitted, tasks: executed, succeeded: succeeded, failed: failed, unfinished: unfinished),
            failuresByCause: NamedCount.sorted(causes), attemptOutcomes: NamedCount.sorted(outcomeLabels()),
            retriesByReason: NamedCount.sorted(retryReasons), attempts: attempts, usage: usage, perDay: perDay,
            latency: latency.summary(), successLatency: successLatency.summary(), breaker: breaker,
            timeSeries: TimeSeries(intervalSeconds: intervalSeconds, points: points), duplicates: duplicates,
            faultWindows: windows)
        result.tokenBudget = tokenBudget
        result.incomplete = incompleteReason != nil
        result.incompleteReason = incompleteReason
        result.tasks = Self.inIntendedStartOrder(tasks)
        tasks = []
        return result
    }
}
