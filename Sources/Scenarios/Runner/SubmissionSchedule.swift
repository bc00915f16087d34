import Reliability

/// One submission of a scenario's load, as both drivers send it: an original task or a duplicate of
/// one (same idempotency key and prompt), at its intended start in scenario time.
public struct Submission: Sendable, Hashable {
    /// Submission number, 0… in the order submissions are made (ties keep the simulator's order).
    public var id: Int
    /// Number of the original this submission belongs to; its key is `Submission.key(keyID)`.
    public var keyID: Int
    /// Index into the scenario's prompts.
    public var prompt: Int
    /// Whether this is a resubmission of an earlier original.
    public var duplicate: Bool
    /// Whether a duplicate was scheduled to arrive while its original is still running (delay 0).
    public var concurrent: Bool
    /// Intended start, scenario time.
    public var at: Duration

    /// The idempotency key of original `keyID` (`k` + base-36 number).
    public static func key(_ keyID: Int) -> String { "k" + String(keyID, radix: 36) }
    /// This submission's idempotency key.
    public var key: String { Submission.key(keyID) }
}

/// The scenario's submissions in intended-start order: arrivals from the load's pattern, a weighted
/// prompt for each, and duplicates (the load's `duplicates.rate` of originals, concurrent with a
/// probability of `duplicates.concurrent`, otherwise `duplicates.delay` after the original). Pure
/// and deterministic for a seed; the simulator and the live driver both send exactly this sequence,
/// so the same seed offers the same load in either mode.
public struct SubmissionSchedule: Sequence, IteratorProtocol, Sendable {
    private let load: LoadSpec
    private var arrivals: ArrivalSchedule
    private var promptRng: SquallRandom
    private var duplicateRng: SquallRandom
    private let cumulativeWeights: [Double]
    private var queue = EventQueue()
    private var nextOriginal = 0
    private var nextID = 0
    private var primed = false

    /// The schedule of `scenario` for `seed` over the scenario's duration.
    public init(scenario: Scenario, seed: UInt64) {
        load = scenario.load
        arrivals = ArrivalSchedule(
            pattern: scenario.load.arrival, rate: scenario.load.ratePerSecond, duration: scenario.duration,
            rng: SimulationEngine.stream(seed, .arrivals, 0))
        promptRng = SimulationEngine.stream(seed, .prompts, 0)
        duplicateRng = SimulationEngine.stream(seed, .duplicates, 0)
        var total = 0.0
        cumulativeWeights = scenario.load.prompts.map {
            total += $0.weight
            return total
        }
    }

    /// The next submission, or nil when the load is exhausted.
    public mutating func next() -> Submission? {
        if !primed {
            primed = true
            if let first = arrivals.next() { queue.push(first, .arrival) }
        }
        guard let e = queue.pop() else { return nil }
        defer { nextID += 1 }
        switch e.kind {
        case .duplicate:
            return Submission(
                id: nextID, keyID: Int(e.a), prompt: Int(e.b), duplicate: true, concurrent: e.flag, at: e.time)
        default:
            let index = nextOriginal
            nextOriginal += 1
            let prompt = pickPrompt()
            if let d = load.duplicates, duplicateRng.chance(d.rate) {
                let concurrent = d.concurrent > 0 && duplicateRng.chance(d.concurrent)
                let delay: Duration =
                    concurrent ? .zero : .fromSeconds(duplicateRng.uniform(d.delay.lower.seconds, d.delay.upper.seconds))
                queue.push(e.time + delay, .duplicate, a: Int32(index), b: Int32(prompt), flag: concurrent)
            }
            if let following = arrivals.next() { queue.push(following, .arrival) }
            return Submission(id: nextID, keyID: index, prompt: prompt, duplicate: false, concurrent: false, at: e.time)
        }
    }

    private mutating func pickPrompt() -> Int {
        guard cumulativeWeights.count > 1 else { return 0 }
        let x = promptRng.unit() * cumulativeWeights[cumulativeWeights.count - 1]
        for (i, w) in cumulativeWeights.enumerated() where x < w { return i }
        return cumulativeWeights.count - 1
    }
}
