/// The state machine that infers a breaker from the LLM side (`InferredBreakerRule`): fed, in time
/// order, the submissions' arrivals, the calls the provider received and the answers it sent,
/// it yields inferred transitions at instants the provider saw. Deterministic; time is an input
/// (nanoseconds of scenario time); memory is bounded by `probeAllowance + 1` candidates and
/// `maxTransitions` kept transitions. At equal instants feed answers, then arrivals, then calls.
public struct InferredBreakerMachine: Sendable, Hashable {
    /// A failed answer that may be where the breaker opened.
    struct Candidate: Sendable, Hashable {
        var anchor: Int64
        var arrivals = 0
        var calls = 0
        /// The first arrival after the anchor.
        var firstArrival: Int64?
    }

    /// A call during an inferred open, being judged as a probe or as the start of closed traffic.
    struct Judgement: Sendable, Hashable {
        var anchor: Int64
        var succeeded: Bool
        var burst = 1
        var arrivals = 0
        var calls = 0
    }

    /// Most transitions kept (counts go on beyond).
    public static let maxTransitions = 1_000

    /// The rule.
    public let rule: InferredBreakerRule
    private let silenceNs: Int64
    /// Inferred state: open or not.
    public private(set) var isOpen = false
    private var openSince: Int64 = 0
    private var candidates: [Candidate] = []
    private var judgement: Judgement?
    /// Inferred transitions, in order (at most `maxTransitions`).
    public private(set) var transitions: [BreakerTransitionRecord] = []
    /// Inferred openings.
    public private(set) var opens = 0
    /// Inferred closings.
    public private(set) var closes = 0
    /// Calls judged to be probes (isolated calls during an inferred open).
    public private(set) var probes = 0
    /// The most calls in one probe burst.
    public private(set) var maxProbeBurst = 0
    /// Nanoseconds spent inferred open, up to the last `finish`.
    public private(set) var openNanos: Int64 = 0
    /// Openings withdrawn: the first calls after the silence failed and tracked arrivals (the
    /// service had stalled and caught up; a breaker lets one probe through, not traffic).
    public private(set) var stalls = 0
    /// Whether the last opening waits for the first judgement of the calls after it.
    private var unconfirmed = false
    private var probesBeforeOpen = 0

    /// A machine for `rule`, starting closed.
    public init(rule: InferredBreakerRule) {
        self.rule = rule
        silenceNs = ScenarioClock.nanoseconds(rule.minSilence)
    }

    /// The provider answered a call at `ns` (`succeeded`: a 2xx status).
    public mutating func answered(at ns: Int64, succeeded: Bool) {
        tick(ns)
        guard !isOpen, !succeeded else { return }
        // The earliest candidate with a given call count dominates later ones: keep one per count.
        if candidates.contains(where: { $0.calls == 0 }) { return }
        candidates.append(Candidate(anchor: ns))
    }

    /// A submission arrived at `ns`.
    public mutating func arrival(at ns: Int64) {
        tick(ns)
        if isOpen {
            guard var j = judgement, ns > j.anchor else { return }
            j.arrivals += 1
            if j.arrivals >= rule.evidenceArrivals {
                unconfirmed = false
                probes += j.burst
                maxProbeBurst = max(maxProbeBurst, j.burst)
                judgement = nil
            } else {
                judgement = j
            }
            return
        }
        for i in candidates.indices where ns > candidates[i].anchor {
            candidates[i].arrivals += 1
            if candidates[i].firstArrival == nil { candidates[i].firstArrival = ns }
        }
        tick(ns)
    }

    /// Opens at the earliest candidate that has its arrivals and whose first arrival has waited
    /// `minSilence` without a call by `ns` (a service slower than the arrivals is not open).
    private mutating func tick(_ ns: Int64) {
        guard !isOpen else { return }
        if let c = candidates.first(where: {
            $0.arrivals >= rule.evidenceArrivals && ns - ($0.firstArrival ?? .max) >= silenceNs
        }) {
            open(at: c.anchor, probes: c.calls, arrivals: c.arrivals)
        }
    }

    /// The provider received a call at `ns`, answered at `answerNs` (`succeeded`: a 2xx status).
    public mutating func received(at ns: Int64, answerAt answerNs: Int64, succeeded: Bool) {
        tick(ns)
        if isOpen {
            guard var j = judgement else {
                judgement = Judgement(anchor: max(ns, answerNs), succeeded: succeeded)
                return
            }
            if ns <= j.anchor {
                j.burst += 1
                if succeeded && !j.succeeded {
                    j.succeeded = true
                    j.anchor = max(ns, answerNs)
                }
                judgement = j
                return
            }
            if succeeded && !j.succeeded {
                // A success after a failed burst: those were probes; judge from this one.
                probes += j.burst + j.calls
                maxProbeBurst = max(maxProbeBurst, j.burst)
                judgement = Judgement(anchor: max(ns, answerNs), succeeded: true)
                return
            }
            j.calls += 1
            guard j.calls > rule.probeAllowance else {
                judgement = j
                return
            }
            if unconfirmed && !j.succeeded {
                retract()
                return
            }
            unconfirmed = false
            if j.succeeded {
                close(at: j.anchor, calls: j.calls, arrivals: j.arrivals)
            } else {
                // Calls came back but the first of them failed: a breaker closes on a success,
                // so those were probes; judge again from this call.
                probes += j.burst + j.calls - 1
                maxProbeBurst = max(maxProbeBurst, j.burst)
                judgement = Judgement(anchor: max(ns, answerNs), succeeded: succeeded)
            }
            return
        }
        // A call within `minSilence` of a failed answer, or before any task had waited
        // `minSilence` without a call, means the service was still calling: that answer was not
        // where it stopped.
        candidates.removeAll { c in
            guard ns > c.anchor else { return false }
            guard ns - c.anchor >= silenceNs, let first = c.firstArrival else { return true }
            return ns - first < silenceNs
        }
        for i in candidates.indices where ns > candidates[i].anchor { candidates[i].calls += 1 }
        candidates.removeAll { $0.calls > rule.probeAllowance }
        // A call answered at the instant it arrived (a fault answered at once) had its answer fed
        // first (answers come first at equal instants), while an earlier candidate still stood, so
        // the answer made none; that candidate is gone now, and this failure is where the calls
        // may have stopped. (Without this, a late failing call just after a breaker opened hid the
        // opening until the next probe failed.)
        if !succeeded, answerNs <= ns, !candidates.contains(where: { $0.calls == 0 }) {
            candidates.append(Candidate(anchor: ns))
        }
    }

    /// Ends the input at `ns`: the open time so far is counted (the state stays as inferred).
    public mutating func finish(at ns: Int64) {
        tick(ns)
        if isOpen {
            openNanos += max(0, ns - openSince)
            openSince = max(openSince, ns)
        }
    }

    /// Whether a candidate opening is still waiting for arrivals.
    public var undecided: Bool { !candidates.isEmpty || judgement != nil }

    /// The opening just inferred was a stall: failing calls came back at the pace of arrivals.
    private mutating func retract() {
        isOpen = false
        unconfirmed = false
        opens -= 1
        stalls += 1
        probes = probesBeforeOpen
        judgement = nil
        candidates.removeAll()
        if transitions.last?.to == "open" { transitions.removeLast() }
    }

    private mutating func open(at ns: Int64, probes p: Int, arrivals: Int) {
        isOpen = true
        unconfirmed = true
        probesBeforeOpen = probes
        openSince = ns
        opens += 1
        candidates.removeAll()
        judgement = nil
        // Calls the candidate tolerated came while open: probes.
        probes += p
        if p > 0 { maxProbeBurst = max(maxProbeBurst, 1) }
        record(
            at: ns, from: "closed", to: "open",
            cause: "no call for \(arrivals) arrivals after a failed call" + (p > 0 ? " (\(p) isolated)" : ""))
    }

    private mutating func close(at ns: Int64, calls: Int, arrivals: Int) {
        isOpen = false
        openNanos += max(0, ns - openSince)
        closes += 1
        judgement = nil
        record(at: ns, from: "open", to: "closed", cause: "calls track arrivals again (\(calls) calls within \(arrivals + 1) arrivals)")
    }

    private mutating func record(at ns: Int64, from: String, to: String, cause: String) {
        guard transitions.count < Self.maxTransitions else { return }
        transitions.append(BreakerTransitionRecord(at: Double(ns) / 1e9, from: from, to: to, cause: cause))
    }
}
