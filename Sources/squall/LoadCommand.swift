import ArgumentParser
import CommandFlags
import Foundation
import LoadGen
import Logging
import MockLLM
import Scenarios
import Traffic

/// `squall load`: ad-hoc load against a raw OpenAI-compatible endpoint, the in-process stack, or a
/// task service; prints counts, attempts, latency from the intended start and scheduler lag. The
/// flags and their checks are `LoadArguments` (module LoadGen).
struct LoadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Offer load to an LLM endpoint, the in-process stack, or a task service.",
        discussion: """
            Open loop (--rate, --tasks-per-day) sends each task at its intended start and measures latency from \
            it; closed loop (--concurrency) runs C users back to back. --time-scale K compresses scenario time \
            K-fold (rates ×K, durations ÷K); reports speak scenario time, scheduler lag is real time. \
            SIGINT/SIGTERM stops offering load, lets tasks in flight finish for --grace, prints the summary \
            marked interrupted and exits 4; a second signal exits at once.
            """)

    @OptionGroup var arguments: LoadArguments

    @Option(
        name: .customLong("expect"), parsing: .unconditionalSingleValue,
        help: ArgumentHelp(
            "A threshold that must hold, e.g. 'success_rate>=99%', 'latency_p99<2s', 'failures<=0' (repeatable); exit 1 when one fails.",
            valueName: "METRIC OP VALUE"))
    var expect: [String] = []

    @Flag(
        name: .customLong("no-tag"),
        help: "Do not append the attribution tag ' [sq:RUN:KEY]' to prompts (a Squall mock then cannot attribute calls to keys).")
    var noTag = false

    @Option(
        name: .customLong("target-file"), parsing: .unconditional,
        help: "Tasks target: the service's contract as YAML (the `target:` mapping of a scenario: submit, id, status, success, failure, pending, poll, replayed_header); default the reference contract.")
    var targetFile: String?

    /// The `--target-file` contract (exit 2 naming the file, line, column and field when it is bad).
    func contract() throws -> TaskContract {
        guard let targetFile else { return .reference }
        guard arguments.target == TargetKind.tasks.rawValue else {
            throw ValidationError("--target-file describes a task service's contract; it needs --target tasks, got --target \(arguments.target)")
        }
        do { return try TargetDecoding.load(path: targetFile) } catch { throw ValidationError("--target-file: \(error)") }
    }
    @OptionGroup var sharding: ShardOptions

    @Option(help: "With --shard or --shards: the directory the shard's part is written under (OUT/part-I-of-N/; created).")
    var out: String?

    /// The `--expect` thresholds, parsed and checked against the target (exit 2 naming the flag).
    func thresholds() throws(FlagError) -> [LoadThreshold] {
        var out: [LoadThreshold] = []
        for text in expect {
            let t = try LoadThreshold.parse(text)
            if let target = TargetKind(rawValue: arguments.target), let problem = t.unobservable(on: target) {
                throw FlagError(problem)
            }
            out.append(t)
        }
        return out
    }

    func validate() throws {
        do { _ = try thresholds() } catch { throw error.validation }
        _ = try contract()
        let shard: Shard?
        do { shard = try sharding.resolve(environment: ProcessInfo.processInfo.environment) } catch { throw error.validation }
        if shard != nil, out == nil {
            throw ValidationError("--shard: give --out DIR, the directory the shard's part is written under (OUT/part-I-of-N/)")
        }
        if shard == nil, out != nil { throw ValidationError("--out: only with --shard or --shards (squall load writes no report otherwise)") }
        if shard != nil, let t = try? thresholds().first(where: { $0.metric.isServiceLatency }) {
            throw ValidationError(
                "--expect '\(t.metric.rawValue)' with --shard: service latency is kept as percentiles per shard, which do not "
                    + "merge exactly (and every shard samples /health itself); gate it on an unsharded load")
        }
        if shard != nil, arguments.target == TargetKind.stack.rawValue {
            throw ValidationError(
                "--shard with --target stack: each shard process would run its own in-process stack (breaker, limits), "
                    + "unlike one load; shard a load against a shared target: --target raw or tasks")
        }
    }

    func run() async throws {
        MallocArenas.limit(2)
        let thresholds = try self.thresholds()
        var options = try arguments.options()
        options.contract = try contract()
        let shard = try sharding.resolve(environment: ProcessInfo.processInfo.environment)
        var scheduled = 0
        if let shard {
            guard case .open(let schedule) = options.model else {
                throw UsageError(message: "--shard needs an open-loop load (--rate, --tasks-per-day or --replay): a closed loop has no schedule to slice")
            }
            options.shard = shard
            scheduled = LoadPart.scheduled(schedule, seed: options.seed, limit: options.limit)
        }
        options.progress = true
        // A run id per run: keys and task ids never repeat across runs; prompts carry its tag.
        options.runID = SquallTag.randomRunID()
        options.tagging = !noTag
        var logger = Logger(label: "squall.load", factory: { StreamLogHandler.standardError(label: $0) })
        logger.logLevel = try arguments.logLevelOption.value(default: .warning)
        let grace = try FlagCheck.duration(arguments.grace, flag: "--grace")
        let interruption = Interruption()
        interruption.install()

        let client: CurlLoadClient
        do { client = try CurlLoadClient(maxConnections: arguments.connections) } catch { throw RunFailure(message: error.description) }
        let outcome: Result<LoadRunResult, LoadError>
        do {
            let runOptions = options
            let log = logger
            outcome = try await interruption.run(grace: grace) { () async -> Result<LoadRunResult, LoadError> in
                do throws(LoadError) {
                    return .success(try await LoadRun.run(runOptions, client: client, logger: log))
                } catch { return .failure(error) }
            }
        }
        await client.shutdown()
        switch outcome {
        case .success(let result):
            if let signo = interruption.signal {
                print("interrupted by \(Interruption.name(signo)): the figures cover the tasks offered before it")
            }
            print(result.summary.render())
            if let run = options.runID {
                print("run id: \(run) (keys \(run)-N\(options.tagging ? ", prompts tagged [sq:\(run):N]" : ", prompts not tagged"))")
            }
            if let shard, let out {
                try writePart(result.summary, shard: shard, scheduled: scheduled, out: out, signal: interruption.signal)
                return
            }
            let verdicts = thresholds.map { $0.evaluate(result.summary) }
            if !verdicts.isEmpty {
                print("expectations:")
                for v in verdicts { print("  " + v.line) }
            }
            if !interruption.interrupted, verdicts.contains(where: { !$0.passed }) {
                let failed = verdicts.filter { !$0.passed }.count
                print("\(failed) of \(verdicts.count) expectations failed")
                throw ExitCode(1)
            }
        case .failure(let error):
            if let signo = interruption.signal { throw ExitCode(128 + signo) }
            switch error {
            case .invalidOptions(let m): throw UsageError(message: m)
            case .unreachable(let m), .output(let m): throw RunFailure(message: m)
            }
        }
        if interruption.interrupted { throw ExitCode(InterruptedExit.code) }
    }

    /// A shard's end: its part (no verdict; the merge evaluates `--expect`). Exit 0 when it holds
    /// the whole slice, 3 when it cannot be written, 4 when a signal stopped the shard early.
    func writePart(_ summary: LoadSummary, shard: Shard, scheduled: Int, out: String, signal: Int32?) throws {
        let arguments = Array(CommandLine.arguments.drop { $0 != "load" }.dropFirst())
        let inputs = PartInputs(
            scenarios: [], load: LoadPartSettings(arguments: LoadPartSettings.identity(arguments), expect: expect))
        let written: (URL, PartManifest)
        do {
            written = try LoadPart.write(
                summary, root: URL(fileURLWithPath: out, isDirectory: true), shard: shard, scheduled: scheduled, inputs: inputs,
                stopReason: signal.map { "interrupted by \(Interruption.name($0))" })
        } catch {
            throw RunFailure(message: error.message)
        }
        print(
            "squall load: shard \(shard): offered \(written.1.runs.written) of the schedule's \(scheduled) originals "
                + "(\(written.1.runs.inShard) in this shard); part written to \(written.0.path); " + ShardPartRun.mergeHint(out: out, shard: shard))
        if written.1.incomplete { throw ExitCode(InterruptedExit.code) }
    }
}
