import DequeModule

/// What a live run remembers per idempotency key while the key can still be seen: its identity for
/// attributing the mock's calls (`CallLogFeeder.KeyInfo`), how many of its submissions have not
/// ended, and the digest of the original's reply (a replay is compared with it).
///
/// Bounded by the keys in flight, not by the run's length: a key is forgotten once every submission
/// of it has ended **and** a read of the mock's call log that started afterwards has completed
/// (every call of the key is logged at the mock before its answer leaves, so that read saw them)
/// **and** `horizon` of real time has passed since (a foreign service may still call the LLM for a
/// task Squall stopped polling). A call of a forgotten key still counts at the LLM; it is attributed
/// to its key but not to a task or a route, and its attempt number restarts at 1.
struct LiveKeyBook: Sendable {
    /// Real time a finished key stays known after its last submission ended. Default 30 s.
    let horizon: Duration
    /// Key → identity, for the call-log feeder.
    private(set) var keys: [Int: CallLogFeeder.KeyInfo] = [:]
    private var open: [Int: Int] = [:]
    private var replies: [Int: UInt64] = [:]
    private var retiring: Deque<(key: Int, read: Int, at: Duration)> = []
    private var readsStarted = 0
    /// Keys forgotten so far.
    private(set) var forgotten = 0
    /// Most keys known at once.
    private(set) var peak = 0

    /// An empty book.
    init(horizon: Duration = .seconds(30)) { self.horizon = horizon }

    /// Keys known now (in flight, or finished within the horizon).
    var count: Int { keys.count }

    /// An original was submitted: its key becomes known with `submissions` submissions to end (the
    /// original and the duplicates the schedule will send).
    mutating func register(keyID: Int, info: CallLogFeeder.KeyInfo, submissions: Int) {
        keys[keyID] = info
        open[keyID] = max(1, submissions)
        peak = max(peak, keys.count)
    }

    /// The original's reply digest, when it is kept (only for a key with duplicates to come).
    func reply(of keyID: Int) -> UInt64? { replies[keyID] }

    /// Keeps the original's reply digest for the key's duplicates.
    mutating func keepReply(_ digest: UInt64, of keyID: Int) {
        guard open[keyID] != nil else { return }
        replies[keyID] = digest
    }

    /// One submission of `keyID` ended at real time `at`; the key retires when it was the last.
    mutating func ended(keyID: Int, at: Duration) {
        guard let n = open[keyID] else { return }
        if n > 1 {
            open[keyID] = n - 1
            return
        }
        open[keyID] = nil
        replies[keyID] = nil
        retiring.append((keyID, readsStarted, at))
    }

    /// A read of the call log starts; pass the returned number to `readCompleted`.
    mutating func readStarted() -> Int {
        readsStarted += 1
        return readsStarted
    }

    /// Read `read` completed at real time `now`: forgets the keys that retired before it started and
    /// at least `horizon` ago. Returns them (the feeder forgets their call counters too).
    mutating func readCompleted(_ read: Int, now: Duration) -> [Int] {
        var gone: [Int] = []
        while let first = retiring.first, first.read < read, now - first.at >= horizon {
            retiring.removeFirst()
            // Re-registered meanwhile (a key reused after expiry): still in use.
            guard open[first.key] == nil else { continue }
            keys[first.key] = nil
            gone.append(first.key)
        }
        forgotten += gone.count
        return gone
    }
}
