import Reliability

/// The driver-agnostic recorder of a run: a thin router from the three event streams (contract 4)
/// to one bounded, mergeable accumulator per summary type, and `finish`, which turns them into a
/// `ScenarioResult`.
///
/// - *stack events* (`record(_:)`, a `TaskEventSink`) → `AttemptTally`, `BreakerTally`, `TimeSeriesTally`;
/// - *LLM call records* (`recordCall(_:)`) → `UsageTally` (calls, tokens, executions per key),
///   `TimeSeriesTally` and `WindowTally` (calls per interval and per window);
/// - *task outcomes* (`recordTask(_:)`) → `TaskTotalsTally`, `LatencyTally`, `TimeSeriesTally`,
///   `WindowTally`, and a row of `tasks.csv` when the setup names the file;
/// - and, only when the expectations ask (`ResultNeeds.mechanisms`), all three → `MechanismTally`
///   (breaker threshold crossings, window edges, retry clustering, Retry-After, re-executions).
///
/// Every accumulator holds integer counts, HDR histograms, fixed time bins and per-key state for
/// keys still in play only, so memory does not grow with the task count; floating figures (cost,
/// means, shares) are derived in `finish`. `merge(_:)` combines recorders of shards of one run.
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
        /// What the expectations need kept per fault window. Default: nothing beyond the run.
        public var needs: ResultNeeds
        /// Routing rules (name, model) known up front; their order gives the route indices. Default none.
        public var routes: [RouteName]
        /// Whether the driver calls `closeKey` for every key it submits (per-key state then ends
        /// with the key; otherwise it ends with the TTL). Default false.
        public var closesKeys: Bool
        /// Where `tasks.csv` streams (an open writer the recorder closes in `finish`); nil writes
        /// no per-task rows. Default nil.
        public var tasksFile: TaskCSVWriter?
        /// Whether stack events (`record(_:)`: attempts, retries, breaker) are kept. A shard of a
        /// sharded simulation other than shard 0 sets false: the stack is one, so its events belong
        /// to no submission's slice and shard 0 keeps them all (docs/scale-out.md). Default true.
        public var stackEvents: Bool

        /// Creates a setup; see each field for its default.
        public init(
            info: ScenarioInfo, mode: RunMode, seed: UInt64, duration: Duration, interval: Duration? = nil,
            breakerConfigured: Bool, idempotencyTTL: Duration?, prices: PriceTable, faultWindows: [FaultWindowInfo],
            needs: ResultNeeds = ResultNeeds(), routes: [RouteName] = [], closesKeys: Bool = false,
            tasksFile: TaskCSVWriter? = nil, stackEvents: Bool = true
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
            self.needs = needs
            self.routes = routes
            self.closesKeys = closesKeys
            self.tasksFile = tasksFile
            self.stackEvents = stackEvents
        }
    }

    /// A routing rule and the model it sends to.
    public struct RouteName: Sendable, Hashable, Codable {
        /// Rule name (`default` for the fallback).
        public var name: String
        /// Model.
        public var model: String
        /// Creates a route name.
        public init(name: String, model: String) {
            self.name = name
            self.model = model
        }
    }

    let setup: Setup
    /// The time-series interval in use.
    public let interval: Duration

    private(set) var modelNames: [String] = []
    private var modelBytes: [[UInt8]] = []
    private var modelPrices: [PriceTable.Price?] = []
    private(set) var routeNames: [RouteName] = []
    private var routeBytes: [[UInt8]] = []

    var totals = TaskTotalsTally()
    var latency = LatencyTally()
    var attempts = AttemptTally()
    var breaker = BreakerTally()
    var usage: UsageTally
    var duplicates = DuplicateTally()
    var series: TimeSeriesTally
    var windows: WindowTally
    var mechanisms: MechanismTally
    /// What the token budget did; drivers fill it directly.
    public var tokenBudget = TokenBudgetStats()
    private let tasksFile: TaskCSVWriter?
    private let stackEvents: Bool
    /// Why `tasks.csv` is incomplete (a write failed), after `finish`; nil when it is whole.
    public private(set) var tasksFileError: String?

    /// A recorder for one run.
    public init(_ setup: Setup) {
        self.setup = setup
        let chosen = setup.interval ?? Self.niceInterval(for: setup.duration)
        interval = chosen
        usage = UsageTally(ttl: setup.idempotencyTTL, closesKeys: setup.closesKeys)
        series = TimeSeriesTally(interval: chosen)
        windows = WindowTally(windows: setup.faultWindows, needs: setup.needs)
        mechanisms = MechanismTally(needs: setup.needs.mechanisms, windows: setup.faultWindows, closesKeys: setup.closesKeys)
        tasksFile = setup.tasksFile
        stackEvents = setup.stackEvents
        for r in setup.routes { _ = routeIndex(r.name, model: r.model) }
    }

    /// The interval giving at most ~240 points for `duration`, from 1 s, 2 s, 5 s, 10 s, 15 s, 30 s, 1 m … 1 h.
    public static func niceInterval(for duration: Duration) -> Duration {
        let candidates: [Double] = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600]
        let s = duration.seconds
        for c in candidates where s / c <= 240 { return .seconds(c) }
        return .seconds(86_400)
    }

    // MARK: Tables

    /// The index of `model` in the run's model table (added when new).
    public mutating func modelIndex(_ model: String) -> Int {
        if let i = modelNames.firstIndex(of: model) { return i }
        modelNames.append(model)
        modelBytes.append(CSVBytes.field(model))
        modelPrices.append(setup.prices.prices[model])
        return modelNames.count - 1
    }

    /// The index of routing rule `name` (sending to `model`) in the run's route table (added when new).
    public mutating func routeIndex(_ name: String, model: String) -> Int {
        if let i = routeNames.firstIndex(where: { $0.name == name }) { return i }
        routeNames.append(RouteName(name: name, model: model))
        routeBytes.append(CSVBytes.field(name))
        _ = modelIndex(model)
        return routeNames.count - 1
    }

    /// US dollars of `promptTokens` and `completionTokens` on the model with index `model`.
    @inline(__always)
    public func cost(model: Int, promptTokens: Int, completionTokens: Int) -> Double {
        guard model >= 0, model < modelPrices.count else { return 0 }
        return UsageTally.cost(modelPrices[model], prompt: promptTokens, completion: completionTokens)
    }

    // MARK: Streams

    /// A submission (original or duplicate) was intended to start at `at` (offered load).
    public mutating func recordArrival(at: Duration, duplicate: Bool = false) {
        recordArrival(atNanos: ScenarioClock.nanoseconds(at), duplicate: duplicate)
    }

    /// A submission was intended to start at `ns` nanoseconds of scenario time. The breaker
    /// inference counts originals only (`duplicate` false): a service may answer a duplicate
    /// without calling the LLM.
    @inline(__always)
    public mutating func recordArrival(atNanos ns: Int64, duplicate: Bool = false) {
        series.recordArrival(ns)
        if !windows.isEmpty { windows.recordArrival(ns) }
        if mechanisms.active, !duplicate { mechanisms.arrival(ns) }
    }

    /// A stack event (attempts, retries, breaker).
    @inline(__always)
    public mutating func record(_ event: TaskEvent) {
        guard stackEvents else { return }
        if mechanisms.active { mechanisms.record(event) }
        switch event {
        case .attemptStarted:
            breaker.record(event)
        case .attemptEnded:
            attempts.record(event)
            series.record(event)
        case .retryScheduled:
            attempts.record(event)
        case .breakerRejected:
            attempts.record(event)
            breaker.record(event)
            series.record(event)
        case .breaker(let t):
            breaker.record(event)
            series.recordBreakerChange(at: ScenarioClock.nanoseconds(t.at), to: t.to)
        case .finished:
            break
        }
    }

    /// A breaker state change seen outside the task flow's events (a task service's breaker, observed).
    public mutating func recordBreakerChange(at: Duration, from: BreakerState, to: BreakerState, cause: BreakerCause) {
        breaker.recordChange(at: at, from: from, to: to, cause: cause)
        if mechanisms.active { mechanisms.breakerChange(at: at, from: from, to: to) }
        series.recordBreakerChange(at: ScenarioClock.nanoseconds(at), to: to)
    }

    /// One call the provider saw.
    @inline(__always)
    public mutating func recordCall(_ call: LLMCallRecord) {
        usage.record(call)
        if mechanisms.active { mechanisms.call(call) }
        let ns = call.atNanos
        series.recordCall(ns)
        if !windows.isEmpty { windows.recordCall(ns) }
    }

    /// A completion generated for `keyID` at `at` that no call record carried (live runs: the
    /// mock's count of executions beyond what its clients saw).
    public mutating func recordExecution(keyID: Int, at: Duration) { usage.recordExecution(keyID: keyID, at: at) }

    /// Every submission of `keyID` has ended: its per-key state can go.
    @inline(__always)
    public mutating func closeKey(_ keyID: Int) {
        usage.closeKey(keyID)
        if mechanisms.active { mechanisms.closeKey(keyID) }
    }

    /// How the idempotency layer treated a duplicate submission that was executed again.
    public mutating func recordReexecution(afterTTL: Bool) {
        if afterTTL { duplicates.reexecutedAfterTTL += 1 } else { duplicates.reexecutedWithinTTL += 1 }
    }

    /// A duplicate was sent while its original was in flight (by schedule).
    public mutating func recordConcurrentDuplicate() { duplicates.concurrent += 1 }

    /// A replay was compared with the original's result.
    public mutating func recordReplay(identical: Bool) {
        if !identical { duplicates.replayMismatches += 1 }
    }

    /// A submission ended (executed, replayed, rejected as a conflict, or unfinished).
    @inline(__always)
    public mutating func recordTask(_ t: TaskRecord) {
        totals.record(t)
        if mechanisms.active { mechanisms.taskEnded(t.id) }
        if t.executed {
            let micros = ScenarioClock.microseconds(nanos: t.finishedNanos - t.intendedNanos)
            let ok = t.result == .succeeded
            latency.record(micros: micros, succeeded: ok)
            series.recordFinished(at: t.finishedNanos, micros: micros, succeeded: ok, attempts: t.attempts, cause: t.cause)
            if !windows.isEmpty {
                windows.recordFinished(
                    intended: t.intendedNanos, finished: t.finishedNanos, micros: micros, succeeded: ok, cause: t.cause,
                    attempts: t.attempts, calls: t.calls)
            }
        }
        if let tasksFile {
            let route = t.route >= 0 && t.route < routeBytes.count ? routeBytes[t.route] : []
            let model = t.model >= 0 && t.model < modelBytes.count ? modelBytes[t.model] : []
            let cost = cost(model: t.model, promptTokens: t.promptTokens, completionTokens: t.completionTokens)
            tasksFile.append(t, route: route, model: model, cost: cost)
        }
    }

    // MARK: Merge

    /// Adds a recorder of another shard of the same run (same scenario, seed and needs): counts
    /// and histograms add exactly; model and route indices are matched by name.
    public mutating func merge(_ other: ResultRecorder) {
        var o = other
        let modelMap = o.modelNames.map { modelIndex($0) }
        let routeMap = o.routeNames.map { routeIndex($0.name, model: $0.model) }
        if modelMap != Array(modelMap.indices) || routeMap != Array(routeMap.indices) {
            o.usage.remap(models: modelMap, routes: routeMap)
            o.totals.remap(routes: routeMap)
        }
        totals.merge(o.totals)
        latency.merge(o.latency)
        attempts.merge(o.attempts)
        breaker.merge(o.breaker)
        usage.merge(o.usage)
        duplicates.merge(o.duplicates)
        series.merge(o.series)
        windows.merge(o.windows)
        mechanisms.merge(o.mechanisms)
        tokenBudget.merge(o.tokenBudget)
    }

    // MARK: Result

    /// Builds the result; `end` is the scenario time the run stopped. Closes `tasks.csv` (see `tasksFileError`).
    public mutating func finish(end: Duration, incompleteReason: String? = nil) -> ScenarioResult {
        if let tasksFile { tasksFileError = tasksFile.close() }
        let endNs = ScenarioClock.nanoseconds(end)
        let lastNs = max(endNs, ScenarioClock.nanoseconds(setup.duration))
        let (timeSeries, intervalOutcomes) = series.finish(lastNs: lastNs, breakerConfigured: setup.breakerConfigured)
        let done = totals.succeeded + totals.failed
        let usageSummary = usage.summary(
            modelNames: modelNames, routes: routeNames.map { ($0.name, $0.model) }, prices: setup.prices,
            tasksByRoute: totals.tasksByRoute, finishedTasks: done)
        let days = setup.duration.seconds / 86_400
        let scale = days > 0 ? 1 / days : 0
        let perDay = PerDayFigures(
            tasks: Double(totals.executed) * scale, failures: Double(totals.failed) * scale,
            llmCalls: Double(usage.calls) * scale, tokens: Double(usageSummary.totalTokens) * scale,
            cost: usageSummary.cost * scale)
        var result = ScenarioResult(
            scenario: setup.info, mode: setup.mode, seed: setup.seed, durationSeconds: setup.duration.seconds,
            endSeconds: end.seconds, totals: totals.totals, failuresByCause: totals.failuresByCause,
            attemptOutcomes: attempts.attemptOutcomes, retriesByReason: attempts.retriesByReason,
            attempts: totals.attemptsSummary, usage: usageSummary, perDay: perDay, latency: latency.all.summary(),
            successLatency: latency.succeeded.summary(),
            breaker: breaker.summary(configured: setup.breakerConfigured, endNanos: max(endNs, breaker.sinceNanos)),
            timeSeries: timeSeries,
            duplicates: duplicates.summary(
                idempotencyEnabled: setup.idempotencyTTL != nil, totals: totals, keys: usage.keys),
            faultWindows: windows.windowInfo(setup.faultWindows))
        result.tokenBudget = tokenBudget
        result.incomplete = incompleteReason != nil
        result.incompleteReason = incompleteReason
        var aggregates = windows.aggregates()
        aggregates.intervalOutcomes = intervalOutcomes
        aggregates.mechanisms = mechanisms.finish(endNanos: endNs)
        result.aggregates = aggregates
        return result
    }
}

extension UsageTally {
    /// Renumbers models and routes (`models[i]` is the new index of model `i`).
    mutating func remap(models map: [Int], routes rmap: [Int]) {
        var m: [ModelCounts] = Array(repeating: ModelCounts(), count: (map.max() ?? -1) + 1)
        for (i, c) in models.enumerated() where i < map.count { m[map[i]] = c }
        let old = self
        models = m
        routeTokens = []
        modelStride = 4
        if m.count > modelStride { widen(to: m.count) }
        for r in 0..<(old.routeTokens.count / old.modelStride + 1) where r < rmap.count {
            for k in 0..<min(old.modelStride, map.count) {
                let t = old.tokens(route: r, model: k)
                guard t != Tokens() else { continue }
                let i = rmap[r] * modelStride + map[k]
                if i >= routeTokens.count { routeTokens.append(contentsOf: repeatElement(Tokens(), count: i - routeTokens.count + 1)) }
                routeTokens[i] = t
            }
        }
    }
}

extension TaskTotalsTally {
    /// Renumbers routes (`routes[i]` is the new index of route `i`).
    mutating func remap(routes map: [Int]) {
        var r = [Int](repeating: 0, count: (map.max() ?? -1) + 1)
        for (i, c) in tasksByRoute.enumerated() where i < map.count { r[map[i]] = c }
        tasksByRoute = r
    }
}
