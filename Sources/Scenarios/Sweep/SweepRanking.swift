/// How a sweep ranks its configurations, best first:
///
/// 1. passed every expectation on every seed, before those that did not;
/// 2. higher pass rate over seeds;
/// 3. fewer mean failures per day;
/// 4. lower mean cost per day;
/// 5. lower mean p99 latency;
/// 6. lower index (so the order is total and deterministic).
public enum SweepRanking {
    /// Whether `a` ranks before `b`.
    public static func before(_ a: SweepConfigurationResult, _ b: SweepConfigurationResult) -> Bool {
        if (a.runs > 0) != (b.runs > 0) { return a.runs > 0 }
        if a.passedAll != b.passedAll { return a.passedAll }
        if a.passRate != b.passRate { return a.passRate > b.passRate }
        let x = a.mean
        let y = b.mean
        for (p, q) in [
            (x?.failuresPerDay, y?.failuresPerDay), (x?.costPerDay, y?.costPerDay), (x?.latencyP99, y?.latencyP99),
        ] {
            let p = p ?? .infinity
            let q = q ?? .infinity
            if p != q { return p < q }
        }
        return a.index < b.index
    }

    /// The rule in words, for reports.
    public static let description =
        "configurations that passed every expectation on every seed first, then by pass rate over seeds, then fewer mean failures/day, lower mean cost/day, lower mean p99 latency"
}
