/// The largest values the command-line flags accept, and why. Each is documented in the README's
/// "Limits" table; a flag beyond its limit exits 2 naming the flag and the limit.
public enum FlagLimits {
    /// `--time-scale`: at most 10,000× (a day in under 9 s; beyond it, millisecond timings round to
    /// nothing and the scheduler's own lag dominates every figure).
    public static let maxTimeScale = 10_000.0
    /// Real tasks per second the load generator can be asked to offer (rate × time scale): 100,000/s,
    /// about 4× the closed-loop peak measured on 2 cores (BENCHMARKS.md); an open loop asked for
    /// more only drops tasks and spins the CPU.
    public static let maxRealRate = 100_000.0
    /// `--connections`: libcurl connections, at most 4,096 (and below the process's open-file limit).
    public static let maxConnections = 4096
    /// `--concurrency`: closed-loop users, at most 100,000.
    public static let maxConcurrency = 100_000
    /// `--max-in-flight`: open-loop tasks in flight, at most 1,000,000.
    public static let maxInFlight = 1_000_000
    /// `--tasks`: at most 1,000,000,000 per `squall load` run.
    public static let maxTasks = 1_000_000_000
    /// `--attempts`: at most 100 per task.
    public static let maxAttempts = 100
    /// Any duration flag: at most 366 days.
    public static let maxDuration = Duration.seconds(366 * 86_400)
    /// Smallest `--poll-interval`: 1 ms (below it a poll loop is a busy loop).
    public static let minPollInterval = Duration.milliseconds(1)
}
