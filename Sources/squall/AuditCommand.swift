import ArgumentParser
import CommandFlags
import Foundation
import Reporting
import Scenarios
import Traffic

/// `squall audit`: the verdicts' own test. Runs each scenario over seeds 1…S and each planted
/// defect over seeds 1…M in the simulator, on every core; writes OUT/audit/audit.md and
/// audit.json; exits 0 when every audited scenario meets the bar, 1 when one does not, 2 on bad input.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Measure the false-fail rate of scenarios' expectations and which planted defects they catch.",
        discussion: """
            Each argument is a scenario file or the name of a bundled scenario. Writes OUT/audit/audit.md and \
            OUT/audit/audit.json. Live-only scenarios (mode: live) are skipped. Exit 0 when every audited scenario \
            meets the bar (at most 1 false fail in 200 seeds, each of its guards caught in >= 95% of mutant seeds), \
            1 when one does not, 2 on bad input.
            """)

    @Argument(help: "Scenario files or bundled scenario names.")
    var scenarios: [String] = []

    @Flag(help: "Audit every bundled scenario (in addition to any given).")
    var catalog = false

    @Option(help: "Seeds 1…N of each scenario as written (false fails).")
    var seeds: Int = 200

    @Option(name: .customLong("mutant-seeds"), help: "Seeds 1…N of each planted defect (detection); at most --seeds.")
    var mutantSeeds: Int = 20

    @Option(help: "all, listed (each scenario's guards:) or a comma-separated list of defects; guards are always planted.")
    var mutants: String = "all"

    @Option(help: "Simulations run at once. Default: the number of cores.")
    var jobs: Int?

    @Option(help: "Directory the audit is written under (OUT/audit/; with --shard, OUT/part-I-of-N/).")
    var out: String = "Reports"

    @OptionGroup var sharding: ShardOptions

    func validate() throws {
        guard (1...100_000).contains(seeds) else {
            throw ValidationError("--seeds: '\(seeds)' is not valid: expected a whole number from 1 to 100000")
        }
        guard (1...seeds).contains(mutantSeeds) else {
            throw ValidationError("--mutant-seeds: '\(mutantSeeds)' is not valid: expected a whole number from 1 to --seeds (\(seeds))")
        }
        if let jobs, !(1...1024).contains(jobs) {
            throw ValidationError("--jobs: '\(jobs)' is not valid: expected a whole number from 1 to 1024")
        }
        do { _ = try sharding.resolve(environment: ProcessInfo.processInfo.environment) } catch { throw error.validation }
    }

    func run() async throws {
        let selection: MutantSelection
        do {
            selection = try MutantSelection.parse(mutants)
        } catch {
            throw UsageError(message: error.description)
        }
        var names = scenarios
        if catalog { names += ScenarioCatalog.names }
        guard !names.isEmpty else {
            throw UsageError(message: "give scenario files or bundled names, or --catalog (see `squall list`)")
        }
        let loaded = try ScenarioArguments.load(names)
        guard loaded.contains(where: { Auditor.skipReason($0) == nil }) else {
            throw UsageError(message: "nothing to audit: every scenario given is live-only (mode: live), and the audit runs the simulator")
        }
        let plan = AuditPlan(seeds: seeds, mutantSeeds: mutantSeeds, mutants: selection)
        let progress = ProgressLine(enabled: isatty(STDERR_FILENO) == 1)
        let shard: Shard?
        do { shard = try sharding.resolve(environment: ProcessInfo.processInfo.environment) } catch {
            throw UsageError(message: error.message)
        }
        // SIGINT/SIGTERM: no new simulations; the report (or part) is written marked incomplete, exit 4.
        let interruption = Interruption()
        interruption.install()
        if let shard {
            try await runShard(shard, loaded, plan: plan, progress: progress, interruption: interruption)
            return
        }
        let width = jobs
        let report = try await interruption.run(grace: .zero) {
            try await Auditor.run(loaded, plan: plan, runner: BatchRunner(parallelism: width)) { p in
                progress.show("audit \(p.done)/\(p.total) runs · \(p.scenario) \(p.configuration) seed \(p.seed)")
            }
        }
        progress.clear()
        let dir: URL
        do {
            dir = try AuditFiles.write(report, root: URL(fileURLWithPath: out, isDirectory: true))
        } catch {
            throw RunFailure(message: "cannot write the audit under \(out): \(error)")
        }
        print(AuditConsole.render(report, path: dir.appendingPathComponent(AuditFiles.markdown).path), terminator: "")
        if interruption.interrupted { throw ExitCode(4) }
        if !report.passed { throw ExitCode(1) }
    }

    /// One shard: its slice of the runs, written as a part (`OUT/part-I-of-N/`). No verdict here:
    /// exit 0 when the part is written; `squall merge` evaluates the audit over every part.
    func runShard(
        _ shard: Shard, _ loaded: [Scenario], plan: AuditPlan, progress: ProgressLine, interruption: Interruption
    ) async throws {
        let width = jobs
        try await ShardPartRun.run(
            .audit, shard: shard, total: AuditAssembly(loaded, plan: plan).total, out: out, interruption: interruption,
            inputs: { () throws(ShardPartError) in
                PartInputs(
                    scenarios: try PartInputs.recording(loaded),
                    audit: AuditSettings(seeds: seeds, mutantSeeds: mutantSeeds, mutants: mutants))
            },
            slice: { writer in
                // The shard's own report covers a slice (always "incomplete"); the part is what counts.
                _ = try await Auditor.run(loaded, plan: plan, runner: BatchRunner(parallelism: width), shard: shard, part: writer) { p in
                    progress.show("audit shard \(shard) \(p.done)/\(p.total) runs · \(p.scenario) \(p.configuration) seed \(p.seed)")
                }
            })
        progress.clear()
    }
}

/// A one-line progress display on stderr, redrawn in place; silent when stderr is not a terminal.
final class ProgressLine: Sendable {
    let enabled: Bool
    init(enabled: Bool) { self.enabled = enabled }

    func show(_ text: String) {
        guard enabled else { return }
        FileHandle.standardError.write(Data(("\r\u{1B}[2K" + text).utf8))
    }

    func clear() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
    }
}
