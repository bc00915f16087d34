import Reliability
/// Maps scenario time onto a real clock with a time scale: scenario durations are divided by the
/// scale on the way to the clock, measured durations multiplied by it on the way back. Scenario
/// time zero is the instant the timeline was created. Works with any `Clock<Duration>`, so tests can
/// substitute a virtual clock.
public struct LiveTimeline: Sendable {
    /// The time compression K (scenario seconds per real second). Default 1.
    public let scale: Double
    private var realNow: @Sendable () -> Duration
    private var realSleep: @Sendable (Duration) async throws -> Void
    /// Told, after every completed sleep, how late (real time) it woke past its target; nil = nobody.
    private var onWake: (@Sendable (Duration) -> Void)?

    /// A timeline over `clock` whose origin is `clock.now`, compressing time by `scale` (> 0).
    public init(clock: any Clock<Duration> = ContinuousClock(), scale: Double = 1) {
        precondition(scale > 0 && scale.isFinite, "time scale must be a positive number")
        self.scale = scale
        (realNow, realSleep) = Self.bind(clock)
    }

    private static func bind<C: Clock<Duration>>(_ clock: C) -> (
        @Sendable () -> Duration, @Sendable (Duration) async throws -> Void
    ) {
        let origin = clock.now
        return (
            { origin.duration(to: clock.now) },
            { offset in try await clock.sleep(until: origin.advanced(by: offset), tolerance: nil) }
        )
    }

    /// Real time elapsed since the origin.
    public func realElapsed() -> Duration { realNow() }

    /// Scenario time now: real elapsed × scale.
    public func now() -> Duration { toScenario(realNow()) }

    /// Sleeps until scenario time `t` (real offset t / scale). Throws `CancellationError` when cancelled.
    public func sleep(untilScenario t: Duration) async throws {
        try await sleep(untilReal: toReal(t))
    }

    /// Sleeps until real offset `t` from the origin. Throws `CancellationError` when cancelled.
    public func sleep(untilReal t: Duration) async throws {
        try await realSleep(t)
        if let onWake { onWake(max(.zero, realNow() - t)) }
    }

    /// This timeline (same clock, origin and scale) reporting, after every sleep that completes, how
    /// late it woke in real time (the timer's scheduler lag) to `observer`; a live run's timing
    /// fidelity is measured this way.
    public func reportingWakeLag(to observer: @escaping @Sendable (Duration) -> Void) -> LiveTimeline {
        var copy = self
        copy.onWake = observer
        return copy
    }

    /// This timeline's clock and scale with its origin moved to the present instant, and the real
    /// time from the old origin to the new one (`shift`): an instant t on this timeline is
    /// t − shift × scale on the new one, exactly (one clock, one reading). A run whose replicas were
    /// started on this timeline starts its own scenario time zero this way and maps their events onto it.
    public func rebasedToNow() -> (timeline: LiveTimeline, shift: Duration) {
        let shift = realNow()
        var copy = self
        let now = realNow
        let sleep = realSleep
        copy.realNow = { now() - shift }
        copy.realSleep = { offset in try await sleep(offset + shift) }
        return (copy, shift)
    }

    /// A scenario duration expressed in real time (÷ scale).
    public func toReal(_ d: Duration) -> Duration { scale == 1 ? d : d.scaled(by: 1 / scale) }

    /// A real duration expressed in scenario time (× scale).
    public func toScenario(_ d: Duration) -> Duration { scale == 1 ? d : d.scaled(by: scale) }
}
