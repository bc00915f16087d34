import MockLLM
import Reliability
import Traffic

/// How a live run names and tags what it submits (issue #9 item 3): a random run id per run
/// prefixes every idempotency key and task id (`k3x9a0zq-k1y`, `k3x9a0zq-t42`), so reruns against a
/// service with a persistent store never replay each other; and unless tagging is off, every
/// submission's prompt ends with the `SquallTag` marker of its key (` [sq:k3x9a0zq:1y]`, identical
/// for duplicates), which the mock strips and logs, attributing each LLM call to a key.
public struct RunAttribution: Sendable, Hashable {
    /// The run id (8 base-36 characters).
    public let run: String
    /// Whether prompts carry the tag.
    public let tagging: Bool

    /// An attribution for run `run` (a valid `SquallTag` run id; a random one when nil).
    public init(run: String? = nil, tagging: Bool = true) {
        self.run = run.flatMap { SquallTag.isValidRunID($0) ? $0 : nil } ?? SquallTag.randomRunID()
        self.tagging = tagging
    }

    /// The idempotency key of key number `keyID`: `RUN-kKEY` (key in base 36).
    public func key(_ keyID: Int) -> String { run + "-" + Submission.key(keyID) }

    /// The task id of submission number `id`: `RUN-tID`.
    public func taskID(_ id: Int) -> String { run + "-t" + String(id) }

    /// The tag of key number `keyID`.
    public func tag(_ keyID: Int) -> SquallTag? {
        keyID >= 0 ? SquallTag(run: run, key: UInt64(keyID)) : nil
    }

    /// `prompt` as submitted for key `keyID`: with the key's marker appended when tagging is on.
    public func prompt(_ prompt: String, keyID: Int) -> String {
        guard tagging, let tag = tag(keyID) else { return prompt }
        return tag.appended(to: prompt)
    }

    /// The key number in an idempotency key made by `key(_:)` of this run; nil for any other text.
    public func keyID(fromKey key: String) -> Int? {
        let prefix = run + "-k"
        guard key.hasPrefix(prefix) else { return nil }
        return Int(key.dropFirst(prefix.count), radix: 36).flatMap { $0 >= 0 ? $0 : nil }
    }
}

/// Squall's in-process stack with tagging: appends the key's marker to the last user message of
/// each LLM request at the wire, so the stack's own routing and token budget see the untagged
/// prompt (the same decisions as in the simulator) while the mock attributes the call.
struct TaggingTransport: LLMTransport {
    let base: any LLMTransport
    let attribution: RunAttribution

    func send(_ request: LLMRequest, timeout: Duration) async -> AttemptResult {
        guard attribution.tagging, let key = request.idempotencyKey, let keyID = attribution.keyID(fromKey: key),
            let i = request.messages.lastIndex(where: { $0.role == "user" })
        else { return await base.send(request, timeout: timeout) }
        var tagged = request
        tagged.messages[i].content = attribution.prompt(tagged.messages[i].content, keyID: keyID)
        return await base.send(tagged, timeout: timeout)
    }
}
