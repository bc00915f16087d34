import NIOCore
import Reliability
import Synchronization

/// The server's shared mutable state (fault plan, counters, stats, scenario clock) behind one lock.
/// Every event loop calls in here once per request.
public final class MockState: Sendable {
    struct Inner: Sendable {
        var plan: FaultPlan
        var profileText: String
        var stats: MockStats
        var labels: ModelLabels
        var requestCount: UInt64 = 0
        var origin: NIODeadline
    }

    private let box: Mutex<Inner>
    /// The seed of all random draws.
    public let seed: UInt64
    /// Scenario time runs this many times faster than real time.
    public let timeScale: Double

    /// The bound of the idempotency-key table of the stats.
    public let maxKeys: Int

    /// Creates state for `profile`; scenario time starts now. The stats keep at most `maxKeys`
    /// idempotency keys (the oldest is evicted first).
    public init(profile: FaultProfile, profileText: String, seed: UInt64, timeScale: Double, maxKeys: Int = MockStats.defaultMaxKeys) {
        self.seed = seed
        self.timeScale = timeScale
        self.maxKeys = maxKeys
        box = Mutex(
            Inner(
                plan: FaultPlan(profile: profile), profileText: profileText, stats: MockStats(maxKeys: maxKeys),
                labels: ModelLabels(profile: profile), origin: .now()))
    }

    /// The current profile.
    public var profile: FaultProfile { box.withLock { $0.plan.profile } }

    /// The current profile's source text.
    public var profileText: String { box.withLock { $0.profileText } }

    /// Scenario time now (real time since start or reset, times the time scale).
    public func scenarioNow() -> Duration {
        let origin = box.withLock { $0.origin }
        return Self.scenario(real: NIODeadline.now() - origin, scale: timeScale)
    }

    static func scenario(real: TimeAmount, scale: Double) -> Duration {
        .nanoseconds(real.nanoseconds).scaled(by: scale)
    }

    /// Converts a scenario duration to the real time to wait.
    public func realDelay(_ d: Duration) -> TimeAmount {
        let real = timeScale == 1 ? d : d.scaled(by: 1 / timeScale)
        let c = real.components
        return .nanoseconds(c.seconds * 1_000_000_000 + c.attoseconds / 1_000_000_000)
    }

    /// Decides one request (with `override` as the only rule and no rate limits, when given) and records it.
    /// The request's `now` is filled in from the scenario clock.
    /// `attemptHeader` reads a request header by name; the attempt number comes from the profile's
    /// `attempt_header` (when present and numeric).
    func decide(
        _ request: FaultRequest, override: FaultRule?, attemptHeader: (String) -> String? = { _ in nil }
    ) -> (FaultDecision, requestNumber: UInt64) {
        let real = NIODeadline.now()
        return box.withLock { s in
            var req = request
            req.now = Self.scenario(real: real - s.origin, scale: timeScale)
            if let a = attemptHeader(s.plan.profile.attemptHeader), let v = Int(a.trimmingCharacters(in: .whitespaces)) {
                req.attempt = max(1, v - s.plan.profile.attemptHeaderFirst + 1)
            }
            let n = s.requestCount
            s.requestCount &+= 1
            var rng = SquallRandom.stream(seed: seed, n)
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
            var executed = false
            switch decision.action {
            case .healthy: executed = true
            case .connection(.drip, _): executed = true
            default: break
            }
            let model = s.labels.label(req.model)
            s.stats.modelsFolded = s.labels.folded
            s.stats.record(
                path: req.path, model: model, status: decision.wireStatus, action: decision.label,
                idempotencyKey: req.idempotencyKey, executed: executed)
            return (decision, n)
        }
    }

    /// Counts a request that never reached the fault plan (bad input, unknown path, control calls).
    func recordOther(path: String, model: String, status: Int, action: String, idempotencyKey: String? = nil) {
        box.withLock { s in
            let label = s.labels.label(model)
            s.stats.modelsFolded = s.labels.folded
            s.stats.record(path: path, model: label, status: status, action: action, idempotencyKey: idempotencyKey, executed: false)
        }
    }

    /// Counts a connection refused because the connection limit was reached.
    func recordRefusedConnection() {
        box.withLock { $0.stats.connectionsRefused += 1 }
    }

    /// A fresh request number (for ids of requests that do not reach the plan).
    func nextRequestNumber() -> UInt64 {
        box.withLock { s in
            defer { s.requestCount &+= 1 }
            return s.requestCount
        }
    }

    /// Replaces the profile (counters and buckets start afresh; stats and the clock are kept).
    public func replace(profile: FaultProfile, text: String) {
        box.withLock {
            $0.plan.replace(profile: profile)
            $0.profileText = text
            $0.labels.addKnown(profile)
        }
    }

    /// Clears stats, counters and buckets and restarts scenario time at zero, then hands the freed
    /// memory back to the operating system (`malloc_trim`), so RSS falls after a reset.
    public func reset() {
        box.withLock {
            $0.plan.reset()
            $0.stats = MockStats(maxKeys: maxKeys)
            $0.labels = ModelLabels(profile: $0.plan.profile)
            $0.requestCount = 0
            $0.origin = .now()
        }
        Self.releaseFreedMemory()
    }

    /// Returns freed heap pages to the operating system (glibc keeps them otherwise).
    static func releaseFreedMemory() {
        #if os(Linux)
            _ = glibcMallocTrim(0)
        #endif
    }

    /// A copy of the stats.
    public var stats: MockStats { box.withLock { $0.stats } }
}

#if os(Linux)
    /// glibc's `malloc_trim` (declared in `<malloc.h>`, which the Glibc module does not export).
    @_silgen_name("malloc_trim")
    private func glibcMallocTrim(_ pad: Int) -> Int32
#endif
