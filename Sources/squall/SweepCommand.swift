import ArgumentParser
import CommandFlags
import Foundation
import Reporting
import Scenarios
import Traffic

/// `squall sweep`: a parameter sweep on the simulator. Varies stack settings (and the load's rate,
/// fault rates) over a grid, random or Latin-hypercube design, runs every configuration on K seeds
/// on every core, and writes OUT/sweep/<scenario>/ (sweep.md with the ranking, the Pareto front and
/// the best passing stack: block; sweep.csv; sweep.json; one chart per parameter). Exit 0 when a
/// configuration passes on every seed, 1 when none does, 2 on bad input, 3 when the files cannot
/// be written, 4 when interrupted (what ran is written, marked incomplete).
struct SweepCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Sweep stack parameters on the simulator: ranking, Pareto front, best passing stack.",
        discussion: """
            VALUES: a list (none,full,equal), a range with a step (2..8, 1s..10s/1s, 0.5..2/0.5) or, for random and \
            lhs sampling, a distribution (uniform(1s,10s), loguniform(100ms,30s), int(2,8), choice(none,full,equal)). \
            PATH: a scalar under stack: (stack.retry.attempts, stack.breaker.recovery_timeout, …), load.tasks_per_day, \
            load.rate or llm.faults[N].rate. A scenario's sweep: section gives the same; flags override or extend it. \
            Writes OUT/sweep/<scenario>/. Exit 0 when a configuration passes every expectation on every seed, 1 when \
            none does, 2 bad input, 3 cannot write, 4 interrupted (partial results written, marked incomplete).
            """)

    @Argument(help: "A scenario file or the name of a bundled scenario.")
    var scenario: String

    @Option(name: .customLong("vary"), parsing: .unconditionalSingleValue, help: "PATH=VALUES; repeat for each parameter.")
    var vary: [String] = []

    @Option(help: "grid (every combination), random or lhs (Latin hypercube). Default: the file's, else grid (lhs with a distribution).")
    var sampling: SweepSampling?

    @Option(help: "Configurations for random and lhs sampling (1-10000). Default: the file's, else 32.")
    var samples: Int?

    @Option(help: "Seeds per configuration: each runs on seeds 1..K (1-1000). Default: the file's, else 3.")
    var seeds: Int?

    @Option(help: "Simulations run at once. Default: the number of cores.")
    var jobs: Int?

    @Option(help: "Directory the sweep is written under (OUT/sweep/<scenario>/; with --shard, OUT/part-I-of-N/).")
    var out: String = "Reports"

    @OptionGroup var sharding: ShardOptions

    /// The `--vary` flags, parsed (grammar only; values are checked against the scenario in `run`).
    var parameters: [SweepParameter] {
        get throws {
            var out: [SweepParameter] = []
            for v in vary {
                do { out.append(try SweepParameter.parseFlag(v)) } catch { throw ValidationError(error.description) }
            }
            return out
        }
    }

    func validate() throws {
        _ = try parameters
        if let samples, !(1...SweepDesign.maxConfigurations).contains(samples) {
            throw ValidationError(
                "--samples: '\(samples)' is not valid: expected a whole number from 1 to \(SweepDesign.maxConfigurations)")
        }
        if let seeds, !(1...SweepSpec.maxSeeds).contains(seeds) {
            throw ValidationError("--seeds: '\(seeds)' is not valid: expected a whole number from 1 to \(SweepSpec.maxSeeds)")
        }
        if let jobs, !(1...1024).contains(jobs) {
            throw ValidationError("--jobs: '\(jobs)' is not valid: expected a whole number from 1 to 1024")
        }
        guard !out.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ValidationError("--out '\(out)': expected a directory path (the sweep goes to OUT/sweep/<scenario>/)")
        }
        do { _ = try sharding.resolve(environment: ProcessInfo.processInfo.environment) } catch { throw error.validation }
    }

    /// Loads the scenario and checks the whole sweep; every problem is a `UsageError` (exit 2).
    func plan() throws -> SweepPlan {
        let document: ScenarioDocument
        do { document = try ScenarioDocument.load(scenario) } catch { throw UsageError(message: error.description) }
        guard document.scenario.mode != .live else {
            throw UsageError(message: "\(scenario): a sweep runs the simulator, and this scenario is live-only (mode: live)")
        }
        let overrides = SweepOverrides(parameters: try parameters, sampling: sampling, samples: samples, seeds: seeds)
        do {
            return try SweepPlan.build(document: document.node, base: document.scenario, overrides: overrides)
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
        let shard: Shard?
        do { shard = try sharding.resolve(environment: ProcessInfo.processInfo.environment) } catch {
            throw UsageError(message: error.message)
        }
        if let shard {
            try await runShard(shard, plan, runner: runner, progress: progress, interruption: interruption)
            return
        }
        var report = try await interruption.run(grace: .zero) {
            try await Sweeper.run(plan, runner: runner) { p in
                progress.show(
                    "sweep \(p.done)/\(p.total) runs · \(p.configurationsDone)/\(plan.configurations.count) configurations, "
                        + "\(p.passing) passing · \(p.configuration) seed \(p.seed)")
            }
        }
        progress.clear()
        if let signo = interruption.signal {
            report.incomplete = true
            report.incompleteReason = "interrupted by \(Interruption.name(signo)); the figures cover the runs that finished"
        }
        let dir: URL
        do {
            dir = try SweepFiles.write(report, root: URL(fileURLWithPath: out, isDirectory: true))
        } catch {
            throw RunFailure(message: "cannot write the sweep under \(out): \(error)")
        }
        print(SweepConsole.render(report, path: dir.appendingPathComponent(SweepFiles.markdown).path), terminator: "")
        if interruption.signal != nil { throw ExitCode(InterruptedExit.code) }
        if report.passing == 0 { throw ExitCode(1) }
    }

    /// One shard: its slice of the (configuration × seed) runs, written as a part
    /// (`OUT/part-I-of-N/`). No verdict here: exit 0 when the part is written; `squall merge`
    /// ranks every configuration over all parts.
    func runShard(
        _ shard: Shard, _ plan: SweepPlan, runner: BatchRunner, progress: ProgressLine, interruption: Interruption
    ) async throws {
        let settings = SweepSettings(vary: vary, sampling: sampling?.rawValue, samples: samples, seeds: seeds)
        try await ShardPartRun.run(
            .sweep, shard: shard, total: plan.jobCount, out: out, interruption: interruption,
            inputs: { () throws(ShardPartError) in
                PartInputs(scenarios: try PartInputs.recording([plan.base]), sweep: settings)
            },
            slice: { writer in
                // The shard's own report covers a slice; the part is what counts.
                _ = try await Sweeper.run(plan, runner: runner, shard: shard, part: writer) { p in
                    progress.show("sweep shard \(shard) \(p.done)/\(p.total) runs · \(p.configuration) seed \(p.seed)")
                }
            })
        progress.clear()
    }
}

extension SweepSampling: ExpressibleByArgument {}
