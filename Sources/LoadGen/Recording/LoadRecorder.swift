import Histogram
import Reliability
import Synchronization

/// Aggregates a run's records as tasks finish: HDR histograms of latency (from the intended start,
/// scenario time) and scheduler lag (real time), counts by status, cause and attempts, and the CSV
/// stream. Thread-safe; memory does not grow with the number of tasks.
public final class LoadRecorder: Sendable {
    struct State: Sendable {
        var latency = Histogram<UInt64>(numberOfSignificantValueDigits: .three)
        var lag = Histogram<UInt64>(numberOfSignificantValueDigits: .three)
        var dispatchLag = Histogram<UInt64>(numberOfSignificantValueDigits: .three)
        var byStatus: [RecordStatus: Int] = [:]
        var byCause: [FailureCause: Int] = [:]
        var byLastOutcome: [String: Int] = [:]
        var attempts: [Int: Int] = [:]
        var duplicatesSent: [DuplicateKind: Int] = [:]
        var duplicatesExecuted: [DuplicateKind: Int] = [:]
        var duplicatesSkipped = 0
        var duplicatedKeys = DuplicateKeyTally()
        /// Last-outcome labels beyond `LoadRecorder.maxOutcomeLabels` distinct ones, counted together.
        var otherOutcomes = 0
        var calls = 0
        var late = 0
        var done = 0
        var usage = TokenUsage.zero
        var firstSent: Duration?
        var lastFinished: Duration = .zero
        init() {
            latency.autoResize = true
            lag.autoResize = true
            dispatchLag.autoResize = true
        }
    }

    private let state = Mutex(State())
    private let csv: Mutex<CSVSink>
    /// Sends later than this (real time) count as late. Default 10 ms.
    public let lateThreshold: Duration
    /// Called with each record after it is counted (e.g. to collect records in memory); default none.
    private let onRecord: (@Sendable (LoadTaskRecord) -> Void)?

    struct CSVSink: @unchecked Sendable {  // only touched under the mutex
        var writer: CSVRecordWriter?
    }

    /// A recorder writing CSV to `csvPath` (nil for none).
    public init(
        csvPath: String? = nil, lateThreshold: Duration = .milliseconds(10),
        onRecord: (@Sendable (LoadTaskRecord) -> Void)? = nil
    ) throws(LoadError) {
        var writer: CSVRecordWriter?
        if let csvPath { writer = try CSVRecordWriter(path: csvPath) }
        csv = Mutex(CSVSink(writer: writer))
        self.lateThreshold = lateThreshold
        self.onRecord = onRecord
    }

    /// Counts one finished (or dropped) task.
    public func record(_ r: LoadTaskRecord) {
        state.withLock { s in
            s.done += 1
            s.byStatus[r.result.status, default: 0] += 1
            if let dup = r.task.duplicate {
                s.duplicatesSent[dup, default: 0] += 1
                if r.result.calls > 0 { s.duplicatesExecuted[dup, default: 0] += 1 }
            }
            if let kind = r.task.duplicate ?? r.task.duplicatedAs {
                s.duplicatedKeys.record(
                    index: r.task.index, kind: kind, isDuplicate: r.task.duplicate != nil, executed: r.result.calls > 0,
                    dropped: r.result.status == .dropped)
            }
            if r.result.status != .dropped {
                _ = s.latency.record(UInt64(max(0, r.latency.seconds * 1e6).rounded()))
                _ = s.lag.record(UInt64(max(0, r.schedulerLag.seconds * 1e6).rounded()))
                if r.schedulerLag > lateThreshold { s.late += 1 }
                if let d = r.dispatchLag { _ = s.dispatchLag.record(UInt64(max(0, d.seconds * 1e6).rounded())) }
                s.attempts[r.result.attempts, default: 0] += 1
                s.calls += r.result.calls
                s.usage = s.usage + r.result.usage
                if let c = r.result.cause { s.byCause[c, default: 0] += 1 }
                if let o = r.result.lastOutcome {
                    if s.byLastOutcome[o] != nil || s.byLastOutcome.count < Self.maxOutcomeLabels {
                        s.byLastOutcome[o, default: 0] += 1
                    } else {
                        s.otherOutcomes += 1
                    }
                }
                s.firstSent = min(s.firstSent ?? r.sentAt, r.sentAt)
            }
            s.lastFinished = max(s.lastFinished, r.finishedAt)
        }
        csv.withLock { $0.writer?.write(r) }
        onRecord?(r)
    }

    /// Counts the duplicate of `original` that was not sent because it fell after the end of the
    /// run, and settles its key (nothing more will be recorded for it).
    public func recordSkippedDuplicate(of original: LoadTask) {
        state.withLock { s in
            s.duplicatesSkipped += 1
            s.duplicatedKeys.skip(index: original.index)
        }
    }

    /// Most distinct last-outcome labels counted one by one (a service may answer with statuses of
    /// its own); the rest are counted together as `other`, so the table is bounded. 64.
    public static let maxOutcomeLabels = 64

    /// Sizes of the recorder's tables now (for tests and the memory benchmark).
    public var tableSizes: LoadRecorderTables {
        state.withLock { s in
            LoadRecorderTables(
                openDuplicateKeys: s.duplicatedKeys.openCount, duplicateKeyOrder: s.duplicatedKeys.orderCount,
                evictedDuplicateKeys: s.duplicatedKeys.evicted, outcomeLabels: s.byLastOutcome.count)
        }
    }

    /// Tasks recorded so far.
    public var done: Int { state.withLock { $0.done } }

    /// Failures so far, by cause.
    public var failuresByCause: [FailureCause: Int] { state.withLock { $0.byCause } }

    /// Counts by status so far.
    public var byStatus: [RecordStatus: Int] { state.withLock { $0.byStatus } }

    /// Flushes and closes the CSV file.
    public func close() { csv.withLock { $0.writer?.close() } }

    /// The summary of everything recorded.
    public func summary(target: String, timeScale: Double, realElapsed: Duration, offered: Int, breaker: BreakerState?)
        -> LoadSummary
    {
        state.withLock { s in
            LoadSummary(
                target: target, timeScale: timeScale, realElapsed: realElapsed, offered: offered, recorded: s.done,
                byStatus: s.byStatus, failuresByCause: s.byCause,
                lastOutcomes: s.otherOutcomes == 0 ? s.byLastOutcome : s.byLastOutcome.merging(["other": s.otherOutcomes], uniquingKeysWith: +),
                attemptsPerTask: s.attempts, calls: s.calls, usage: s.usage, duplicatesSent: s.duplicatesSent,
                duplicatesExecuted: s.duplicatesExecuted,
                keysExecutedMoreThanOnce: s.duplicatedKeys.executedMoreThanOnce,
                duplicateKeysEvicted: s.duplicatedKeys.evicted == 0 ? nil : s.duplicatedKeys.evicted,
                duplicatesSkipped: s.duplicatesSkipped, late: s.late,
                lateThreshold: lateThreshold, latencyMicros: s.latency, lagMicros: s.lag, dispatchLagMicros: s.dispatchLag, breaker: breaker)
        }
    }
}

/// The sizes of a `LoadRecorder`'s bounded tables.
public struct LoadRecorderTables: Sendable, Hashable {
    /// Duplicated keys with a submission still to be recorded (bounded by `DuplicateKeyTally.capacity`).
    public var openDuplicateKeys: Int
    /// Entries of the duplicated keys' eviction order (under 3 × the capacity).
    public var duplicateKeyOrder: Int
    /// Open duplicated keys forgotten because the table was full.
    public var evictedDuplicateKeys: Int
    /// Distinct last-outcome labels counted one by one (at most `LoadRecorder.maxOutcomeLabels`).
    public var outcomeLabels: Int
}
