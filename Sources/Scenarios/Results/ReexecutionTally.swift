/// TTL adequacy from the LLM call log: keys whose completion a *different* submission generated
/// again within `horizon` of the key's first execution, whatever TTL the stack was configured with
/// (`duplicates.reexecution_within: 24h`). A second completion by the same submission — a retry
/// after the client timed out on a call the provider still completed — is the retry policy's
/// at-least-once behaviour, which `duplicate_executions` counts; it is not a re-execution of the
/// key by a duplicate. Where the call log names keys only (a foreign target's tags), every second
/// completion within the horizon counts.
///
/// State: per key still in play, its first execution's instant and submission; a key goes when the
/// driver closes it, or — without close signals — once its horizon has passed, so memory follows
/// the keys in flight (or executed within the horizon), not the task count.
struct ReexecutionTally: Sendable, Equatable {
    struct Slot: Sendable, Equatable, Codable {
        var firstAt: Int64
        var firstTask: Int
        var reexecuted = false
    }

    let horizonNs: Int64
    let closesKeys: Bool
    var keys: [Int: Slot] = [:]
    /// Keys in first-execution order, for expiry without close signals.
    var order: [(key: Int, at: Int64)] = []
    var orderHead = 0
    var figures = ReexecutionFigures()

    init(horizon: Duration, closesKeys: Bool) {
        horizonNs = ScenarioClock.nanoseconds(horizon)
        self.closesKeys = closesKeys
    }

    static func == (a: ReexecutionTally, b: ReexecutionTally) -> Bool {
        a.horizonNs == b.horizonNs && a.keys == b.keys && a.figures == b.figures
    }

    /// One call the provider saw (only generated completions with a known key count).
    mutating func call(_ c: LLMCallRecord) {
        guard c.generated, c.keyID >= 0 else { return }
        let now = c.atNanos
        if !closesKeys { expire(now: now) }
        if var s = keys[c.keyID], now - s.firstAt < horizonNs {
            guard c.taskID < 0 || c.taskID != s.firstTask else { return }
            figures.reexecutions += 1
            let gap = now - s.firstAt
            figures.minGapNanos = min(figures.minGapNanos ?? gap, gap)
            if !s.reexecuted {
                s.reexecuted = true
                figures.reexecutedKeys += 1
                keys[c.keyID] = s
            }
            return
        }
        figures.executedKeys += 1
        keys[c.keyID] = Slot(firstAt: now, firstTask: c.taskID)
        if !closesKeys { order.append((c.keyID, now)) }
    }

    /// Every submission of `keyID` has ended.
    mutating func close(_ keyID: Int) {
        if closesKeys { keys[keyID] = nil }
    }

    mutating func expire(now: Int64) {
        while orderHead < order.count, now - order[orderHead].at >= horizonNs {
            let (k, at) = order[orderHead]
            if keys[k]?.firstAt == at { keys[k] = nil }
            orderHead += 1
        }
        if orderHead > 1024, orderHead * 2 > order.count {
            order.removeFirst(orderHead)
            orderHead = 0
        }
    }

    /// The figures at the end of the run.
    func finish() -> ReexecutionFigures {
        var f = figures
        f.horizonSeconds = ScenarioClock.seconds(horizonNs)
        return f
    }

    /// Adds another shard's tally (exact for shards split by key).
    mutating func merge(_ o: ReexecutionTally) {
        figures.executedKeys += o.figures.executedKeys
        figures.reexecutions += o.figures.reexecutions
        figures.reexecutedKeys += o.figures.reexecutedKeys
        if let g = o.figures.minGapNanos { figures.minGapNanos = min(figures.minGapNanos ?? g, g) }
        keys.merge(o.keys) { a, _ in a }
        order += o.order[o.orderHead...]
        order.sort { $0.at < $1.at }
    }
}

/// What `ReexecutionTally` found.
public struct ReexecutionFigures: Sendable, Hashable, Codable {
    /// The horizon, seconds.
    public var horizonSeconds = 0.0
    /// Key executions that started a horizon (first completions).
    public var executedKeys = 0
    /// Keys generated again by another submission within the horizon.
    public var reexecutedKeys = 0
    /// Such re-executions (a key may have several).
    public var reexecutions = 0
    /// The shortest time from a key's first completion to a re-execution, nanoseconds; nil when none.
    public var minGapNanos: Int64?
}

extension ReexecutionTally: Codable {
    private enum CodingKeys: String, CodingKey { case horizonNs, closesKeys, keys, orderKeys, orderTimes, figures }

    /// Decodes the state a shard's part recorded (the expiry queue as two parallel arrays).
    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        horizonNs = try c.decode(Int64.self, forKey: .horizonNs)
        closesKeys = try c.decode(Bool.self, forKey: .closesKeys)
        keys = try c.decode([Int: Slot].self, forKey: .keys)
        let k = try c.decode([Int].self, forKey: .orderKeys)
        let t = try c.decode([Int64].self, forKey: .orderTimes)
        guard k.count == t.count else {
            throw DecodingError.dataCorruptedError(
                forKey: .orderTimes, in: c, debugDescription: "orderKeys and orderTimes differ in length (\(k.count), \(t.count))")
        }
        order = zip(k, t).map { ($0, $1) }
        figures = try c.decode(ReexecutionFigures.self, forKey: .figures)
    }

    /// Encodes the state (only the expiry queue's live entries).
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(horizonNs, forKey: .horizonNs)
        try c.encode(closesKeys, forKey: .closesKeys)
        try c.encode(keys, forKey: .keys)
        try c.encode(order[orderHead...].map(\.key), forKey: .orderKeys)
        try c.encode(order[orderHead...].map(\.at), forKey: .orderTimes)
        try c.encode(figures, forKey: .figures)
    }
}
