/// One submission of a run's load, as every driver sends it: an original task or a duplicate of
/// one (same idempotency key and prompt), at its intended start in scenario time.
public struct Submission: Sendable, Hashable {
    /// Submission number, 0… in the order submissions are made (ties keep the schedule's order).
    public var id: Int
    /// Number of the original this submission belongs to (0… in arrival order); its key is `Submission.key(keyID)`.
    public var keyID: Int
    /// Index into the run's prompts.
    public var prompt: Int
    /// Whether this is a resubmission of an earlier original.
    public var duplicate: Bool
    /// Whether a duplicate was scheduled to arrive while its original is still running (delay 0).
    public var concurrent: Bool
    /// For an original: how many duplicates of it the schedule will submit later (0 or 1); 0 for a duplicate.
    /// A driver can forget a key once its original and this many duplicates have ended.
    public var duplicatesAhead: Int
    /// Intended start, scenario time.
    public var at: Duration

    /// Creates a submission.
    public init(id: Int, keyID: Int, prompt: Int, duplicate: Bool, concurrent: Bool, duplicatesAhead: Int = 0, at: Duration) {
        self.id = id
        self.keyID = keyID
        self.prompt = prompt
        self.duplicate = duplicate
        self.concurrent = concurrent
        self.duplicatesAhead = duplicatesAhead
        self.at = at
    }

    /// The idempotency key of original `keyID` (`k` + base-36 number).
    public static func key(_ keyID: Int) -> String { "k" + String(keyID, radix: 36) }
    /// This submission's idempotency key.
    public var key: String { Submission.key(keyID) }
}
