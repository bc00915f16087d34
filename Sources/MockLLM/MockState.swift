#if canImport(Glibc)
    import Glibc
#endif
import NIOCore
import Reliability
import Synchronization

/// The server's shared mutable state (fault plan, request numbers, call log, per-key stats, run id,
/// scenario clock) behind one lock, and the request series counted per event loop (`StatsShard`).
/// Every event loop calls in here once per request.
///
/// What the shared lock covers per request is only what needs the one order of requests: the request
/// number (request `n` draws from `SquallRandom.stream(seed, n)`), the scenario clock, the fault plan's
/// decision (selector counters and rate-limit buckets are shared), the model label, the per-key table
/// (when the request has a key) and the call-log append with its sequence number. The request
/// series (path × model × status × action counts, totals, completions) are counted after the lock is
/// released, in the caller's event-loop shard, and merged when read.
public final class MockState: Sendable {
    struct Inner: Sendable {
        var plan: FaultPlan
        var profileText: String
        var stats: MockStats
        var labels: ModelLabels
        var log: CallLog
        var metrics = MockMetrics()
        var run: String?
        var seed: UInt64
        var requestCount: UInt64 = 0
        /// Counts resets and run starts: the shards' counts of another epoch are not merged.
        var epoch: UInt64 = 0
        var origin: NIODeadline
        /// The wall-clock instant (Unix ns) of `origin`.
        var originUnix: Int64
    }

    /// The state's lock: a glibc adaptive pthread mutex (`AdaptiveLockedBox`), not
    /// `Synchronization.Mutex`, whose Linux implementation is a priority-inheritance futex: when both
    /// event loops contend (every request takes this lock), its kernel `rt_mutex` path and the
    /// spinning in `_lockSlow` cost ≈ 2-3% of the mock's CPU per request (`perf`,
    /// Benchmarks/mock/run.sh, 2026-11-29).
    private let box: AdaptiveLockedBox<Inner>
    /// The time scale's bit pattern (read on every delay, changed by a run start).
    private let scaleBits: Atomic<UInt64>
    /// The request series counted per event loop (at least one; `decide` without a shard uses the first).
    private let shards: [StatsShard]
    /// Moves (under the lock) whenever the profile changes: a connection's cached attempt-header
    /// name (`attemptHeaderName(cached:)`) is stale then.
    private let profileGeneration = Atomic<UInt64>(0)

    /// The bound of the idempotency-key table of the stats.
    public let maxKeys: Int
    /// The call log's capacity in records.
    public let callLogCapacity: Int

    /// Creates state for `profile`; scenario time starts now. The stats keep at most `maxKeys`
    /// idempotency keys (the oldest is evicted first); the call log keeps the last `callLogCapacity` calls.
    /// `shards` is the number of request-series shards (one per event loop of the server; at least 1).
    public init(
        profile: FaultProfile, profileText: String, seed: UInt64, timeScale: Double, maxKeys: Int = MockStats.defaultMaxKeys,
        callLogCapacity: Int = CallLog.defaultCapacity, shards: Int = 1
    ) {
        self.maxKeys = maxKeys
        self.callLogCapacity = callLogCapacity
        self.shards = (0..<max(1, shards)).map { _ in StatsShard() }
        scaleBits = Atomic(timeScale.bitPattern)
        box = AdaptiveLockedBox(
            Inner(
                plan: FaultPlan(profile: profile), profileText: profileText, stats: MockStats(maxKeys: maxKeys),
                labels: ModelLabels(profile: profile), log: CallLog(capacity: callLogCapacity), seed: seed,
                origin: .now(), originUnix: Self.unixNanos()))
    }

    /// The seed of all random draws (request `n` uses stream `n`).
    public var seed: UInt64 { box.withLockedValue { $0.seed } }

    /// Scenario time runs this many times faster than real time.
    public var timeScale: Double { Double(bitPattern: scaleBits.load(ordering: .relaxed)) }

    /// The run id set by the last `startRun`, nil before any.
    public var run: String? { box.withLockedValue { $0.run } }

    /// The current profile.
    public var profile: FaultProfile { box.withLockedValue { $0.plan.profile } }

    /// The current profile's source text.
    public var profileText: String { box.withLockedValue { $0.profileText } }

    /// Scenario time now (real time since start, reset or run start, times the time scale).
    public func scenarioNow() -> Duration {
        let origin = box.withLockedValue { $0.origin }
        return Self.scenario(real: NIODeadline.now() - origin, scale: timeScale)
    }

    static func scenario(real: TimeAmount, scale: Double) -> Duration {
        .nanoseconds(real.nanoseconds).scaled(by: scale)
    }

    /// Converts a scenario duration to the real time to wait.
    public func realDelay(_ d: Duration) -> TimeAmount {
        let scale = timeScale
        let real = scale == 1 ? d : d.scaled(by: 1 / scale)
        let c = real.components
        return .nanoseconds(c.seconds * 1_000_000_000 + c.attoseconds / 1_000_000_000)
    }

    /// The request-series shard `index` (modulo the shard count): an event loop's own.
    func shard(_ index: Int) -> StatsShard { shards[index % shards.count] }

    /// Decides one request (with `override` as the only rule and no rate limits, when given), counts
    /// it (in `shard`, the caller's event loop's, or the first) and logs it. The request's `now` is
    /// filled in from the scenario clock. `attemptValue` is the number the profile's `attempt_header`
    /// carried (`attemptValue(_:)` of the header, read outside the lock), nil when absent or not
    /// numeric; the attempt is that number less the header's first value, plus 1. Returns the
    /// decision, the request number and the seed (for ids).
    func decide(
        _ request: FaultRequest, override: FaultRule?, tag: SquallTag? = nil, shard: StatsShard? = nil,
        attemptValue: Int? = nil
    ) -> (FaultDecision, requestNumber: UInt64, seed: UInt64, metrics: MockMetrics) {
        let real = NIODeadline.now()
        // Built before taking the lock: the fields the decision does not give.
        var record = CallRecord(
            time: .zero, tag: tag, idempotencyKey: request.idempotencyKey.map(Self.logKey), model: "", path: request.path,
            stream: request.stream, outcome: .status(0), promptTokens: request.promptTokens)
        let (decision, n, seed, metrics, model, epoch) = box.withLockedValue { s in
            var req = request
            req.now = Self.scenario(real: real - s.origin, scale: timeScale)
            var declared: Int?
            if let v = attemptValue {
                req.attempt = max(1, v - s.plan.profile.attemptHeaderFirst + 1)
                declared = req.attempt
            }
            let n = s.requestCount
            s.requestCount &+= 1
            var rng = SquallRandom.stream(seed: s.seed, n)
            let decision: FaultDecision
            if let override {
                var p = s.plan.profile
                p.faults = [override]
                p.rateLimits = [:]
                var one = FaultPlan(profile: p)
                decision = one.decide(req, rng: &rng)
            } else {
                decision = s.plan.decide(req, rng: &rng)
            }
            let executed = decision.generatesCompletion
            let model = s.labels.label(req.model)
            s.stats.modelsFolded = s.labels.folded
            if let key = req.idempotencyKey { s.stats.recordKey(key, executed: executed) }
            record.time = req.now
            record.delay = decision.delay
            record.model = model
            record.attempt = declared
            record.outcome = decision.callOutcome
            record.retryAfter = decision.retryAfterGiven
            record.retryAfterMs = decision.retryAfterMsGiven
            record.completed = executed
            record.completionTokens = decision.completionTokensSent
            record.rule = decision.rule
            s.log.append(swapping: &record)  // `record` is now the overwritten one, released outside the lock
            return (decision, n, s.seed, s.metrics, model, s.epoch)
        }
        (shard ?? shards[0]).record(
            epoch: epoch, path: request.path, model: model, status: decision.wireStatus, action: decision.label,
            executed: decision.generatesCompletion)
        return (decision, n, seed, metrics)
    }

    /// An idempotency key as logged: cut to `CallRecord.maxKeyBytes` (ending with `…`) when longer.
    static func logKey(_ key: String) -> String {
        guard key.utf8.count > CallRecord.maxKeyBytes else { return key }
        return String(decoding: key.utf8.prefix(CallRecord.maxKeyBytes - 3), as: UTF8.self) + "…"
    }

    /// Counts a request that never reached the fault plan (bad input, unknown path, timeouts).
    func recordOther(path: String, model: String, status: Int, action: String, idempotencyKey: String? = nil) {
        box.withLockedValue { s in
            let label = s.labels.label(model)
            s.stats.modelsFolded = s.labels.folded
            s.stats.record(path: path, model: label, status: status, action: action, idempotencyKey: idempotencyKey, executed: false)
        }
    }

    /// Counts and logs a completion request refused before the fault plan (400 bad body, 413 too large).
    func recordRejectedCall(path: String, model: String, status: Int, action: String, idempotencyKey: String?, attempt: String?) {
        let real = NIODeadline.now()
        box.withLockedValue { s in
            let label = s.labels.label(model)
            s.stats.modelsFolded = s.labels.folded
            s.stats.record(path: path, model: label, status: status, action: action, idempotencyKey: idempotencyKey, executed: false)
            var declared: Int?
            if let v = Self.attemptValue(attempt) {
                declared = max(1, v - s.plan.profile.attemptHeaderFirst + 1)
            }
            s.log.append(
                CallRecord(
                    time: Self.scenario(real: real - s.origin, scale: timeScale),
                    idempotencyKey: idempotencyKey.map(Self.logKey), model: label, path: path, attempt: declared,
                    outcome: .status(status)))
        }
    }

    /// The header the profile reads the attempt number from.
    var attemptHeaderName: String { box.withLockedValue { $0.plan.profile.attemptHeader } }

    /// The attempt header's name for a profile generation (a connection's cache).
    struct AttemptHeaderName: Sendable {
        var generation: UInt64
        var name: String
    }

    /// The header the profile reads the attempt number from, from `cached` while the profile has
    /// not changed since (one atomic load; the lock is taken only after a change, to refresh it).
    func attemptHeaderName(cached: inout AttemptHeaderName?) -> String {
        let generation = profileGeneration.load(ordering: .acquiring)
        if let c = cached, c.generation == generation { return c.name }
        let fresh = box.withLockedValue { s in
            AttemptHeaderName(generation: profileGeneration.load(ordering: .relaxed), name: s.plan.profile.attemptHeader)
        }
        cached = fresh
        return fresh.name
    }

    /// The number an attempt header's value carries (surrounding blanks allowed), nil when absent or not a number.
    static func attemptValue(_ header: String?) -> Int? {
        guard let header else { return nil }
        return Int(header) ?? Int(header.trimmingCharacters(in: .whitespaces))
    }

    /// Counts a connection refused because the connection limit was reached.
    func recordRefusedConnection() {
        box.withLockedValue { $0.stats.connectionsRefused += 1 }
    }

    /// A fresh request number (for ids of requests that do not reach the plan).
    func nextRequestNumber() -> UInt64 {
        box.withLockedValue { s in
            defer { s.requestCount &+= 1 }
            return s.requestCount
        }
    }

    /// Replaces the profile (counters and buckets start afresh; stats, the log and the clock are kept).
    public func replace(profile: FaultProfile, text: String) {
        box.withLockedValue {
            $0.plan.replace(profile: profile)
            $0.profileText = text
            $0.labels.addKnown(profile)
            profileGeneration.add(1, ordering: .releasing)
        }
    }

    /// Clears stats, the call log, counters and buckets and restarts scenario time at zero, then (when
    /// the tables were large) hands the freed memory back to the operating system (`malloc_trim`), so
    /// RSS falls after a reset.
    public func reset() {
        let large = box.withLockedValue { s in
            defer { Self.clear(&s, maxKeys: maxKeys, logCapacity: callLogCapacity) }
            return Self.holdsMuch(s)
        }
        if large { Self.releaseFreedMemory() }
    }

    /// Whether the tables hold enough that returning their memory is worth a `malloc_trim`, which
    /// walks (and briefly locks) every malloc arena of the process: skipped for small tables, so a
    /// host process (tests, an in-process run) is not stalled by resets that free little.
    private static func holdsMuch(_ s: Inner) -> Bool {
        s.log.count + s.stats.keysTracked >= 16_384
    }

    private static func clear(_ s: inout Inner, maxKeys: Int, logCapacity: Int) {
        s.plan.reset()
        s.stats = MockStats(maxKeys: maxKeys)
        s.labels = ModelLabels(profile: s.plan.profile)
        s.log = CallLog(capacity: logCapacity)
        s.metrics = MockMetrics()
        s.requestCount = 0
        s.epoch &+= 1
        s.origin = .now()
        s.originUnix = Self.unixNanos()
    }

    /// Starts a run atomically (under one lock): sets the run id, replaces the profile / time scale /
    /// seed when given, clears stats, counters, buckets and the call log, and restarts scenario time
    /// at zero now, or `start.startDelay` from now. Requests decided after this belong to the run.
    /// (`start.join` is not looked at: see `joinRun`.)
    @discardableResult
    public func startRun(_ start: RunStart) -> RunStarted {
        let (started, large) = box.withLockedValue { s in
            let large = Self.holdsMuch(s)
            return (self.begin(&s, start), large)
        }
        if large { Self.releaseFreedMemory() }
        return started
    }

    /// Joins run `start.run` when it is the run in force — nothing is reset, the answer carries the
    /// origin already set (`joined` true) — and otherwise starts it as `startRun` does, under the
    /// same lock, so of N shards sending the same start at once exactly one resets the mock.
    /// - Throws: `RunJoinConflict` when the run is in force with another time scale, seed or
    ///   profile text than `start` gives (the shards of one run must agree).
    @discardableResult
    public func joinRun(_ start: RunStart) throws(RunJoinConflict) -> RunStarted {
        let (outcome, large) = box.withLockedValue { s -> (Result<RunStarted, RunJoinConflict>, Bool) in
            guard s.run == start.run else {
                let large = Self.holdsMuch(s)
                return (.success(self.begin(&s, start)), large)
            }
            if let k = start.timeScale, k != timeScale {
                return (.failure(Self.conflict(start.run, "time_scale", "\(k)", "\(timeScale)")), false)
            }
            if let seed = start.seed, seed != s.seed {
                return (.failure(Self.conflict(start.run, "seed", "\(seed)", "\(s.seed)")), false)
            }
            if let text = start.profileText, text != s.profileText {
                return (.failure(Self.conflict(start.run, "profile", "a profile of \(text.utf8.count) bytes", "another text")), false)
            }
            let joined = RunStarted(
                run: start.run, timeScale: timeScale, seed: s.seed, rules: s.plan.profile.faults.count, originUnixNanos: s.originUnix,
                joined: true)
            return (.success(joined), false)
        }
        if large { Self.releaseFreedMemory() }
        return try outcome.get()
    }

    private static func conflict(_ run: String, _ field: String, _ given: String, _ inForce: String) -> RunJoinConflict {
        RunJoinConflict(
            field: field,
            message: "run \(run) is in force with another \(field) (\(inForce)) than this join gives (\(given)): "
                + "every shard of one run must send the same start (same scenario, seed and --time-scale)")
    }

    /// The reset and settings of a start, under the lock.
    private func begin(_ s: inout Inner, _ start: RunStart) -> RunStarted {
        if let profile = start.profile {
            s.plan.replace(profile: profile)
            s.profileText = start.profileText ?? s.profileText
            profileGeneration.add(1, ordering: .releasing)
        }
        if let scale = start.timeScale { scaleBits.store(scale.bitPattern, ordering: .relaxed) }
        if let seed = start.seed { s.seed = seed }
        Self.clear(&s, maxKeys: maxKeys, logCapacity: callLogCapacity)
        let delay = min(max(.zero, start.startDelay), RunStart.maxStartDelay)
        if delay > .zero {
            let c = delay.components
            let nanos = c.seconds * 1_000_000_000 + c.attoseconds / 1_000_000_000
            s.origin = s.origin + .nanoseconds(nanos)
            s.originUnix += nanos
        }
        s.run = start.run
        return RunStarted(
            run: start.run, timeScale: timeScale, seed: s.seed, rules: s.plan.profile.faults.count, originUnixNanos: s.originUnix)
    }

    /// The call-log records after sequence number `after` (at most `limit`, clamped to 1…`CallLog.maxPage`),
    /// with the cursor for the next read and the count of records lost because the reader fell behind.
    public func calls(after: UInt64, limit: Int = CallLog.defaultPage) -> CallLogPage {
        box.withLockedValue { s in
            var page = s.log.page(after: after, limit: min(max(1, limit), CallLog.maxPage))
            page.run = s.run
            return page
        }
    }

    /// The `/metrics` Prometheus text (swift-prometheus exposition of the current counters).
    public func metricsText() -> String {
        let (shared, epoch, metrics, records) = box.withLockedValue { ($0.stats, $0.epoch, $0.metrics, $0.log.count) }
        return metrics.exposition(stats: merged(shared, epoch: epoch), callLogRecords: records)
    }

    /// A copy of the stats (the shared counters and every event loop's request series, merged).
    public var stats: MockStats {
        let (shared, epoch) = box.withLockedValue { ($0.stats, $0.epoch) }
        return merged(shared, epoch: epoch)
    }

    /// `shared` plus the request series every shard counted in `epoch`.
    private func merged(_ shared: MockStats, epoch: UInt64) -> MockStats {
        var stats = shared
        for shard in shards { shard.add(to: &stats, epoch: epoch) }
        return stats
    }

    static func unixNanos() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    /// Returns freed heap pages to the operating system (glibc keeps them otherwise).
    static func releaseFreedMemory() {
        #if os(Linux)
            _ = glibcMallocTrim?(0)
        #endif
    }
}

#if os(Linux)
    /// glibc's `malloc_trim` (declared in `<malloc.h>`, which the Glibc module does not export),
    /// looked up at run time and called with the C calling convention; nil if the C library has none.
    private let glibcMallocTrim: (@convention(c) (Int) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)
    }()
#endif
