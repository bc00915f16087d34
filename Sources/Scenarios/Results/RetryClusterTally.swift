/// Retry synchronisation from the LLM call log alone (so it means the same for the simulator, the
/// in-process stack and a foreign service): after a *correlated failure* — failed calls whose
/// answers reached their clients within the same `window`-long bin of time — how many of the
/// retries that followed (each task's next call) land in the burst's busiest `window`. Without
/// jitter, tasks failed by the same event retry at the same instants and nearly all of a burst's
/// retries share one window; with full jitter they spread over the backoff range.
///
/// A group stays open until its bin has passed and every task in it has either retried or ended;
/// it is then judged and dropped, and a *burst* (at least `minRetries` retries) adds its size and
/// its busiest-window count to the totals. State: the last failure of each task in flight and the
/// open groups' retry instants, so memory follows the tasks in flight, not the task count.
/// Judged bursts add exactly; a burst whose tasks are split across shards is judged per shard.
struct RetryClusterTally: Sendable, Equatable, Codable {
    struct Pending: Sendable, Equatable, Codable {
        var group: Int64
    }

    struct Group: Sendable, Equatable, Codable {
        var outstanding = 0
        var retries: [Int64] = []
    }

    let binNs: Int64
    let minRetries: Int
    var pending: [Int: Pending] = [:]
    var groups: [Int64: Group] = [:]
    var now: Int64 = 0
    var sinceSweep = 0
    var figures = RetryClusterFigures()

    init(_ spec: RetryClusterSpec) {
        binNs = max(1, ScenarioClock.nanoseconds(spec.window))
        minRetries = max(2, spec.minRetries)
    }

    /// One call the provider saw.
    mutating func call(_ c: LLMCallRecord) {
        guard let id = CallIdentity.of(c) else { return }
        now = max(now, c.atNanos)
        if let p = pending.removeValue(forKey: id) {
            groups[p.group, default: Group()].retries.append(c.atNanos)
            release(p.group)
        }
        if CallIdentity.failed(c), c.delayNanos >= 0 {
            let g = (c.atNanos + c.delayNanos) / binNs
            pending[id] = Pending(group: g)
            groups[g, default: Group()].outstanding += 1
        }
        sinceSweep += 1
        if sinceSweep >= 4096 { sweep() }
    }

    /// The task (or key) `id` made its last call.
    mutating func ended(_ id: Int) {
        guard let p = pending.removeValue(forKey: id) else { return }
        release(p.group)
    }

    mutating func release(_ g: Int64) {
        guard var group = groups[g] else { return }
        group.outstanding -= 1
        if group.outstanding <= 0, now >= (g + 1) * binNs {
            groups[g] = nil
            judge(group)
        } else {
            groups[g] = group
        }
    }

    /// Judges the groups whose bin has passed and whose tasks have all retried or ended.
    mutating func sweep() {
        sinceSweep = 0
        for (g, group) in groups where group.outstanding <= 0 && now >= (g + 1) * binNs {
            groups[g] = nil
            judge(group)
        }
    }

    mutating func judge(_ group: Group) {
        let n = group.retries.count
        guard n >= minRetries else { return }
        let times = group.retries.sorted()
        var peak = 1
        var lo = 0
        for hi in times.indices {
            while times[hi] - times[lo] >= binNs { lo += 1 }
            peak = max(peak, hi - lo + 1)
        }
        figures.add(retries: n, peak: peak)
    }

    /// The figures at the end of the run (open groups are judged as they stand).
    func finish() -> RetryClusterFigures {
        var copy = self
        for (_, group) in copy.groups.sorted(by: { $0.key < $1.key }) { copy.judge(group) }
        var f = copy.figures
        f.windowSeconds = ScenarioClock.seconds(binNs)
        f.minRetries = minRetries
        return f
    }

    /// Adds another shard's tally: judged bursts add; open state is combined.
    mutating func merge(_ o: RetryClusterTally) {
        figures.merge(o.figures)
        pending.merge(o.pending) { a, _ in a }
        for (g, group) in o.groups {
            groups[g, default: Group()].outstanding += group.outstanding
            groups[g, default: Group()].retries += group.retries
        }
        now = max(now, o.now)
    }
}

/// What `RetryClusterTally` found: bursts of retries after correlated failures and how clustered
/// they were.
public struct RetryClusterFigures: Sendable, Hashable, Codable {
    /// The bin of a correlated failure and of the busiest-window count, seconds.
    public var windowSeconds = 0.1
    /// Fewest retries for a group to count as a burst.
    public var minRetries = 5
    /// Bursts judged.
    public var bursts = 0
    /// Retries in them.
    public var retries = 0
    /// Of which in their burst's busiest window (summed over bursts).
    public var inBusiestWindow = 0
    /// The largest single-burst share, as retries in its busiest window …
    public var maxPeak = 0
    /// … over that burst's retries.
    public var maxPeakOf = 0
    /// The largest burst's retries.
    public var largestBurst = 0

    /// The pooled share: retries in their burst's busiest window over all retries in bursts (0 without bursts).
    public var share: Double { retries == 0 ? 0 : Double(inBusiestWindow) / Double(retries) }
    /// The largest single-burst share.
    public var maxShare: Double { maxPeakOf == 0 ? 0 : Double(maxPeak) / Double(maxPeakOf) }

    mutating func add(retries n: Int, peak: Int) {
        bursts += 1
        retries += n
        inBusiestWindow += peak
        largestBurst = max(largestBurst, n)
        if maxPeakOf == 0 || peak * maxPeakOf > maxPeak * n { (maxPeak, maxPeakOf) = (peak, n) }
    }

    mutating func merge(_ o: RetryClusterFigures) {
        bursts += o.bursts
        retries += o.retries
        inBusiestWindow += o.inBusiestWindow
        largestBurst = max(largestBurst, o.largestBurst)
        if o.maxPeakOf > 0, maxPeakOf == 0 || o.maxPeak * maxPeakOf > maxPeak * o.maxPeakOf {
            (maxPeak, maxPeakOf) = (o.maxPeak, o.maxPeakOf)
        }
    }
}
