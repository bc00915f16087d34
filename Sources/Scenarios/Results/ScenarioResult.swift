import Foundation
import LoadGen

/// How a scenario was run.
public enum RunMode: String, Sendable, Hashable, Codable, CaseIterable {
    /// The deterministic discrete-event simulator (virtual time).
    case sim
    /// Real sockets and wall-clock time (optionally compressed by a time scale).
    case live
}

/// Everything a run of one scenario produced: the input the reports read. Drivers (simulator, live)
/// fill it through `ResultRecorder`; expectations add `expectations` and `arithmetic`; reports never
/// recompute anything. Encoded with `ScenarioResult.makeEncoder()` this is `summary.json`: field
/// names are snake_case and stable; `aggregates` are not part of the JSON, and per-task records are
/// never held (they stream to `tasks.csv`).
public struct ScenarioResult: Sendable, Codable {
    /// Version of this model's JSON layout; bumped on incompatible changes. Currently 1.
    public var schemaVersion: Int = 1
    /// What was run.
    public var scenario: ScenarioInfo
    /// Simulator or live.
    public var mode: RunMode
    /// The seed every random choice was derived from.
    public var seed: UInt64
    /// True when the run stopped before the scenario's end (interrupted, target lost); figures cover what ran.
    public var incomplete: Bool = false
    /// Why the run is incomplete; nil when complete.
    public var incompleteReason: String?
    /// Scenario time covered by arrivals (the scenario's duration), seconds.
    public var durationSeconds: Double
    /// Scenario time at which the last task finished (≥ duration when tasks drain after the last arrival), seconds.
    public var endSeconds: Double
    /// Task counts and the success rate.
    public var totals: TaskTotals
    /// Failed tasks by cause (`attempts_exhausted`, `permanent`, …), largest first.
    public var failuresByCause: [NamedCount]
    /// Attempt outcomes as the client saw them, by label (`200`, `429`, `503`, `timeout`, `reset`, `breaker_rejected`), largest first.
    public var attemptOutcomes: [NamedCount]
    /// Scheduled retries by reason (`backoff`, `retry_after`, `breaker_open`, …), largest first.
    public var retriesByReason: [NamedCount]
    /// How many tasks needed how many attempts.
    public var attempts: AttemptsSummary
    /// LLM calls, completions generated, tokens and cost (totals, per model, per route).
    public var usage: UsageSummary
    /// The run's figures scaled to one day of the scenario's traffic.
    public var perDay: PerDayFigures
    /// Latency of every executed task, measured from its intended start.
    public var latency: LatencySummary
    /// Latency of the tasks that succeeded, measured from their intended start.
    public var successLatency: LatencySummary
    /// Circuit-breaker transitions and what happened around them.
    public var breaker: BreakerSummary
    /// Per-interval counts, latency and breaker state.
    public var timeSeries: TimeSeries
    /// Duplicate submissions and how the idempotency layer handled them.
    public var duplicates: DuplicateStats
    /// What the token budget did to prompts.
    public var tokenBudget: TokenBudgetStats = TokenBudgetStats()
    /// Fault windows of the profile (rules with `during`), in order; expectations refer to them by index.
    public var faultWindows: [FaultWindowInfo]
    /// Expectation verdicts, in the order the scenario lists them.
    public var expectations: [ExpectationVerdict] = []
    /// The closed-form failure arithmetic against what was observed; nil when not computed.
    public var arithmetic: FailureArithmetic?
    /// What the task service did (replicas, drain time, tasks lost); nil unless the run went through `service:`.
    public var service: ServiceRunSummary?
    /// Where a live run's LLM-side figures came from (the mock's call log); nil in the simulator.
    public var llmLog: LLMCallLogSummary?
    /// The task service's latency measured through its API (accept, poll, `/health`; real time);
    /// nil unless the run went through a task service (`service:` or `--target-url`).
    public var serviceLatency: ServiceLatencySummary?
    /// A live run's timing fidelity (scheduler lag, per-attempt real overhead, their distortion at
    /// the time scale); nil in the simulator (exact: virtual time) and in summaries written before it existed.
    public var fidelity: TimingFidelity?
    /// Bounded aggregates for expectations and charts: per-window scopes, recovery steps, the
    /// steady state, outcomes per interval (not in summary.json; per-task rows go to `tasks.csv`).
    public var aggregates = RunAggregates()

    /// Whether every expectation held (true when there are none).
    public var passed: Bool { expectations.allSatisfy(\.passed) }

    /// Creates a result; drivers normally get one from `ResultRecorder.finish`.
    public init(
        scenario: ScenarioInfo, mode: RunMode, seed: UInt64, durationSeconds: Double, endSeconds: Double,
        totals: TaskTotals, failuresByCause: [NamedCount], attemptOutcomes: [NamedCount], retriesByReason: [NamedCount],
        attempts: AttemptsSummary, usage: UsageSummary, perDay: PerDayFigures, latency: LatencySummary,
        successLatency: LatencySummary, breaker: BreakerSummary, timeSeries: TimeSeries, duplicates: DuplicateStats,
        faultWindows: [FaultWindowInfo]
    ) {
        self.scenario = scenario
        self.mode = mode
        self.seed = seed
        self.durationSeconds = durationSeconds
        self.endSeconds = endSeconds
        self.totals = totals
        self.failuresByCause = failuresByCause
        self.attemptOutcomes = attemptOutcomes
        self.retriesByReason = retriesByReason
        self.attempts = attempts
        self.usage = usage
        self.perDay = perDay
        self.latency = latency
        self.successLatency = successLatency
        self.breaker = breaker
        self.timeSeries = timeSeries
        self.duplicates = duplicates
        self.faultWindows = faultWindows
    }

    enum CodingKeys: String, CodingKey {
        case schemaVersion, scenario, mode, seed, incomplete, incompleteReason, durationSeconds, endSeconds, totals
        case failuresByCause, attemptOutcomes, retriesByReason, attempts, usage, perDay, latency, successLatency
        case breaker, timeSeries, duplicates, tokenBudget, faultWindows, expectations, arithmetic, service
        case llmLog, serviceLatency, fidelity
    }

    /// The canonical encoder for `summary.json`: snake_case keys, sorted, pretty-printed, so the
    /// same result always gives the same bytes.
    public static func makeEncoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        e.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return e
    }

    /// The decoder matching `makeEncoder()`.
    public static func makeDecoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        d.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return d
    }

    /// `summary.json`'s bytes (ends with a newline).
    public func summaryJSON() throws -> Data {
        var data = try Self.makeEncoder().encode(self)
        data.append(0x0A)
        return data
    }
}

/// What was run: the scenario's identity and the traffic it describes.
public struct ScenarioInfo: Sendable, Codable, Hashable {
    /// The scenario's `name`.
    public var name: String
    /// The scenario's `description`.
    public var description: String
    /// The file it came from (a catalog name for bundled scenarios).
    public var file: String
    /// Intended arrivals per day at the base rate.
    public var tasksPerDay: Double
    /// The arrival pattern (`poisson`, `constant`, `ramp`, `diurnal`, `bursts`).
    public var arrival: String
    /// Concurrency cap of the task service; nil for none.
    public var concurrency: Int?
    /// One-line summary of the stack policy (attempts, backoff, breaker, idempotency) for reports.
    public var stackSummary: String
    /// Creates the info.
    public init(
        name: String, description: String, file: String, tasksPerDay: Double, arrival: String, concurrency: Int?,
        stackSummary: String
    ) {
        self.name = name
        self.description = description
        self.file = file
        self.tasksPerDay = tasksPerDay
        self.arrival = arrival
        self.concurrency = concurrency
        self.stackSummary = stackSummary
    }
}

/// A fault window from the profile (a rule with `during`).
public struct FaultWindowInfo: Sendable, Codable, Hashable {
    /// 1-based index, as expectations refer to it (`window: 1`).
    public var index: Int
    /// Start, seconds of scenario time.
    public var start: Double
    /// End (exclusive), seconds of scenario time.
    public var end: Double
    /// What the window does, e.g. `status 503` or `drop reset`.
    public var label: String
    /// Submissions whose intended start fell inside the window (observed; 0 until a run fills it).
    public var arrivals: Int = 0
    /// LLM calls sent inside the window (observed).
    public var llmCalls: Int = 0
    /// LLM calls per arriving submission inside the window: the offered-load amplification.
    public var offeredLoad: Double { arrivals == 0 ? 0 : Double(llmCalls) / Double(arrivals) }
    /// Creates a window.
    public init(index: Int, start: Double, end: Double, label: String) {
        self.index = index
        self.start = start
        self.end = end
        self.label = label
    }

    /// Whether scenario time `t` (seconds) lies in `[start, end)`.
    public func contains(_ t: Double) -> Bool { t >= start && t < end }

    enum CodingKeys: String, CodingKey {
        case index, start, end, label, arrivals, llmCalls, offeredLoad
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        index = try c.decode(Int.self, forKey: .index)
        start = try c.decode(Double.self, forKey: .start)
        end = try c.decode(Double.self, forKey: .end)
        label = try c.decode(String.self, forKey: .label)
        arrivals = try c.decode(Int.self, forKey: .arrivals)
        llmCalls = try c.decode(Int.self, forKey: .llmCalls)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(index, forKey: .index)
        try c.encode(start, forKey: .start)
        try c.encode(end, forKey: .end)
        try c.encode(label, forKey: .label)
        try c.encode(arrivals, forKey: .arrivals)
        try c.encode(llmCalls, forKey: .llmCalls)
        try c.encode(offeredLoad, forKey: .offeredLoad)
    }
}

/// A label and how often it occurred.
public struct NamedCount: Sendable, Codable, Hashable {
    /// The label.
    public var name: String
    /// How many.
    public var count: Int
    /// Creates an entry.
    public init(name: String, count: Int) {
        self.name = name
        self.count = count
    }

    /// Sorts counts largest first, then by name, for stable output.
    public static func sorted(_ counts: [String: Int]) -> [NamedCount] {
        counts.map { NamedCount(name: $0.key, count: $0.value) }.sorted {
            $0.count != $1.count ? $0.count > $1.count : $0.name < $1.name
        }
    }
}
