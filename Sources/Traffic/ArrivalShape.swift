/// The shape of the offered load over scenario time. Every rate is in tasks per second of scenario
/// time; `squall load`'s flags and a scenario's `load:` block both build one of these (see
/// docs/sim.md, "Arrivals", for the mapping).
public enum ArrivalShape: Sendable, Hashable {
    /// A constant rate (tasks per second).
    case constant(rate: Double)
    /// A linear ramp from `from` to `to` tasks per second over `over`, then `to` for ever.
    case ramp(from: Double, to: Double, over: Duration)
    /// A 24-hour curve averaging `tasksPerDay`, whose peak rate is `peakFactor` × the mean, peaking
    /// at time of day `peakAt`; scenario time 0 is time of day `startAt`.
    case diurnal(tasksPerDay: Double, peakFactor: Double, peakAt: Duration, startAt: Duration)
    /// Periodic bursts on top of a base rate (see `Bursts`).
    case bursts(Bursts)
    /// Explicit start offsets (a replayed trace), sorted.
    case replay([Duration])

    /// The shape's name: `constant`, `ramp`, `diurnal`, `bursts` or `replay`.
    public var name: String {
        switch self {
        case .constant: return "constant"
        case .ramp: return "ramp"
        case .diurnal: return "diurnal"
        case .bursts: return "bursts"
        case .replay: return "replay"
        }
    }
}

/// Bursts: every `every`, starting at `start`, `size` tasks (expected) arrive spread evenly over
/// `length` (all at the same instant when `length` is 0); between bursts the rate is `base`.
public struct Bursts: Sendable, Hashable {
    /// The period between burst starts.
    public var every: Duration
    /// Expected tasks per burst (exactly this many under even spacing).
    public var size: Double
    /// How long each burst lasts; 0 puts the whole burst at one instant. Default 0.
    public var length: Duration
    /// When the first burst starts (then every `every`); at most `every − length`. Default 0.
    public var start: Duration
    /// Tasks per second between bursts. Default 0.
    public var base: Double

    /// Creates bursts; see each field for its default.
    public init(every: Duration, size: Double, length: Duration = .zero, start: Duration = .zero, base: Double = 0) {
        self.every = every
        self.size = size
        self.length = length
        self.start = start
        self.base = base
    }

    /// The rate during a burst of positive length (`size / length`); infinite for an instant burst.
    public var burstRate: Double { length > .zero ? size / length.seconds : .infinity }
}
