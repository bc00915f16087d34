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
    /// Duplicates not yet due.
    private var duplicatesDue = SubmissionQueue()
    /// The next original's intended start and tie-break sequence (nil when the arrivals are exhausted).
    private var arrival: Duration?
    private var arrivalSeq: UInt64 = 0
    private var nextSeq: UInt64 = 0
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
            arrival = arrivals.next()
            arrivalSeq = takeSeq()
        }
        if let d = duplicatesDue.first, arrival.map({ d.at < $0 || (d.at == $0 && d.seq < arrivalSeq) }) ?? true {
            _ = duplicatesDue.pop()
            defer { nextID += 1 }
            return Submission(
                id: nextID, keyID: d.keyID, prompt: Int(d.prompt), duplicate: true, concurrent: d.concurrent, at: d.at)
        }
        guard let at = arrival else { return nil }
        defer { nextID += 1 }
        let index = nextOriginal
        nextOriginal += 1
        let prompt = pickPrompt()
        var ahead = 0
        if let d = duplicates, duplicateRng.chance(d.rate) {
            let concurrent = d.concurrent > 0 && duplicateRng.chance(d.concurrent)
            let delay: Duration =
                concurrent ? .zero : .fromSeconds(duplicateRng.uniform(d.delay.lower.seconds, d.delay.upper.seconds))
            duplicatesDue.push(at: at + delay, seq: takeSeq(), keyID: index, prompt: prompt, duplicate: true, concurrent: concurrent)
            ahead = 1
        }
        arrival = arrivals.next()
        arrivalSeq = takeSeq()
        return Submission(
            id: nextID, keyID: index, prompt: prompt, duplicate: false, concurrent: false, duplicatesAhead: ahead, at: at)
    }

    private mutating func takeSeq() -> UInt64 {
        defer { nextSeq &+= 1 }
        return nextSeq
    }

    private mutating func pickPrompt() -> Int {
        guard cumulativeWeights.count > 1 else { return 0 }
        let x = promptRng.unit() * cumulativeWeights[cumulativeWeights.count - 1]
        for (i, w) in cumulativeWeights.enumerated() where x < w { return i }
        return cumulativeWeights.count - 1
    }
}
