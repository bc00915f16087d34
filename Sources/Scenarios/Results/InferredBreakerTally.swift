/// Keeps what `InferredBreakerMachine` needs — each arrival's instant and each call's instant,
/// answer instant and success — and runs the machine over them in time order at `finish`.
///
/// Why a buffer and not the machine directly: in a live run the call log is read in pages every
/// 200 ms while arrivals are recorded as they are sent, so the two streams reach the recorder out
/// of order with each other; sorting at the end makes the inference independent of when the log
/// was read, and shards merge by concatenation. Memory: 16 bytes per arrival and 24 per call, at
/// most `maxEvents` events (about 12 MB); beyond that the figures say `truncated` and the
/// verdicts refuse to judge.
struct InferredBreakerTally: Sendable, Equatable, Codable {
    struct Call: Sendable, Equatable, Codable {
        var at: Int64
        var answer: Int64
        var succeeded: Bool
    }

    /// Most events (arrivals + calls) kept.
    static let maxEvents = 500_000

    let rule: InferredBreakerRule
    private var arrivals: [Int64] = []
    private var calls: [Call] = []
    private(set) var truncated = false

    init(rule: InferredBreakerRule) { self.rule = rule }

    private var full: Bool { arrivals.count + calls.count >= Self.maxEvents }

    mutating func arrival(_ ns: Int64) {
        guard !full else { truncated = true; return }
        arrivals.append(ns)
    }

    mutating func call(_ c: LLMCallRecord) {
        guard !full else { truncated = true; return }
        var ok = false
        if case .status(let s) = c.outcome { ok = (200..<300).contains(s) }
        calls.append(Call(at: c.atNanos, answer: c.atNanos + max(0, c.delayNanos), succeeded: ok))
    }

    mutating func merge(_ o: InferredBreakerTally) {
        arrivals += o.arrivals
        calls += o.calls
        truncated = truncated || o.truncated
        if arrivals.count + calls.count > Self.maxEvents { truncated = true }
    }

    /// Runs the machine over the events in time order (answers, then arrivals, then calls at equal instants).
    func finish(endNanos: Int64, windows: [FaultWindowInfo]) -> InferredBreakerFigures {
        let a = arrivals.sorted()
        let c = calls.sorted { $0.at < $1.at }
        let answers = calls.map { ($0.answer, $0.succeeded) }.sorted { $0.0 < $1.0 }
        var m = InferredBreakerMachine(rule: rule)
        var i = 0, j = 0, k = 0
        while i < a.count || j < c.count || k < answers.count {
            let tAnswer = k < answers.count ? answers[k].0 : .max
            let tArrival = i < a.count ? a[i] : .max
            let tCall = j < c.count ? c[j].at : .max
            if tAnswer <= tArrival && tAnswer <= tCall {
                m.answered(at: tAnswer, succeeded: answers[k].1)
                k += 1
            } else if tArrival <= tCall {
                m.arrival(at: tArrival)
                i += 1
            } else {
                m.received(at: tCall, answerAt: c[j].answer, succeeded: c[j].succeeded)
                j += 1
            }
        }
        let last = max(endNanos, a.last ?? 0, answers.last?.0 ?? 0)
        m.finish(at: last)
        return InferredBreakerFigures(
            rule: rule, transitions: m.transitions, opens: m.opens, closes: m.closes, probes: m.probes,
            maxProbeBurst: m.maxProbeBurst, secondsOpen: Double(m.openNanos) / 1e9, finalState: m.isOpen ? "open" : "closed",
            undecidedAtEnd: m.undecided, stalls: m.stalls, arrivals: a.count, calls: c.count, truncated: truncated,
            windows: windows.map { w in
                let s = Int64(w.start * 1e9), e = Int64(w.end * 1e9)
                var n = InferredWindowCounts(window: w.index, arrivals: 0, calls: 0, failedCalls: 0)
                for x in c where x.at >= s && x.at < e {
                    n.calls += 1
                    if !x.succeeded { n.failedCalls += 1 }
                }
                for x in a where x >= s && x < e { n.arrivals += 1 }
                return n
            })
    }
}

/// The breaker inferred at the LLM for a target whose breaker Squall cannot see (`InferredBreakerRule`).
public struct InferredBreakerFigures: Sendable, Hashable, Codable {
    /// The rule used.
    public var rule: InferredBreakerRule
    /// Inferred transitions (`closed`→`open`, `open`→`closed`), at instants the provider saw.
    public var transitions: [BreakerTransitionRecord]
    /// Inferred openings.
    public var opens: Int
    /// Inferred closings.
    public var closes: Int
    /// Calls judged to be probes (isolated calls during an inferred open).
    public var probes: Int
    /// The most calls in one probe burst.
    public var maxProbeBurst: Int
    /// Seconds inferred open.
    public var secondsOpen: Double
    /// `open` or `closed` at the end of the input.
    public var finalState: String
    /// Whether a judgement was still waiting for arrivals when the input ended.
    public var undecidedAtEnd: Bool
    /// Openings withdrawn because failing calls came back at the pace of arrivals (a stall).
    public var stalls: Int
    /// Arrivals the inference read.
    public var arrivals: Int
    /// Calls the inference read.
    public var calls: Int
    /// Whether events were dropped at `InferredBreakerTally.maxEvents` (the figures are then not trustworthy).
    public var truncated: Bool
    /// What the inference read inside each fault window.
    public var windows: [InferredWindowCounts]

    /// Creates figures; see each field.
    public init(
        rule: InferredBreakerRule, transitions: [BreakerTransitionRecord], opens: Int, closes: Int, probes: Int,
        maxProbeBurst: Int, secondsOpen: Double, finalState: String, undecidedAtEnd: Bool, stalls: Int, arrivals: Int,
        calls: Int, truncated: Bool, windows: [InferredWindowCounts]
    ) {
        self.rule = rule
        self.transitions = transitions
        self.opens = opens
        self.closes = closes
        self.probes = probes
        self.maxProbeBurst = maxProbeBurst
        self.secondsOpen = secondsOpen
        self.finalState = finalState
        self.undecidedAtEnd = undecidedAtEnd
        self.stalls = stalls
        self.arrivals = arrivals
        self.calls = calls
        self.truncated = truncated
        self.windows = windows
    }
}

/// Arrivals and calls inside one fault window, as the inference read them.
public struct InferredWindowCounts: Sendable, Hashable, Codable {
    /// 1-based window index.
    public var window: Int
    /// Submissions that arrived inside the window.
    public var arrivals: Int
    /// Calls the provider received inside the window.
    public var calls: Int
    /// Of those, calls without a 2xx answer.
    public var failedCalls: Int

    /// Creates counts; see each field.
    public init(window: Int, arrivals: Int, calls: Int, failedCalls: Int) {
        self.window = window
        self.arrivals = arrivals
        self.calls = calls
        self.failedCalls = failedCalls
    }
}
