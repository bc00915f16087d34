/// What `POST /_squall/run` (or `MockState.startRun` / `MockState.joinRun`) sets.
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
    /// Join the run when `run` is already in force instead of restarting it (`"join": true`): the
    /// shards of one sharded live run all send the same start, and only the first one resets the
    /// mock. Default false (every start resets).
    public var join: Bool
    /// Real time from the start to scenario time zero (`"start_delay_ms"`): a start that resets
    /// puts the origin this far in the future, so the other shards can join before time zero.
    /// Default zero (time zero is now). Ignored when joining (the origin in force is kept).
    public var startDelay: Duration

    /// The longest start delay accepted (10 minutes).
    public static let maxStartDelay = Duration.seconds(600)

    /// A run start.
    public init(
        run: String, profile: FaultProfile? = nil, profileText: String? = nil, timeScale: Double? = nil, seed: UInt64? = nil,
        join: Bool = false, startDelay: Duration = .zero
    ) {
        self.run = run
        self.profile = profile
        self.profileText = profileText
        self.timeScale = timeScale
        self.seed = seed
        self.join = join
        self.startDelay = startDelay
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
    /// Wall-clock instant (Unix nanoseconds) at which scenario time is zero (in the future while a
    /// start delay runs).
    public var originUnixNanos: Int64
    /// Whether the start joined the run already in force (nothing was reset).
    public var joined: Bool = false
}

/// A join that does not match the run in force: same run id, but another time scale, seed or
/// profile (the shards of one run must send the same start). `POST /_squall/run` answers 409.
public struct RunJoinConflict: Error, Sendable, Hashable, CustomStringConvertible {
    /// The field that differs (`time_scale`, `seed`, `profile`).
    public var field: String
    /// What differs, naming the run and both values.
    public var message: String
    /// The message.
    public var description: String { message }
}
