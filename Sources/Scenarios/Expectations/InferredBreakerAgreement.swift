import Reliability

/// How well the breaker inferred at the LLM (`InferredBreakerMachine`) matches the real breaker,
/// measured in the simulator, which has both: the stack's exact transitions and the LLM call
/// records the inference reads. For each seed, the real breaker's last opening from closed before
/// a fault window's end is compared with the last inferred opening before it, and the first real
/// closing after that opening with the first inferred closing after the inferred one.
public struct InferredBreakerAgreement: Sendable, Hashable {
    /// Seeds run.
    public var seeds = 0
    /// Seeds where the real breaker opened in the window.
    public var realOpens = 0
    /// Of those, seeds where an opening was inferred within `bound` of the real one.
    public var opensAgreed = 0
    /// Seeds where the real breaker did not open in the window but an opening was inferred.
    public var falseOpens = 0
    /// Seeds where the real breaker closed after the window.
    public var realCloses = 0
    /// Of those, seeds where a closing was inferred within `bound` of the real one.
    public var closesAgreed = 0
    /// The largest |inferred − real| opening instant among the agreed seeds, seconds.
    public var maxOpenError = 0.0
    /// The largest |inferred − real| closing instant among the agreed seeds, seconds.
    public var maxCloseError = 0.0
    /// Inferred openings over whole runs of a stack without a breaker (must be 0).
    public var noBreakerOpens = 0
    /// Seeds of the stack without a breaker.
    public var noBreakerSeeds = 0
    /// Seeds that disagreed (opening or closing outside the bound, or a false opening).
    public var disagreeing: [UInt64] = []

    /// An empty tally.
    public init() {}

    /// Adds one simulated run of a stack with a breaker (run with `SimulationOptions.inferBreaker`)
    /// for fault window `window`, comparing instants within `bound` seconds.
    public mutating func add(_ r: ScenarioResult, window: Int, bound: Double) {
        guard let inferred = r.aggregates.mechanisms.inferredBreaker, let w = r.faultWindows.first(where: { $0.index == window })
        else { return }
        seeds += 1
        var ok = true
        let realOpen = r.breaker.transitions.last { $0.from == "closed" && $0.to == "open" && $0.at < w.end }
        let inferredOpen = inferred.transitions.last { $0.to == "open" && $0.at < w.end }
        if let real = realOpen {
            realOpens += 1
            if let i = inferredOpen, abs(i.at - real.at) <= bound {
                opensAgreed += 1
                maxOpenError = max(maxOpenError, abs(i.at - real.at))
            } else {
                ok = false
            }
            if let realClose = r.breaker.transitions.first(where: { $0.to == "closed" && $0.at > real.at }) {
                realCloses += 1
                let inferredClose = inferredOpen.flatMap { o in inferred.transitions.first { $0.to == "closed" && $0.at > o.at } }
                if let i = inferredClose, abs(i.at - realClose.at) <= bound {
                    closesAgreed += 1
                    maxCloseError = max(maxCloseError, abs(i.at - realClose.at))
                } else {
                    ok = false
                }
            }
        } else if inferredOpen != nil {
            falseOpens += 1
            ok = false
        }
        if !ok { disagreeing.append(r.seed) }
    }

    /// Adds one simulated run of the same scenario without a breaker (`Mutant.noBreaker`).
    public mutating func addNoBreaker(_ r: ScenarioResult) {
        guard let inferred = r.aggregates.mechanisms.inferredBreaker else { return }
        noBreakerSeeds += 1
        noBreakerOpens += inferred.opens
    }

    /// One line: `opens 50/50 within 2s (max 0.41s), closes 50/50 (max 0.80s), 0 false opens; no breaker: 0 opens over 50 seeds`.
    public var summary: String {
        "opens \(opensAgreed)/\(realOpens) agreed (max error \(DurationFormat.short(.fromSeconds(maxOpenError)))), "
            + "closes \(closesAgreed)/\(realCloses) agreed (max error \(DurationFormat.short(.fromSeconds(maxCloseError)))), "
            + "\(falseOpens) false opens over \(seeds) seeds; no breaker: \(noBreakerOpens) inferred opens over \(noBreakerSeeds) seeds"
    }
}
