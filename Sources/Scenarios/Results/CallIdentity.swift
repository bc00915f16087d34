/// Who made an LLM call, for the per-task figures of the call log (retry gaps, Retry-After
/// compliance, clustering): the submission when known, else its idempotency key (a foreign
/// target's tags name the key only, so there attempts are per key).
enum CallIdentity {
    /// The identity of `call`; nil when neither the task nor the key is known.
    @inline(__always)
    static func of(_ call: LLMCallRecord) -> Int? {
        if call.taskID >= 0 { return call.taskID }
        if call.keyID >= 0 { return key(call.keyID) }
        return nil
    }

    /// The identity of calls that carry only key `keyID` (negative, apart from task numbers).
    @inline(__always)
    static func key(_ keyID: Int) -> Int { -2 - keyID }

    /// Whether the provider refused or broke the call (any status outside 2xx, any drop but a
    /// drip, which delivers the whole reply).
    @inline(__always)
    static func failed(_ call: LLMCallRecord) -> Bool {
        switch call.outcome {
        case .status(let s): return s < 200 || s >= 300
        case .dropped(let d): return d != .drip
        case .unknown: return false
        }
    }
}
