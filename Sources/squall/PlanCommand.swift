import ArgumentParser
import CommandFlags
import Foundation
import Reliability
import Reporting
import Scenarios
import YAMLConfig

/// `squall plan`: a capacity plan from a scenario. Simulates each load level of a range at its
/// peak and at its mean, finds the highest load at which every expectation holds by bisection,
/// and writes OUT/plan/<scenario>/ (plan.md with limits, headroom, concurrency, replicas and cost;
/// plan.csv; plan.json; plan-slo.svg). Exit 0 when the plan is made, 1 when the expectations fail
/// already at the lowest load, 2 on bad input, 3 when the files cannot be written, 4 when
/// interrupted (what ran is written, marked incomplete).
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Plan capacity: calls, tokens, limits, headroom, the knee, concurrency, replicas and cost against load.",
        discussion: """
            The scenario's plan: section gives the same settings; flags win. Writes OUT/plan/<scenario>/. Exit 0 when \
            the plan is made, 1 when the expectations fail already at the lowest load, 2 bad input, 3 cannot write, \
            4 interrupted (partial results written, marked incomplete).
            """)

    @Argument(help: "A scenario file or the name of a bundled scenario.")
    var scenario: String

    @Option(
        parsing: .unconditional,
        help: "Loads to plan for, e.g. 10k..1M/day (also /h, /m, /s). Default: the file's, else 1x..100x the scenario's load.")
    var load: String?

    @Option(help: "Levels in the range, evenly spaced in the logarithm (2-50). Default: the file's, else 7.")
    var steps: Int?

    @Option(
        name: .customLong("peak-factor"), parsing: .unconditional,
        help: "Peak / mean of the daily traffic (1-100). Default: the file's, else the diurnal arrival's, else 1.")
    var peakFactor: Double?

    @Option(
        name: .customLong("replica-concurrency"), help: "Tasks one replica runs at once; sizes replicas. Default: the file's, else none.")
    var replicaConcurrency: Int?

    @Option(help: "Seeds per level: a level holds only if every expectation holds on seeds 1..K (1-100). Default: the file's, else 3.")
    var seeds: Int?

    @Option(parsing: .unconditional, help: "Simulated time per level (e.g. 1h). Default: the file's, else the scenario's duration.")
    var window: String?

    @Option(
        parsing: .unconditional,
        help: "Bisection resolution, e.g. 2% (0.1%-50%). Default: the file's, else max(1%, 1/sqrt(tasks in the peak window)).")
    var resolution: String?

    @Option(help: "Simulations run at once. Default: the number of cores.")
    var jobs: Int?

    @Option(help: "Directory the plan is written under (OUT/plan/<scenario>/).")
    var out: String = "Reports"

    /// The flags as a plan spec; every error names the flag (exit 2).
    var flags: PlanSpec {
        get throws(FlagError) {
            var spec = PlanSpec()
            if let load {
                do { spec.load = try LoadRange.parse(load) } catch { throw FlagError("--load \(error.message)") }
            }
            if let steps {
                guard PlanSpec.stepsRange.contains(steps) else { throw FlagError("--steps \(steps): expected 2 to 50") }
                spec.steps = steps
            }
            if let peakFactor {
                guard peakFactor.isFinite, PlanSpec.peakFactorRange.contains(peakFactor) else {
                    throw FlagError("--peak-factor \(peakFactor): expected a number from 1 to 100 (peak / mean)")
                }
                spec.peakFactor = peakFactor
            }
            if let replicaConcurrency {
                guard PlanSpec.concurrencyRange.contains(replicaConcurrency) else {
                    throw FlagError("--replica-concurrency \(replicaConcurrency): expected 1 to 1000000")
                }
                spec.replicaConcurrency = replicaConcurrency
            }
            if let seeds {
                guard PlanSpec.seedsRange.contains(seeds) else { throw FlagError("--seeds \(seeds): expected 1 to 100") }
                spec.seeds = seeds
            }
            if let window { spec.window = try FlagCheck.duration(window, flag: "--window", min: .seconds(1)) }
            if let resolution {
                let r: Double
                do { r = try Percent.parse(resolution) } catch {
                    throw FlagError("--resolution '\(resolution)': expected a percentage such as 2%")
                }
                guard PlanSpec.resolutionRange.contains(r) else { throw FlagError("--resolution '\(resolution)': expected 0.1% to 50%") }
                spec.resolution = r
            }
            return spec
        }
    }

    func validate() throws {
        do { _ = try flags } catch { throw error.validation }
        if let jobs, !(1...1024).contains(jobs) {
            throw ValidationError("--jobs: '\(jobs)' is not valid: expected a whole number from 1 to 1024")
        }
        guard !out.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ValidationError("--out '\(out)': expected a directory path (the plan goes to OUT/plan/<scenario>/)")
        }
    }

    /// Loads the scenario and checks the plan; every problem is a `UsageError` (exit 2).
    func plan() throws -> CapacityPlan {
        let flags: PlanSpec
        do { flags = try self.flags } catch { throw UsageError(message: error.message) }
        let document: ScenarioDocument
        do { document = try ScenarioDocument.load(scenario) } catch { throw UsageError(message: error.description) }
        guard document.scenario.mode != .live else {
            throw UsageError(message: "\(scenario): a plan runs the simulator, and this scenario is live-only (mode: live)")
        }
        do {
            return try CapacityPlan.build(document: document.node, base: document.scenario, flags: flags)
        } catch {
            throw UsageError(message: error.description)
        }
    }

    func run() async throws {
        let plan = try plan()
        let progress = ProgressLine(enabled: isatty(STDERR_FILENO) == 1)
        let interruption = Interruption()
        interruption.install()
        let runner = BatchRunner(parallelism: jobs)
        var report: PlanReport
        do {
            report = try await interruption.run(grace: .zero) {
                try await Planner.run(plan, runner: runner) { p in
                    progress.show("plan \(p.phase) \(p.done)/\(p.total) · \(PlanNumber.load(p.tasksPerDay))/day")
                }
            }
        } catch let error as ConfigError {
            throw UsageError(message: error.description)
        }
        progress.clear()
        if let signo = interruption.signal {
            report.incomplete = true
            report.incompleteReason = "interrupted by \(Interruption.name(signo)); the figures cover the levels and probes that finished"
        }
        let dir: URL
        do {
            dir = try PlanFiles.write(report, root: URL(fileURLWithPath: out, isDirectory: true))
        } catch {
            throw RunFailure(message: "cannot write the plan under \(out): \(error)")
        }
        print(PlanConsole.render(report, path: dir.appendingPathComponent(PlanFiles.markdown).path), terminator: "")
        if interruption.signal != nil { throw ExitCode(InterruptedExit.code) }
        if report.knee.position == .belowRange { throw ExitCode(1) }
    }
}
