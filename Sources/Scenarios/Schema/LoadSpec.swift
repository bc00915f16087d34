import Reliability
import Traffic

/// The traffic a scenario offers: when tasks arrive, what they ask, and duplicates.
public struct LoadSpec: Sendable, Hashable {
    /// When originals intend to start: the one arrival schedule (shape and process) that `squall
    /// load` uses too. Scenario time 0 is the start of the run.
    public var arrival: ArrivalSchedule
    /// Mean arrivals per second of originals over the scenario's duration (expected count ÷ duration).
    public var ratePerSecond: Double
    /// Duplicate submissions; nil for none.
    public var duplicates: DuplicateSpec?
    /// Prompts and their weights. Default: one short question and one longer request (60/40).
    public var prompts: [PromptSpec]
    /// The most tasks the service runs at once; excess tasks queue (latency still counts from the
    /// intended start). Default nil (no cap).
    public var concurrency: Int?
    /// Whether requests stream (SSE). Default false.
    public var stream: Bool

    /// Creates a load for a scenario of `duration`; see each field for its default.
    public init(
        arrival: ArrivalSchedule, duration: Duration, duplicates: DuplicateSpec? = nil,
        prompts: [PromptSpec] = PromptSpec.defaults, concurrency: Int? = nil, stream: Bool = false
    ) {
        self.arrival = arrival
        self.ratePerSecond = arrival.meanRate(over: duration)
        self.duplicates = duplicates
        self.prompts = prompts
        self.concurrency = concurrency
        self.stream = stream
    }

    /// Mean arrivals of originals per day.
    public var tasksPerDay: Double { ratePerSecond * 86_400 }
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
