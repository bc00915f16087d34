import Reliability

/// A run's submissions in intended-start order: arrivals from the `ArrivalSchedule`, a weighted
/// prompt for each, and duplicates (the `DuplicateSpec.rate` of originals, concurrent with a
/// probability of `concurrent`, otherwise `delay` after the original). Pure, lazy and deterministic
/// for a seed; the simulator and the live drivers all send exactly this sequence, so the same seed
/// offers the same load in every mode.
public struct SubmissionSchedule: Sequence, IteratorProtocol, Sendable {
    private var arrivals: ArrivalTimes.Iterator
    private let duplicates: DuplicateSpec?
    private var promptRng: SquallRandom
    private var duplicateRng: SquallRandom
    private let cumulativeWeights: [Double]
    private var queue = SubmissionQueue()
    private var nextOriginal = 0
    private var nextID = 0
    private var primed = false

    /// The submissions of `arrivals` over `[0, duration)` with prompts drawn by `promptWeights`
    /// (relative, > 0; one prompt when empty) and `duplicates`, for `seed`.
    public init(
        arrivals: ArrivalSchedule, duration: Duration, promptWeights: [Double], duplicates: DuplicateSpec?, seed: UInt64
    ) {
        self.arrivals = arrivals.times(seed: seed, limit: ArrivalLimit(duration: duration)).makeIterator()
        self.duplicates = duplicates.flatMap { $0.rate > 0 ? $0 : nil }
        promptRng = TrafficStreams.stream(seed, .prompts, 0)
        duplicateRng = TrafficStreams.stream(seed, .duplicates, 0)
        var total = 0.0
        cumulativeWeights = promptWeights.map {
            total += $0
            return total
        }
    }

    /// The next submission, or nil when the load is exhausted.
    public mutating func next() -> Submission? {
        if !primed {
            primed = true
            if let first = arrivals.next() { queue.push(at: first, keyID: -1, prompt: 0, duplicate: false, concurrent: false) }
        }
        guard let e = queue.pop() else { return nil }
        defer { nextID += 1 }
        if e.duplicate {
            return Submission(
                id: nextID, keyID: e.keyID, prompt: Int(e.prompt), duplicate: true, concurrent: e.concurrent, at: e.at)
        }
        let index = nextOriginal
        nextOriginal += 1
        let prompt = pickPrompt()
        var ahead = 0
        if let d = duplicates, duplicateRng.chance(d.rate) {
            let concurrent = d.concurrent > 0 && duplicateRng.chance(d.concurrent)
            let delay: Duration =
                concurrent ? .zero : .fromSeconds(duplicateRng.uniform(d.delay.lower.seconds, d.delay.upper.seconds))
            queue.push(at: e.at + delay, keyID: index, prompt: prompt, duplicate: true, concurrent: concurrent)
            ahead = 1
        }
        if let following = arrivals.next() { queue.push(at: following, keyID: -1, prompt: 0, duplicate: false, concurrent: false) }
        return Submission(
            id: nextID, keyID: index, prompt: prompt, duplicate: false, concurrent: false, duplicatesAhead: ahead, at: e.at)
    }

    private mutating func pickPrompt() -> Int {
        guard cumulativeWeights.count > 1 else { return 0 }
        let x = promptRng.unit() * cumulativeWeights[cumulativeWeights.count - 1]
        for (i, w) in cumulativeWeights.enumerated() where x < w { return i }
        return cumulativeWeights.count - 1
    }
}
