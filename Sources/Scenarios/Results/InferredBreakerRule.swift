/// The rule by which a circuit breaker Squall cannot see (a foreign service's) is inferred from
/// what the LLM saw (its call log) and what Squall offered (the submissions' arrival instants).
/// Times are scenario time. See docs/live.md "Breaker inferred at the LLM".
///
/// - **open** at failed call *L* (at the instant its answer left the provider) when the next call
///   comes at least `minSilence` after *L*, at least one task arrived before it, and, among the
///   next `evidenceArrivals` original arrivals after *L*, at most `probeAllowance` calls reached
///   the LLM, and the first of them has waited `minSilence` without a call: tasks kept arriving
///   and the service stopped calling. Low traffic alone never looks
///   open: the judgement waits for `evidenceArrivals` arrivals, however long that takes.
/// - a **probe** is a call during an inferred open after which, over the next `evidenceArrivals`
///   arrivals, at most `probeAllowance` further calls came (an isolated call);
/// - **closed** at call *C* during an inferred open (at its answer, or at the answer of the first
///   successful call received before it was answered) when *C*'s burst had a success and, over
///   the next `evidenceArrivals` arrivals after that answer, more than `probeAllowance` calls
///   came: calls track arrivals again. When the burst had no success, its calls were probes —
///   except right after an opening, where failing calls tracking arrivals withdraw the opening
///   (a stall that caught up, not a breaker).
public struct InferredBreakerRule: Sendable, Hashable, Codable {
    /// The least time without any call after a failed call for it to be a candidate opening.
    /// Default 1 s.
    public var minSilence: Duration
    /// Arrivals after a candidate call that must be seen before it is judged. Default 3.
    public var evidenceArrivals: Int
    /// Calls that may still come among those arrivals for the service to count as not calling
    /// (isolated probes). Must be below `evidenceArrivals - 1`. Default 1.
    public var probeAllowance: Int

    /// A rule; see each field for its default.
    public init(minSilence: Duration = .seconds(1), evidenceArrivals: Int = 3, probeAllowance: Int = 1) {
        self.minSilence = minSilence
        self.evidenceArrivals = max(2, evidenceArrivals)
        self.probeAllowance = max(0, min(probeAllowance, self.evidenceArrivals - 2))
    }
}
