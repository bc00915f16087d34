import Foundation
import Reliability
import Traffic

/// What one shard of a sharded live run recorded (`squall run --mode live --shard I/N`; the
/// `state.json` of a `live-run` part): the recorder's whole state over the shard's keys, the
/// timing-fidelity tally and the call-log summary, how late the shard joined the mock's run, and
/// the schedule's key count. Every figure is an integer count, an HDR histogram or a fixed time
/// bin, so `merge` adds the shards exactly.
public struct LiveRunShard: Sendable, Codable, Equatable {
    /// Which slice this is.
    public var shard: Shard
    /// The recorder's state over the slice.
    public var state: RecorderState
    /// Scenario time the run ended.
    public var end: Duration
    /// Why it stopped early; nil when it ran to the end.
    public var incompleteReason: String?
    /// Originals (keys) of the whole schedule.
    public var keys: Int
    /// Scheduler lag and attempt overhead of this shard, real time (HDR histograms).
    public var fidelity: FidelityTally
    /// What this shard read of the mock's call log (`otherShard`: records of other shards' keys).
    public var llmLog: LLMCallLogSummary
    /// Real time the shard started after the mock's scenario time zero (0 when it joined in time).
    public var joinedLate: Duration

    /// How late (real time) a shard may join the mock's run and still count as one first attempt.
    public static let lateJoinLimit = Duration.seconds(1)

    /// Creates a shard record.
    public init(
        shard: Shard, state: RecorderState, end: Duration, incompleteReason: String?, keys: Int, fidelity: FidelityTally,
        llmLog: LLMCallLogSummary, joinedLate: Duration
    ) {
        self.shard = shard
        self.state = state
        self.end = end
        self.incompleteReason = incompleteReason
        self.keys = keys
        self.fidelity = fidelity
        self.llmLog = llmLog
        self.joinedLate = joinedLate
    }

    /// The originals of `scenario`'s schedule for `seed` (every shard computes the same).
    public static func keyCount(_ scenario: Scenario, seed: UInt64) -> Int {
        var schedule = SubmissionSchedule(scenario: scenario, seed: seed)
        var n = 0
        while let s = schedule.next() {
            if !s.duplicate { n += 1 }
        }
        return n
    }

    /// Puts the shards of one sharded live run of `scenario` back together: every shard's recorder
    /// state merged into the recorder a live run of `scenario` sets up (counts, HDR histograms and
    /// time bins add exactly), finished at the latest shard's end, with the merged call-log
    /// summary and timing fidelity. Expectations are not yet evaluated. `shards` must be every
    /// shard 0 ..< N of one count, once each, in any order.
    /// - Throws: `RecorderStateError` naming the shard that does not fit.
    public static func merge(_ shards: [LiveRunShard], scenario: Scenario, seed: UInt64, settings: LiveRunSettings) throws(RecorderStateError)
        -> ScenarioResult
    {
        guard let first = shards.first else { throw RecorderStateError("no shards to merge") }
        let n = first.shard.count
        let sorted = shards.sorted { $0.shard.index < $1.shard.index }
        guard sorted.count == n, sorted.enumerated().allSatisfy({ $0.offset == $0.element.shard.index && $0.element.shard.count == n })
        else {
            throw RecorderStateError(
                "shards \(sorted.map(\.shard.description).joined(separator: ", ")) are not each of 0…\(n - 1) of \(n) once")
        }
        let base = LiveRun.recorder(
            scenario, seed: seed, foreignTarget: settings.service, breakerObserved: scenario.stack.breaker != nil && !settings.service)
        var merged: ResultRecorder?
        var fidelity = FidelityTally()
        var log = LLMCallLogSummary(source: first.llmLog.source, run: settings.runID, tagged: settings.tagging)
        for s in sorted {
            let r: ResultRecorder
            do { r = try base.restoring(s.state) } catch { throw RecorderStateError("shard \(s.shard): \(error.message)") }
            if merged == nil { merged = r } else { merged!.merge(r) }
            fidelity.merge(s.fidelity)
            log.add(s.llmLog)
        }
        let late = sorted.filter { $0.joinedLate > .zero }
        if !late.isEmpty {
            log.warnings.append(
                late.map { "shard \($0.shard) started \(DurationFormat.short($0.joinedLate)) (real time) after the mock's time zero" }
                    .joined(separator: "; ")
                    + ": submissions due before a shard started were sent late (see the timing fidelity's scheduler lag); "
                    + "raise --start-delay so every shard joins before time zero")
        }
        var reasons = sorted.compactMap { s in s.incompleteReason.map { "shard \(s.shard): \($0)" } }
        // Joining more than a second after time zero is not a slow start: it is a shard started
        // again (a retried pod, a rerun reusing the run id) — it re-sent its slice and read its first
        // attempt's calls from the mock's log too, so its counts would be doubled.
        for s in sorted where s.joinedLate > Self.lateJoinLimit {
            reasons.append(
                "shard \(s.shard) joined \(DurationFormat.short(s.joinedLate)) after the run's time zero — a shard started again "
                    + "(a retried pod, a rerun with the same --run-id) re-sends its slice and its earlier attempt's calls count "
                    + "twice; rerun all shards with a new --run-id")
        }
        var result = merged!.finish(end: sorted.map(\.end).max()!, incompleteReason: reasons.isEmpty ? nil : reasons.joined(separator: "; "))
        result.llmLog = log
        result.fidelity = fidelity.summary(timeScale: settings.timeScale)
        LiveRun.countCallsPerTask(&result, foreignTarget: settings.service)
        return result
    }
}

extension LLMCallLogSummary {
    /// Adds another shard's reading of the same log: the calls each shard counted (its own keys)
    /// add up; every shard read the whole log, so records read, other runs' records and records
    /// lost are the largest any shard saw; warnings are kept once each.
    mutating func add(_ o: LLMCallLogSummary) {
        read = max(read, o.read)
        counted += o.counted
        attributed += o.attributed
        untagged += o.untagged
        otherRun = max(otherRun, o.otherRun)
        dropped = max(dropped, o.dropped)
        for w in o.warnings where !warnings.contains(w) { warnings.append(w) }
    }
}
