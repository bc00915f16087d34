import MockLLM

/// Turns the mock's call log into the recorder's LLM-call stream (contract 4): every `CallRecord`
/// of this run becomes one `LLMCallRecord` — key from the `SquallTag`, attempt = the key's n-th call
/// at the mock, outcome, Retry-After (`retry-after-ms` first), completion, tokens billed (only for a
/// generated completion, as the simulator counts them), time in the run's scenario time (the mock's
/// clock starts at the run start). One code path for every live target: Squall's in-process stack,
/// the reference service's replicas and a foreign service all get their LLM-side figures from here.
///
/// Pure and synchronous: `feed` takes one page; `drain` reads a source until it is caught up.
/// Memory: the per-key call counter holds one entry per key seen until the run forgets the key
/// (`forget`, once every submission of it has ended: `LiveKeyBook`).
public struct CallLogFeeder: Sendable {
    /// What a submitted key is known as: its original submission and its routing rule's index.
    public struct KeyInfo: Sendable, Hashable {
        /// The original submission's number (`Submission.id`); -1 when the key has duplicates
        /// (their calls carry the same tag, so only the key is known).
        public var task: Int
        /// The routing rule's index in the recorder's route table.
        public var route: Int
        /// Creates key information.
        public init(task: Int, route: Int) {
            self.task = task
            self.route = route
        }
    }

    /// Records per read.
    public static let pageSize = 1_000

    /// The run id whose tagged calls count.
    public let run: String
    /// Where the log was read, how much of it, and what could be attributed.
    public private(set) var summary: LLMCallLogSummary
    /// The cursor: the last sequence number read.
    public private(set) var cursor: UInt64 = 0
    /// Added to every record's time: the mock's scenario time zero relative to the run's (the two
    /// clocks start a few microseconds, or an HTTP round trip, apart). Default zero.
    public var timeOffset: Duration = .zero
    private var callsPerKey: [Int: Int] = [:]

    /// A feeder for run `run` reading `source` (a label); `tagged` says whether submissions carry the tag.
    public init(run: String, tagged: Bool, source: String) {
        self.run = run
        summary = LLMCallLogSummary(source: source, run: run, tagged: tagged)
    }

    /// Drops the call counters of keys the run no longer tracks (a later call of one counts as its first).
    public mutating func forget(_ keyIDs: [Int]) {
        for k in keyIDs { callsPerKey[k] = nil }
    }

    /// Feeds one page into `recorder`; `keys` names the keys the run submitted. Returns whether the
    /// reader is caught up (`next == lastSeq`).
    @discardableResult
    public mutating func feed(_ page: CallLogPage, keys: [Int: KeyInfo], into recorder: inout ResultRecorder) -> Bool {
        if page.dropped > 0 { summary.dropped += Int(clamping: page.dropped) }
        for record in page.records {
            summary.read += 1
            if let call = map(record, keys: keys, recorder: &recorder) { recorder.recordCall(call) }
        }
        cursor = max(cursor, page.next)
        return page.next >= page.lastSeq
    }

    /// The call record for `record`, nil when it belongs to another run (counted in `otherRun`).
    mutating func map(_ record: CallRecord, keys: [Int: KeyInfo], recorder: inout ResultRecorder) -> LLMCallRecord? {
        var keyID = -1
        if let tag = record.tag {
            guard tag.run == run else {
                summary.otherRun += 1
                return nil
            }
            if tag.key <= UInt64(Int.max) { keyID = Int(tag.key) }
            summary.attributed += 1
        } else {
            summary.untagged += 1
        }
        summary.counted += 1
        let attempt: Int
        if keyID >= 0 {
            let n = (callsPerKey[keyID] ?? 0) + 1
            callsPerKey[keyID] = n
            attempt = n
        } else {
            attempt = record.attempt ?? 1
        }
        let info = keyID >= 0 ? keys[keyID] : nil
        return LLMCallRecord(
            at: record.time + timeOffset, taskID: info?.task ?? -1, keyID: keyID, attempt: attempt, outcome: Self.outcome(record.outcome),
            retryAfter: record.retryAfterMs ?? record.retryAfter, generated: record.completed,
            promptTokens: record.completed ? record.promptTokens : 0,
            completionTokens: record.completed ? record.completionTokens : 0, model: recorder.modelIndex(record.model),
            route: info?.route ?? -1, delay: Self.answeredAfter(record))
    }

    /// When the mock's answer left, after the call arrived (scenario time), as
    /// `LLMCallRecord.delayNanos`: nil (unknown) for a hang or a slow drip (the client never gets a
    /// complete answer; it times out on its own clock). The mock cannot see a client that gave up
    /// before the answer; Retry-After compliance measures from this instant either way.
    static func answeredAfter(_ record: CallRecord) -> Duration? {
        if case .drop(let kind) = record.outcome, kind == .hang || kind == .drip { return nil }
        return record.delay
    }

    /// The recorder's outcome for the mock's.
    static func outcome(_ o: CallOutcome) -> LLMCallOutcome {
        switch o {
        case .status(let s): return .status(s)
        case .drop(let kind):
            switch kind {
            case .reset: return .dropped(.reset)
            case .truncate: return .dropped(.truncate)
            case .hang: return .dropped(.hang)
            case .drip: return .dropped(.drip)
            case .malformed: return .dropped(.malformed)
            case .empty: return .dropped(.empty)
            case .streamError: return .dropped(.streamError)
            }
        }
    }

    /// Findings for the report once the log is drained: records lost, a mock restarted by someone
    /// else, and — loudest — no call of this run at the mock although tasks succeeded (the service
    /// does not call Squall's mock, or strips the tag).
    public mutating func conclude(succeededTasks: Int, mockRun: String?) {
        if summary.dropped > 0 {
            summary.warnings.append(
                "the mock's call log overwrote \(summary.dropped) record\(summary.dropped == 1 ? "" : "s") before Squall read them: LLM calls, tokens, cost and executions per key are undercounted"
            )
        }
        if let mockRun, mockRun != run {
            summary.warnings.append(
                "the mock was restarted with run id \(mockRun) during this run (\(run)): another run shares it, so its figures mix both")
        }
        guard succeededTasks > 0 else { return }
        if summary.counted == 0 {
            summary.warnings.append(
                "the mock (\(summary.source)) saw no call of this run although \(succeededTasks) task\(succeededTasks == 1 ? "" : "s") succeeded: the target does not call Squall's mock, so every LLM-side figure is empty and LLM-side expectations have no evidence"
            )
        } else if summary.tagged && summary.attributed == 0 {
            summary.warnings.append(
                "none of the \(summary.counted) calls at the mock carried this run's tag [sq:\(run):…]: the target drops the prompt's tag, so per-key figures (attempts, executions per key) are unavailable"
            )
        }
    }

    /// The log could not be read to the end: the figures miss what was not read.
    public mutating func noteReadError(_ message: String) {
        summary.warnings.append("the mock's call log could not be read to the end (\(message)): LLM-side figures are incomplete")
    }

    /// Reads `source` from the cursor until caught up (bounded: at most `maxPages` pages), feeding
    /// each page through `apply` (which runs `feed` under the run's lock). Returns the mock's run id.
    public static func drain(
        _ source: any CallLogSource, from cursor: UInt64, maxPages: Int = 1_000,
        apply: (CallLogPage) -> Bool
    ) async throws(CallLogReadError) -> String? {
        var after = cursor
        var run: String?
        for _ in 0..<maxPages {
            let page = try await source.page(after: after, limit: pageSize)
            run = page.run
            let caughtUp = apply(page)
            after = page.next
            if caughtUp || page.records.isEmpty { break }
        }
        return run
    }
}
