import Synchronization

/// Where a shard's live run (`LiveOptions.capture`) hands over, just before it finishes its result,
/// what the shard's part keeps: the recorder's whole state, the end and why it stopped early, the
/// timing-fidelity tally (HDR histograms) and the call-log summary. Filled once per run.
public final class LiveShardCapture: Sendable {
    /// What a live run handed over.
    public struct Kept: Sendable {
        /// The recorder's state over the shard's keys.
        public var state: RecorderState
        /// Scenario time the run ended.
        public var end: Duration
        /// Why it stopped early, when it did.
        public var incompleteReason: String?
        /// Scheduler lag and attempt overhead, real time.
        public var fidelity: FidelityTally
        /// What the shard read of the mock's call log.
        public var llmLog: LLMCallLogSummary
    }

    private let kept = Mutex<Kept?>(nil)
    private let late = Mutex<Duration>(.zero)

    /// Real time the shard's timeline started after the mock's scenario time zero (zero when it
    /// joined before it). Set by the live run as it joins.
    public var joinedLate: Duration {
        get { late.withLock { $0 } }
        set { late.withLock { $0 = newValue } }
    }

    /// An empty capture.
    public init() {}

    /// Keeps what the run recorded (the last call wins).
    public func keep(
        state: RecorderState, end: Duration, incompleteReason: String?, fidelity: FidelityTally, llmLog: LLMCallLogSummary
    ) {
        kept.withLock { $0 = Kept(state: state, end: end, incompleteReason: incompleteReason, fidelity: fidelity, llmLog: llmLog) }
    }

    /// What was kept; nil when the run never reached its end (it threw).
    public var value: Kept? { kept.withLock { $0 } }
}
