import ArgumentParser
import CommandFlags
import Foundation
import LoadGen
import Scenarios
import Reliability
import Reporting
import YAMLConfig

/// `squall run`: loads scenarios (files or bundled names), runs them in the simulator or live,
/// evaluates their expectations, writes `Reports/<scenario>/` and exits 0 (all held), 1 (an
/// expectation failed), 2 (bad input) or 3 (the run could not be carried out).
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run scenarios and write their reports.",
        discussion: """
            Each argument is a scenario file or the name of a bundled scenario (see `squall list`). \
            Reports go to OUT/<scenario>/ (report.md, charts, summary.json, junit.xml, tasks.csv, timeseries.csv).
            """)

    @Argument(help: "Scenario files or bundled scenario names.")
    var scenarios: [String] = []

    @Flag(help: "Run every bundled scenario (in addition to any given).")
    var catalog = false

    @Option(help: "sim (deterministic simulator, virtual time) or live (real sockets, wall-clock time). Default: each scenario's 'mode:' (sim when absent).")
    var mode: RunMode?

    @Option(help: "Override every scenario's seed.")
    var seed: UInt64?

    @Option(help: "Directory the reports are written under.")
    var out: String = "Reports"

    @OptionGroup var timeScale: RunTimeScaleOption

    @Option(name: .customLong("llm-url"), parsing: .unconditional, help: "Live mode: use this LLM endpoint instead of an in-process mock.")
    var llmURL: String?

    @Option(name: .customLong("target-url"), parsing: .unconditional, help: "Live mode: drive this task service instead of the in-process stack.")
    var targetURL: String?

    @Option(
        name: .customLong("mock-port"), parsing: .unconditional,
        help: "Live mode: bind the in-process mock to 127.0.0.1:PORT (point the service under test at http://127.0.0.1:PORT/v1).")
    var mockPort: Int?

    @Option(
        name: .customLong("mock-token"), parsing: .unconditional,
        help: "Live mode with --llm-url: the external mock's control token (`squall mock --control-token`), sent as 'Authorization: Bearer TOKEN' on its control API. Default: $SQUALL_MOCK_TOKEN.")
    var mockToken: String?

    @Option(
        name: .customLong("target-file"), parsing: .unconditional,
        help: "Live mode with --target-url: the service's contract as YAML (a scenario's `target:` mapping), replacing each scenario's `target:`.")
    var targetFile: String?

    @Flag(name: .customLong("no-tag"), help: "Live mode: do not append the attribution tag to submitted prompts (per-key LLM figures become unavailable).")
    var noTag = false

    @Option(parsing: .unconditional, help: "Live mode, after SIGINT/SIGTERM: how long tasks in flight may finish before they are cancelled (real time).")
    var grace: String = "5s"

    @Flag(help: "Print only one verdict line per scenario.")
    var quiet = false

    @OptionGroup var sharding: ShardOptions

    @OptionGroup var liveShard: LiveShardFlags

    /// `SQUALL_MOCK_TOKEN`, when set and not empty: read only with `--llm-url` (a CI job may export
    /// it for its live runs against a shared mock; its simulated runs and in-process mocks ignore it).
    static var environmentToken: String? {
        ProcessInfo.processInfo.environment["SQUALL_MOCK_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The flags as checked settings (`RunSettings`), before any scenario is loaded.
    var settings: RunSettings {
        get throws(FlagError) {
            let choice = try timeScale.choice()
            var fixed: Double?
            if case .fixed(let k)? = choice { fixed = k }
            var settings = try RunSettings.check(
                mode: mode, out: out, scale: fixed, llmURL: llmURL, targetURL: targetURL, grace: grace,
                mockPort: mockPort, noTag: noTag, targetFile: targetFile,
                mockToken: mockToken ?? (llmURL == nil ? nil : Self.environmentToken), tokenFlag: mockToken != nil ? "--mock-token" : "SQUALL_MOCK_TOKEN")
            if choice == .auto {
                if mode == .sim { throw FlagError("--time-scale auto applies only to live runs, and --mode sim was given; drop it or use --mode live") }
                settings.autoTimeScale = true
            }
            return settings
        }
    }

    func validate() throws {
        do { _ = try settings } catch { throw error.validation }
        do { _ = try sharding.resolve(environment: ProcessInfo.processInfo.environment) } catch { throw error.validation }
    }

    func run() async throws {
        let settings = try self.settings
        var names = scenarios
        if catalog { names += ScenarioCatalog.names }
        guard !names.isEmpty else {
            throw UsageError(message: "give scenario files or bundled names, or --catalog (see `squall list`)")
        }
        var loaded = try ScenarioArguments.load(names)
        if let targetFile {
            let contract: TaskContract
            do { contract = try TargetDecoding.load(path: targetFile) } catch { throw UsageError(message: "--target-file: \(error)") }
            loaded = loaded.map { var s = $0; s.target = contract; return s }
        }
        // The same checks for a shard as for a whole run: a shard must never write a part that the
        // unsharded run would have refused as bad input.
        do {
            try settings.checkLiveOnlyFlags(against: loaded)
            try settings.checkLiveLimits(loaded)
            try settings.checkTargetReachesMock(loaded)
            try settings.checkTargetCanObserve(loaded)
        } catch { throw UsageError(message: error.message) }
        if let shard = try sharding.resolve(environment: ProcessInfo.processInfo.environment) {
            try await RunShard.run(loaded, shard: shard, settings: settings, live: liveShard, seed: seed, out: out)
            return
        }
        if let flag = liveShard.given.first {
            throw UsageError(message: "\(flag) applies only to a sharded live run (--mode live with --shard I/N or --shards N); drop it or add --shard")
        }
        let root = URL(fileURLWithPath: out, isDirectory: true)
        let interruption = Interruption()
        interruption.install()
        var failed = 0
        var notRun = 0
        for scenario in loaded {
            if interruption.interrupted {
                notRun += 1
                continue
            }
            // Each scenario runs in its declared mode and time scale unless the flags say otherwise.
            let runMode = settings.mode ?? scenario.mode
            var timeScale = settings.timeScale ?? scenario.timeScale ?? 1
            var auto: AutoScaleChoice?
            if runMode == .live, settings.timeScale == nil, settings.autoTimeScale || scenario.autoTimeScale {
                do {
                    let choice = try await TimeScaleCalibration.choose(
                        scenario,
                        maxScale: FidelityRule.scaleCap(scenario, maxScale: FlagLimits.maxTimeScale, maxRealRate: FlagLimits.maxRealRate))
                    timeScale = choice.scale
                    auto = choice
                    print("\(scenario.name): --time-scale auto chose \(choice.reason)")
                } catch {
                    throw RunFailure(message: "\(scenario.name): --time-scale auto: the calibration run failed: \(error)")
                }
            }
            var drivers: [any ScenarioDriver] = [SimulationDriver()]
            if runMode == .live {
                guard let live = LiveDriverProvider.make(settings.liveOptions(timeScale: timeScale))
                else {
                    throw RunFailure(message: "live mode is not available in this build (no live driver is linked); use --mode sim")
                }
                drivers.append(live)
            }
            let runner = ScenarioRunner(drivers: drivers)
            var result: ScenarioResult
            let clock = ContinuousClock()
            let started = clock.now
            let cpuStarted = ProcessCPU.seconds()
            let seed = self.seed
            // The report set is staged before the run (a driver may stream tasks.csv into it); a second
            // signal removes the staging directory, the first leads to it being written and swapped in.
            let staging: ReportStaging
            do { staging = try ReportStaging(root: root, scenario: scenario.name) } catch {
                throw RunFailure(message: "cannot write the report of \(scenario.name) under \(out): \(error)")
            }
            do {
                // The simulator stops as soon as it is cancelled; live runs let tasks in flight finish for the grace period.
                // tasks.csv streams into the staging directory during the run; the report adopts it.
                let tasksCSV = staging.url(for: ReportFiles.tasks).path
                result = try await interruption.run(grace: runMode == .sim ? .zero : settings.grace) {
                    try await runner.run(scenario, mode: runMode, seed: seed, tasksCSV: tasksCSV)
                }
            } catch {
                if let signo = interruption.signal {
                    FileHandle.standardError.write(Data("squall: \(scenario.name): interrupted before anything was measured: \(error)\n".utf8))
                    throw ExitCode(128 + signo)
                }
                staging.abandon()
                throw RunFailure(message: "\(scenario.name): \(error)")
            }
            if let signo = interruption.signal { RunInterruption.mark(&result, signal: signo) }
            if let auto { result.fidelity?.auto = auto }
            let elapsed = (clock.now - started).seconds
            let cpu = ProcessCPU.seconds() - cpuStarted
            let report: String
            do {
                report = try ReportOutput.write(
                    result, into: staging, timeScale: runMode == .live ? timeScale : nil,
                    tasksCSV: staging.url(for: ReportFiles.tasks))
            } catch {
                throw RunFailure(message: "cannot write the report of \(scenario.name) under \(out): \(error)")
            }
            print(ConsoleSummary.render(result, reportPath: report, verbose: !quiet), terminator: "")
            for warning in result.llmLog?.warnings ?? [] {
                FileHandle.standardError.write(Data("squall: \(scenario.name): WARNING: \(warning)\n".utf8))
            }
            if !quiet, runMode == .sim {
                let rate = elapsed > 0 ? Double(result.totals.submitted) / elapsed : 0
                print(
                    "  simulated \(result.totals.submitted) submissions in \(String(format: "%.3f", elapsed)) s "
                        + "(\(Int(rate)) tasks/s; \(String(format: "%.3f", cpu)) s CPU)")
            }
            if !result.passed { failed += 1 }
        }
        if let signo = interruption.signal {
            print(
                "interrupted by \(Interruption.name(signo)): the report of the scenario it stopped is marked incomplete"
                    + (notRun > 0 ? "; \(notRun) scenario\(notRun == 1 ? "" : "s") not run" : ""))
            throw ExitCode(InterruptedExit.code)
        }
        if loaded.count > 1 {
            print("\(loaded.count - failed) of \(loaded.count) scenarios passed")
        }
        if failed > 0 { throw ExitCode(1) }
    }
}

/// Where the CLI writes a result: the Reporting module's `ReportWriter` (report.md, SVG charts,
/// tasks.csv, timeseries.csv, junit.xml, summary.json, the Reports index, the CI step summary).
enum ReportOutput {
    /// Writes the report into `staging` (adopting the `tasks.csv` the run streamed there), swaps it
    /// in, and returns the path of `report.md`.
    static func write(_ result: ScenarioResult, into staging: ReportStaging, timeScale: Double?, tasksCSV: URL? = nil) throws -> String {
        let options = ReportWriter.Options(
            context: ReportContext(squallVersion: SquallVersion.current, timeScale: timeScale), tasksCSV: tasksCSV)
        let written = try ReportWriter.write(result, into: staging, options: options)
        return written.directory.appendingPathComponent(ReportFiles.report).path
    }
}

/// Loads scenario arguments (paths or bundled names); any error is bad input (exit 2).
enum ScenarioArguments {
    static func load(_ names: [String]) throws -> [Scenario] {
        var out: [Scenario] = []
        var seen = Set<String>()
        for name in names {
            let scenario: Scenario
            do {
                scenario = try ScenarioCatalog.resolve(name)
                try ExpectationPresence.require(scenario)
            } catch {
                throw UsageError(message: error.description)
            }
            guard seen.insert(scenario.name).inserted else {
                throw UsageError(message: "\(name): a scenario named '\(scenario.name)' is already in this run; names must be unique (they name the report directory)")
            }
            out.append(scenario)
        }
        return out
    }
}

/// CPU time used by this process (user + system), for the simulator's throughput line.
enum ProcessCPU {
    static func seconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }
}
