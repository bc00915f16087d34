/// A real-time figure of a live run's timing fidelity: real milliseconds, and the same multiplied
/// by the time scale as scenario-time distortion.
public struct RealTimeFigure: Sendable, Codable, Hashable {
    /// Values measured.
    public var n: Int
    /// Median, real milliseconds.
    public var p50Ms: Double
    /// 99th percentile, real milliseconds.
    public var p99Ms: Double
    /// Largest value, real milliseconds.
    public var maxMs: Double
    /// The 99th percentile multiplied by the time scale: what it adds to a scenario-time figure, seconds.
    public var p99ScenarioSeconds: Double

    /// Creates a figure.
    public init(n: Int, p50Ms: Double, p99Ms: Double, maxMs: Double, p99ScenarioSeconds: Double) {
        self.n = n
        self.p50Ms = p50Ms
        self.p99Ms = p99Ms
        self.maxMs = maxMs
        self.p99ScenarioSeconds = p99ScenarioSeconds
    }

    /// Nothing measured.
    public static let empty = RealTimeFigure(n: 0, p50Ms: 0, p99Ms: 0, maxMs: 0, p99ScenarioSeconds: 0)
}

/// How `--time-scale auto` chose the time scale of a live run.
public struct AutoScaleChoice: Sendable, Codable, Hashable {
    /// The chosen time scale K.
    public var scale: Double
    /// The tightest timing tolerance of the scenario's expectations, scenario seconds; nil when it has none.
    public var tightestToleranceSeconds: Double?
    /// Which expectation set it (`latency_p99 < 10s`); nil when none.
    public var tightestExpectation: String?
    /// The calibration's real distortion per unit of scale (lag p99 + overhead p99), real milliseconds.
    public var calibrationDistortionMs: Double
    /// Tasks the calibration ran.
    public var calibrationTasks: Int
    /// Why this scale, for a person (console and report).
    public var reason: String

    /// Creates a choice.
    public init(
        scale: Double, tightestToleranceSeconds: Double?, tightestExpectation: String?, calibrationDistortionMs: Double,
        calibrationTasks: Int, reason: String
    ) {
        self.scale = scale
        self.tightestToleranceSeconds = tightestToleranceSeconds
        self.tightestExpectation = tightestExpectation
        self.calibrationDistortionMs = calibrationDistortionMs
        self.calibrationTasks = calibrationTasks
        self.reason = reason
    }
}

/// The timing fidelity of a live run (`summary.json`'s `fidelity`; report.md's "Timing fidelity"):
/// how late the runtime woke for what the scenario scheduled (scheduler lag) and how much real time
/// each LLM attempt spent beyond what the scenario asked for (per-attempt overhead), both in real
/// milliseconds, and their 99th percentiles multiplied by the time scale as scenario-time
/// distortion. Simulator runs have none: their time is exact (virtual).
public struct TimingFidelity: Sendable, Codable, Hashable {
    /// The time scale K the run used.
    public var timeScale: Double
    /// Real time between the instant a submission or a timer (backoff sleep, poll interval) was due
    /// and the instant it ran, over both.
    public var lag: RealTimeFigure
    /// Of `lag.n`, how many were submissions (the rest are timers).
    public var lagSubmissions: Int
    /// Per LLM attempt that got an HTTP answer: real round trip minus the mock's injected delay ÷ K.
    public var overhead: RealTimeFigure
    /// (lag p99 + overhead p99) × K: how far a scenario-time figure may be off, seconds.
    public var distortionSeconds: Double
    /// Where it was measured: always `live runtime clock`.
    public var measuredFrom: String
    /// What the overhead is, in words.
    public var overheadDefinition: String
    /// Timing verdicts marked untrustworthy at this scale.
    public var untrustworthy: Int = 0
    /// How the scale was chosen, when `--time-scale auto` (or `time_scale: auto`) picked it; nil otherwise.
    public var auto: AutoScaleChoice?

    /// The text of `measuredFrom`.
    public static let source = "live runtime clock"
    /// The text of `overheadDefinition`.
    public static let overheadText = "per LLM attempt answered over HTTP: real round trip minus the mock's injected delay ÷ K"

    /// Creates a summary.
    public init(timeScale: Double, lag: RealTimeFigure, lagSubmissions: Int, overhead: RealTimeFigure) {
        self.timeScale = timeScale
        self.lag = lag
        self.lagSubmissions = lagSubmissions
        self.overhead = overhead
        self.distortionSeconds = FidelityRule.distortion(lagP99Ms: lag.p99Ms, overheadP99Ms: overhead.p99Ms, scale: timeScale)
        self.measuredFrom = Self.source
        self.overheadDefinition = Self.overheadText
    }

    /// Real distortion per unit of scale (lag p99 + overhead p99), milliseconds.
    public var realDistortionMs: Double { lag.p99Ms + overhead.p99Ms }
}
