/// Latency from the intended start of every finished task and of the successful ones, from the
/// stream of task outcomes: HDR histograms (3 significant digits) of the succeeded and of the
/// failed tasks, one record per task; all tasks' histogram is their exact merge.
public struct LatencyTally: Sendable, Codable, Equatable {
    var succeeded = LatencyRecorder()
    var failed = LatencyRecorder()

    /// An empty tally.
    public init() {}

    /// Every finished task's latency (the two histograms added; HDR addition is exact).
    var all: LatencyRecorder {
        var a = succeeded
        a.merge(failed)
        return a
    }

    /// Records a finished task's latency (`micros` from its intended start).
    @inline(__always)
    mutating func record(micros: Int64, succeeded ok: Bool) {
        if ok { succeeded.recordMicroseconds(micros) } else { failed.recordMicroseconds(micros) }
    }

    /// Counts one submission's outcome (only executed, finished tasks have a latency).
    public mutating func record(_ t: TaskRecord) {
        guard t.executed else { return }
        record(micros: ScenarioClock.microseconds(nanos: t.finishedNanos - t.intendedNanos), succeeded: t.result == .succeeded)
    }

    /// Adds another tally's histograms.
    public mutating func merge(_ o: LatencyTally) {
        succeeded.merge(o.succeeded)
        failed.merge(o.failed)
    }
}
