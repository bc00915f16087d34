import Reliability

/// The traffic a scenario offers: how many tasks, when they arrive, what they ask, and duplicates.
public struct LoadSpec: Sendable, Hashable {
    /// Mean arrivals per second of originals (for `bursts`, derived from the burst size and period).
    public var ratePerSecond: Double
    /// When tasks intend to start. Default poisson.
    public var arrival: ArrivalPattern
    /// Duplicate submissions; nil for none.
    public var duplicates: DuplicateSpec?
    /// Prompts and their weights. Default: one short question and one longer request (60/40).
    public var prompts: [PromptSpec]
    /// The most tasks the service runs at once; excess tasks queue (latency still counts from the
    /// intended start). Default nil (no cap).
    public var concurrency: Int?
    /// Whether requests stream (SSE). Default false.
    public var stream: Bool

    /// Creates a load; see each field for its default.
    public init(
        ratePerSecond: Double, arrival: ArrivalPattern = .poisson, duplicates: DuplicateSpec? = nil,
        prompts: [PromptSpec] = PromptSpec.defaults, concurrency: Int? = nil, stream: Bool = false
    ) {
        self.ratePerSecond = ratePerSecond
        self.arrival = arrival
        self.duplicates = duplicates
        self.prompts = prompts
        self.concurrency = concurrency
        self.stream = stream
    }

    /// Mean arrivals per day.
    public var tasksPerDay: Double { ratePerSecond * 86_400 }
}

/// When tasks intend to start (open-loop: arrivals do not wait for earlier tasks).
public enum ArrivalPattern: Sendable, Hashable {
    /// Evenly spaced at the rate.
    case constant
    /// A Poisson process at the rate (exponential gaps).
    case poisson
    /// A Poisson process whose rate moves linearly from `from`× to `to`× the base rate over the duration.
    case ramp(from: Double, to: Double)
    /// A Poisson process following a 24 h sinusoid with mean = the base rate, peak/trough ratio
    /// `peakToTrough` and the peak at `peakAt` (time of day from the scenario start).
    case diurnal(peakToTrough: Double, peakAt: Duration)
    /// `size` tasks every `every` starting at `start`, spread evenly over `spread` (0 = all at once).
    case bursts(every: Duration, size: Int, spread: Duration, start: Duration)

    /// The name used in reports.
    public var name: String {
        switch self {
        case .constant: return "constant"
        case .poisson: return "poisson"
        case .ramp: return "ramp"
        case .diurnal: return "diurnal"
        case .bursts: return "bursts"
        }
    }
}

/// Duplicate submissions: a share of tasks is submitted again with the same idempotency key and payload.
public struct DuplicateSpec: Sendable, Hashable {
    /// Share of originals that get a duplicate, 0…1.
    public var rate: Double
    /// Delay of the duplicate after the original's intended start, drawn uniformly. Default 0s..30s.
    public var delay: DurationRange
    /// Share of duplicates sent at once, while the original is certainly in flight (delay 0), 0…1. Default 0.
    public var concurrent: Double

    /// Creates a spec.
    public init(rate: Double, delay: DurationRange = DurationRange(.zero, .seconds(30)), concurrent: Double = 0) {
        self.rate = rate
        self.delay = delay
        self.concurrent = concurrent
    }
}

/// A prompt the load sends, with its weight.
public struct PromptSpec: Sendable, Hashable {
    /// The user message.
    public var text: String
    /// Relative weight (> 0).
    public var weight: Double

    /// Creates a prompt.
    public init(text: String, weight: Double = 1) {
        self.text = text
        self.weight = weight
    }

    /// The default mix: a simple question (routed to the small model) and a longer request.
    public static let defaults = [
        PromptSpec(text: "What is the capital of France?", weight: 0.6),
        PromptSpec(text: "Draft a migration plan for moving our billing jobs to a queue.", weight: 0.4),
    ]
}
