/// What `POST /_squall/run` (or `MockState.startRun`) sets.
public struct RunStart: Sendable {
    /// The run id (8 base-36 characters, as in `SquallTag`).
    public var run: String
    /// A new profile, nil to keep the current one.
    public var profile: FaultProfile?
    /// The new profile's text (for `GET /_squall/profile`).
    public var profileText: String?
    /// A new time scale, nil to keep the current one.
    public var timeScale: Double?
    /// A new seed, nil to keep the current one.
    public var seed: UInt64?

    /// A run start.
    public init(run: String, profile: FaultProfile? = nil, profileText: String? = nil, timeScale: Double? = nil, seed: UInt64? = nil) {
        self.run = run
        self.profile = profile
        self.profileText = profileText
        self.timeScale = timeScale
        self.seed = seed
    }
}

/// What a run start set.
public struct RunStarted: Sendable, Hashable {
    /// The run id.
    public var run: String
    /// The time scale now in force.
    public var timeScale: Double
    /// The seed now in force.
    public var seed: UInt64
    /// Fault rules of the profile now in force.
    public var rules: Int
    /// Wall-clock instant (Unix nanoseconds) at which scenario time is zero.
    public var originUnixNanos: Int64
}
