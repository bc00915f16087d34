import Reliability

/// The purposes a run draws random numbers for; each gets its own stream per seed, so adding
/// duplicates, say, does not move any original's arrival or latency.
public enum StreamPurpose: UInt64, Sendable, CaseIterable {
    /// Arrival times (Poisson gaps).
    case arrivals = 1
    /// Prompt choice.
    case prompts
    /// Whether and when duplicates are submitted.
    case duplicates
    /// The provider's draws for one submission (latency, faults, reply).
    case provider
    /// The client's retry jitter for one submission.
    case jitter
}

/// Derives the random streams of a run from its seed.
public enum TrafficStreams {
    /// The stream for `purpose` and `index`, independent of every other (seed, purpose, index).
    @inline(__always)
    public static func stream(_ seed: UInt64, _ purpose: StreamPurpose, _ index: UInt64) -> SquallRandom {
        SquallRandom.stream(seed: seed ^ (purpose.rawValue &* 0x9E37_79B9_7F4A_7C15), index)
    }
}
