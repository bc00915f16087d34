import MockLLM
import Reliability

/// Why a task is a resubmission of an earlier one (same idempotency key, same prompt).
public enum DuplicateKind: String, Sendable, Hashable, CaseIterable, Codable {
    /// Sent while the original is still in flight (should be answered 409 / conflict).
    case concurrent
    /// Sent after the original finished, inside the TTL (should be replayed, not re-executed).
    case afterCompletion = "after_completion"
    /// Sent after the original's key expired (may run again).
    case afterTTL = "after_ttl"
}

/// One unit of offered load.
public struct LoadTask: Sendable, Hashable {
    /// Sequence number: originals count from 0 in arrival order; a duplicate keeps its original's index.
    public var index: Int
    /// The task's identifier (unique per submission).
    public var id: String
    /// The prompt.
    public var prompt: String
    /// The idempotency key (shared with the original for a duplicate).
    public var idempotencyKey: String
    /// Intended start, scenario time.
    public var intendedStart: Duration
    /// Nil for an original; the kind of resubmission otherwise.
    public var duplicate: DuplicateKind?
    /// For an original: the kind of the duplicate planned for it, if any.
    public var duplicatedAs: DuplicateKind?

    /// Creates a task.
    public init(
        index: Int, id: String, prompt: String, idempotencyKey: String, intendedStart: Duration,
        duplicate: DuplicateKind? = nil
    ) {
        self.index = index
        self.id = id
        self.prompt = prompt
        self.idempotencyKey = idempotencyKey
        self.intendedStart = intendedStart
        self.duplicate = duplicate
    }
}

/// A weighted prompt.
public struct WeightedPrompt: Sendable, Hashable {
    /// The task text.
    public var text: String
    /// Relative weight (> 0).
    public var weight: Double
    /// Creates a prompt.
    public init(_ text: String, weight: Double = 1) {
        self.text = text
        self.weight = weight
    }
}

/// Duplicate injection: a fraction of tasks is resubmitted with the same key, split between the kinds.
public struct DuplicatePlan: Sendable, Hashable {
    /// Fraction of originals that get one duplicate (0...1). Default 0.
    public var fraction: Double
    /// Relative weights of the kinds. Default equal thirds.
    public var mix: [DuplicateKind: Double]
    /// Extra delay of an `afterCompletion`/`afterTTL` duplicate past the finish (or expiry), scenario time;
    /// an `afterCompletion` delay is capped at half the TTL so it lands inside it. Default 0s..5s.
    public var delay: DurationRange
    /// Delay of a `concurrent` duplicate after the original's intended start, scenario time. Default 0s..0s.
    public var concurrentDelay: DurationRange
    /// The key TTL `afterTTL` duplicates wait out (scenario time); nil disables that kind. Default nil.
    public var ttl: Duration?

    /// Creates a plan; see each field for its default.
    public init(
        fraction: Double = 0, mix: [DuplicateKind: Double] = [.concurrent: 1, .afterCompletion: 1, .afterTTL: 1],
        delay: DurationRange = DurationRange(.zero, .seconds(5)), concurrentDelay: DurationRange = DurationRange(.zero, .zero),
        ttl: Duration? = nil
    ) {
        self.fraction = fraction
        self.mix = mix
        self.delay = delay
        self.concurrentDelay = concurrentDelay
        self.ttl = ttl
    }

    /// The duplicate (kind and delay) of original `index`, if it gets one. Deterministic for `seed`.
    public func duplicate(of index: Int, seed: UInt64) -> (kind: DuplicateKind, delay: Duration)? {
        guard fraction > 0 else { return nil }
        var rng = SquallRandom.stream(seed: seed, 0xD0_0000_0000 &+ UInt64(index))
        guard rng.chance(fraction) else { return nil }
        var kinds = DuplicateKind.allCases.filter { (mix[$0] ?? 0) > 0 }
        if ttl == nil { kinds.removeAll { $0 == .afterTTL } }
        guard !kinds.isEmpty else { return nil }
        let total = kinds.reduce(0) { $0 + mix[$1]! }
        var pick = rng.unit() * total
        var kind = kinds[kinds.count - 1]
        for k in kinds {
            pick -= mix[k]!
            if pick < 0 {
                kind = k
                break
            }
        }
        let range = kind == .concurrent ? concurrentDelay : delay
        var d = range.lower + (range.upper - range.lower).scaled(by: rng.unit())
        if kind == .afterCompletion, let ttl { d = min(d, ttl / 2) }  // must land inside the TTL
        return (kind, kind == .afterTTL ? ttl! + d : d)
    }
}

/// Builds the tasks of a run: picks prompts (weighted, deterministic per index) and keys.
public struct TaskFactory: Sendable {
    /// The prompts to draw from.
    public let prompts: [WeightedPrompt]
    /// Seed for prompt choice and keys.
    public let seed: UInt64
    /// Prefix of idempotency keys and task ids. Default `squall-<seed>`.
    public let keyPrefix: String
    /// The run id whose `SquallTag` (` [sq:RUN:INDEX]`) ends every prompt; nil for untagged prompts.
    public let tagRun: String?
    private let cumulative: [Double]

    /// The default prompts (a short lookup and a longer planning task, 60/40).
    public static let defaultPrompts = [
        WeightedPrompt("What is the capital of France?", weight: 0.6),
        WeightedPrompt("Draft a migration plan for moving our billing jobs to a queue.", weight: 0.4),
    ]

    /// Creates a factory.
    public init(
        prompts: [WeightedPrompt] = TaskFactory.defaultPrompts, seed: UInt64 = 1, keyPrefix: String? = nil, tagRun: String? = nil
    ) {
        self.prompts = prompts.isEmpty ? TaskFactory.defaultPrompts : prompts
        self.seed = seed
        self.keyPrefix = keyPrefix ?? "squall-\(seed)"
        self.tagRun = tagRun.flatMap { SquallTag.isValidRunID($0) ? $0 : nil }
        var acc = 0.0
        cumulative = self.prompts.map { acc += max(0, $0.weight); return acc }
    }

    /// The original task number `index`, intended to start at `at`.
    public func task(index: Int, at: Duration) -> LoadTask {
        var prompt = prompts[0].text
        if prompts.count > 1 {
            var rng = SquallRandom.stream(seed: seed, 0xF0_0000_0000 &+ UInt64(index))
            let u = rng.unit() * (cumulative.last ?? 1)
            prompt = prompts[cumulative.firstIndex { u < $0 } ?? prompts.count - 1].text
        }
        let key = "\(keyPrefix)-\(index)"
        // Duplicates copy the original's prompt, so every submission of a key carries the same marker.
        if let tagRun, index >= 0, let tag = SquallTag(run: tagRun, key: UInt64(index)) { prompt = tag.appended(to: prompt) }
        return LoadTask(index: index, id: key, prompt: prompt, idempotencyKey: key, intendedStart: at)
    }

    /// A duplicate of `original` intended to start at `at`.
    public func duplicate(of original: LoadTask, kind: DuplicateKind, at: Duration) -> LoadTask {
        LoadTask(
            index: original.index, id: original.id + "-dup-" + kind.rawValue, prompt: original.prompt,
            idempotencyKey: original.idempotencyKey, intendedStart: at, duplicate: kind)
    }
}
