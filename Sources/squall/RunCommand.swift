import ArgumentParser
import Foundation
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
    var mode: String?

    @Option(help: "Override every scenario's seed.")
    var seed: UInt64?

    @Option(help: "Directory the reports are written under.")
    var out: String = "Reports"

    @Option(name: .customLong("time-scale"), help: "Live mode: divide every scenario duration by this factor. Default: each scenario's 'time_scale:' (1 when absent).")
    var timeScale: Double?

    @Option(name: .customLong("llm-url"), help: "Live mode: use this LLM endpoint instead of an in-process mock.")
    var llmURL: String?

    @Option(name: .customLong("target-url"), help: "Live mode: drive this task service instead of the in-process stack.")
    var targetURL: String?

    @Flag(help: "Print only one verdict line per scenario.")
    var quiet = false

    func run() async throws {
        var forcedMode: RunMode?
        if let mode {
            guard let m = RunMode(rawValue: mode) else {
                throw UsageError(message: "--mode: '\(mode)' is not valid: expected sim or live")
            }
            forcedMode = m
        }
        if let timeScale, !(timeScale > 0 && timeScale.isFinite) {
            throw UsageError(message: "--time-scale: '\(timeScale)' is not valid: expected a number above 0")
        }
        var names = scenarios
        if catalog { names += ScenarioCatalog.names }
        guard !names.isEmpty else {
            throw UsageError(message: "give scenario files or bundled names, or --catalog (see `squall list`)")
        }
        let loaded = try ScenarioArguments.load(names)
        let root = URL(fileURLWithPath: out, isDirectory: true)
        var failed = 0
        for scenario in loaded {
            // Each scenario runs in its declared mode and time scale unless the flags say otherwise.
            let runMode = forcedMode ?? scenario.mode
            let timeScale = self.timeScale ?? scenario.timeScale ?? 1
            var drivers: [any ScenarioDriver] = [SimulationDriver()]
            if runMode == .live {
                guard let live = LiveDriverProvider.make(LiveOptions(timeScale: timeScale, llmURL: llmURL, targetURL: targetURL))
                else {
                    throw RunFailure(message: "live mode is not available in this build (no live driver is linked); use --mode sim")
                }
                drivers.append(live)
            }
            let runner = ScenarioRunner(drivers: drivers)
            let result: ScenarioResult
            let clock = ContinuousClock()
            let started = clock.now
            let cpuStarted = ProcessCPU.seconds()
            // tasks.csv streams during the run into the report root; the report then moves it in.
            let tasksCSV = root.appendingPathComponent(".\(ReportWriter.directoryName(scenario.name)).tasks.csv.partial")
            try? FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
            do {
                result = try await runner.run(scenario, mode: runMode, seed: seed, tasksCSV: tasksCSV.path)
            } catch {
                try? FileManager.default.removeItem(at: tasksCSV)
                throw RunFailure(message: "\(scenario.name): \(error)")
            }
            let elapsed = (clock.now - started).seconds
            let cpu = ProcessCPU.seconds() - cpuStarted
            let report: String
            do {
                report = try ReportOutput.write(
                    result, root: root, timeScale: runMode == .live ? timeScale : nil, tasksCSV: tasksCSV)
            } catch {
                throw RunFailure(message: "cannot write the report of \(scenario.name) under \(out): \(error)")
            }
            print(ConsoleSummary.render(result, reportPath: report, verbose: !quiet), terminator: "")
            if !quiet, runMode == .sim {
                let rate = elapsed > 0 ? Double(result.totals.submitted) / elapsed : 0
                print(
                    "  simulated \(result.totals.submitted) submissions in \(String(format: "%.3f", elapsed)) s "
                        + "(\(Int(rate)) tasks/s; \(String(format: "%.3f", cpu)) s CPU)")
            }
            if !result.passed { failed += 1 }
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
    /// Writes the report and returns the path of `report.md`.
    static func write(_ result: ScenarioResult, root: URL, timeScale: Double?, tasksCSV: URL? = nil) throws -> String {
        let options = ReportWriter.Options(
            context: ReportContext(squallVersion: SquallVersion.current, timeScale: timeScale), tasksCSV: tasksCSV)
        let written = try ReportWriter.write(result, to: root, options: options)
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
