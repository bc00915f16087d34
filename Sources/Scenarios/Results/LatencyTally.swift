/// Latency from the intended start of every finished task and of the successful ones, from the
/// stream of task outcomes: two HDR histograms (3 significant digits).
public struct LatencyTally: Sendable, Codable, Equatable {
    var all = LatencyRecorder()
    var succeeded = LatencyRecorder()

    /// An empty tally.
    public init() {}

    /// Records a finished task's latency (`micros` from its intended start).
    @inline(__always)
    mutating func record(micros: Int64, succeeded ok: Bool) {
        all.recordMicroseconds(micros)
        if ok { succeeded.recordMicroseconds(micros) }
    }

    /// Counts one submission's outcome (only executed, finished tasks have a latency).
    public mutating func record(_ t: TaskRecord) {
        guard t.executed else { return }
        record(micros: ScenarioClock.microseconds(t.latency), succeeded: t.result == .succeeded)
    }

    /// Adds another tally's histograms.
    public mutating func merge(_ o: LatencyTally) {
        all.merge(o.all)
        succeeded.merge(o.succeeded)
    }
}
