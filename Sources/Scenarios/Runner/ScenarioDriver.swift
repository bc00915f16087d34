import Traffic

/// Something that can carry out a scenario run and fill the shared result model: the simulator
/// (`SimulationDriver`) or the live orchestrator (real sockets, see `LiveDriverProvider`).
/// Drivers emit results; they do not evaluate expectations.
public protocol ScenarioDriver: Sendable {
    /// The mode this driver implements.
    var mode: RunMode { get }
    /// Runs `scenario`; `seed` overrides the scenario's seed when given; one row per submission
    /// streams to the file at `tasksCSV` (created or truncated) when given.
    func run(_ scenario: Scenario, seed: UInt64?, tasksCSV: String?) async throws -> ScenarioResult
}

extension ScenarioDriver {
    /// Runs `scenario` without a `tasks.csv`.
    public func run(_ scenario: Scenario, seed: UInt64?) async throws -> ScenarioResult {
        try await run(scenario, seed: seed, tasksCSV: nil)
    }
}

/// The simulator as a driver.
public struct SimulationDriver: ScenarioDriver {
    /// Options besides the seed (which `run` sets).
    public var options: SimulationOptions
    /// Creates a driver.
    public init(options: SimulationOptions = SimulationOptions()) { self.options = options }
    /// Always `.sim`.
    public var mode: RunMode { .sim }
    /// Runs the simulator (stops early, marked incomplete, when the task is cancelled).
    public func run(_ scenario: Scenario, seed: UInt64?, tasksCSV: String?) async throws -> ScenarioResult {
        var o = options
        if let seed { o.seed = seed }
        let simulator = Simulator(scenario: scenario, options: o)
        if let tasksCSV { return try simulator.run(tasksCSV: tasksCSV) }
        return simulator.run()
    }
}

/// Options of a live run (wall-clock time, real sockets).
public struct LiveOptions: Sendable {
    /// Divides every scenario duration on the way into real components. Default 1.
    public var timeScale: Double
    /// Use this LLM endpoint instead of starting an in-process MockLLM. Default nil.
    public var llmURL: String?
    /// Drive this task service (POST /tasks) instead of the in-process stack. Default nil.
    public var targetURL: String?
    /// Bind the in-process MockLLM to this loopback port (`--mock-port`; overrides the scenario's
    /// `llm: { listen: }`), so a task service configured with that address calls Squall's mock. Default nil.
    public var mockPort: Int?
    /// Append the attribution tag to every submitted prompt (`--no-tag` turns it off). Default true.
    public var tagging: Bool
    /// The control token of the external mock at `llmURL` (`--mock-token`; `squall mock
    /// --control-token`), sent as `Authorization: Bearer` on its control API. Default nil.
    public var mockToken: String? = nil
    /// The run id (8 base-36 characters); nil draws a random one per run (tests fix it). Default nil.
    public var runID: String?
    /// A sharded live run (`squall run --mode live --shard I/N`, see `LiveShardRun`): send only the
    /// submissions of the keys `k % N == I`, join the run at the external mock instead of restarting
    /// it, start the timeline at the mock's origin, and count only this shard's calls. Default nil.
    public var shard: Shard?
    /// With `shard`: how far in the future the first shard to start puts the mock's scenario time
    /// zero, so the others join before it (`--start-delay`). Default 5 s.
    public var startDelay: Duration = .seconds(5)
    /// With `shard`: where the run hands over what its part holds (recorder state, fidelity tally,
    /// call-log summary) before it is finished into a result. Default nil.
    public var capture: LiveShardCapture?
    /// Creates options.
    public init(
        timeScale: Double = 1, llmURL: String? = nil, targetURL: String? = nil, mockPort: Int? = nil, tagging: Bool = true,
        runID: String? = nil
    ) {
        self.timeScale = timeScale
        self.llmURL = llmURL
        self.targetURL = targetURL
        self.mockPort = mockPort
        self.tagging = tagging
        self.runID = runID
    }
}

/// Why a run could not be carried out (exit code 3).
public struct ScenarioRunError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public var message: String
    /// Creates an error.
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Runs scenarios with the driver for the requested mode and evaluates their expectations.
public struct ScenarioRunner: Sendable {
    /// Drivers by mode.
    public var drivers: [RunMode: any ScenarioDriver]

    /// A runner with the given drivers (default: the simulator only).
    public init(drivers: [any ScenarioDriver] = [SimulationDriver()]) {
        var d: [RunMode: any ScenarioDriver] = [:]
        for driver in drivers { d[driver.mode] = driver }
        self.drivers = d
    }

    /// Runs `scenario` in `mode` and evaluates its expectations; with `tasksCSV`, one row per
    /// submission streams to that file during the run (see `TaskCSVWriter`).
    /// - Throws: `ScenarioRunError` when no driver implements `mode`, or what the driver throws.
    public func run(
        _ scenario: Scenario, mode: RunMode = .sim, seed: UInt64? = nil, tasksCSV: String? = nil
    ) async throws -> ScenarioResult {
        guard let driver = drivers[mode] else {
            throw ScenarioRunError("mode '\(mode.rawValue)' is not available in this build")
        }
        var result = try await driver.run(scenario, seed: seed, tasksCSV: tasksCSV)
        ExpectationEvaluator.evaluate(scenario, &result)
        LLMEvidence.withhold(scenario, from: &result)
        FidelityRule.apply(scenario, &result)
        return result
    }

    /// Simulates `scenario` synchronously and evaluates its expectations (tests, benchmarks).
    public static func simulate(_ scenario: Scenario, options: SimulationOptions = SimulationOptions()) -> ScenarioResult {
        var result = Simulator(scenario: scenario, options: options).run()
        ExpectationEvaluator.evaluate(scenario, &result)
        return result
    }
}
