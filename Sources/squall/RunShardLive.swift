import ArgumentParser
import CommandFlags
import Foundation
import Scenarios
import Reliability
import Traffic

/// The flags of a sharded live run (`squall run --mode live --shard I/N`).
struct LiveShardFlags: ParsableArguments, Sendable {
    @Option(
        name: .customLong("run-id"), parsing: .unconditional,
        help: "Sharded live run: the run id every shard shares (tags, idempotency keys, the mock's run); 8 characters of [0-9a-z], or any name (e.g. the CI pipeline id), hashed to one.")
    var runID: String?

    @Option(
        name: .customLong("start-delay"), parsing: .unconditional,
        help: "Sharded live run: how far ahead the first shard to reach the mock puts scenario time zero, so the others join before it (real time; default 5s, at most 10m).")
    var startDelay: String?

    /// The flags given, by name.
    var given: [String] {
        (runID == nil ? [] : ["--run-id"]) + (startDelay == nil ? [] : ["--start-delay"])
    }

    /// The start delay (default 5 s). Errors name the flag and what is valid.
    func delay() throws(FlagError) -> Duration {
        guard let startDelay else { return .seconds(5) }
        guard let d = try? DurationFormat.parse(startDelay), d >= .zero, d <= .seconds(600) else {
            throw FlagError("--start-delay \(startDelay): expected a duration from 0s to 10m, such as 5s or 1500ms")
        }
        return d
    }
}

extension RunShard {
    /// One shard of a sharded live run: checks what cannot be sharded (exit 2), joins the run at the
    /// external mock (`--llm-url`; the first shard there starts it `--start-delay` ahead, the others
    /// join it), sends the submissions of its keys on the mock's timeline, reads the whole call log
    /// keeping its own keys' calls, and writes `OUT/part-I-of-N/` (`live-run`: tasks.csv, state.json,
    /// manifest.json last).
    static func runLive(
        _ scenario: Scenario, shard: Shard, settings: RunSettings, flags: LiveShardFlags, seed: UInt64?, out: String
    ) async throws {
        let auto = settings.autoTimeScale || (settings.timeScale == nil && scenario.autoTimeScale)
        if let problem = LiveShardCheck.problem(
            scenario,
            .init(llmURL: settings.llmURL, targetURL: settings.targetURL, mockPort: settings.mockPort, autoTimeScale: auto))
        {
            throw UsageError(message: "--shard \(shard): " + problem)
        }
        guard let name = flags.runID else {
            throw UsageError(
                message: "--shard \(shard) in live mode needs --run-id ID, the same on every shard (e.g. the CI pipeline id, "
                    + "or $(SQUALL_RUN) in deploy/kubernetes): the shards' tags and idempotency keys must agree and join one run at the mock")
        }
        let runID: String
        let startDelay: Duration
        do {
            runID = try LiveRunID.resolve(name)
            startDelay = try flags.delay()
        } catch let error as ShardPartError {
            throw UsageError(message: error.message)
        } catch {
            throw UsageError(message: "\(error)")
        }
        let runSeed = seed ?? scenario.seed
        let timeScale = settings.timeScale ?? scenario.timeScale ?? 1
        var options = settings.liveOptions(timeScale: timeScale)
        options.runID = runID
        options.shard = shard
        options.startDelay = startDelay
        let capture = LiveShardCapture()
        options.capture = capture
        guard let driver = LiveDriverProvider.make(options) else {
            throw RunFailure(message: "live mode is not available in this build (no live driver is linked); use --mode sim")
        }
        let inputs: PartInputs
        let writer: RunPartWriter
        do {
            let live = LiveRunSettings(
                runID: runID, timeScale: timeScale, service: settings.targetURL != nil, tagging: options.tagging && scenario.tagging)
            inputs = PartInputs(scenarios: try PartInputs.recording([scenario]), run: RunPartSettings(seed: runSeed, live: live))
            writer = try RunPartWriter(root: URL(fileURLWithPath: out, isDirectory: true), shard: shard)
        } catch {
            throw RunFailure(message: error.message)
        }
        print("squall run: \(scenario.name) shard \(shard): joining run \(runID) at \(settings.llmURL ?? "?")"
            + (runID == name ? "" : " (--run-id \(name))"))
        let interruption = Interruption()
        interruption.install()
        let tasksCSV = writer.tasksCSV.path
        let started = ContinuousClock.now
        do {
            _ = try await interruption.run(grace: settings.grace) {
                try await driver.run(scenario, seed: runSeed, tasksCSV: tasksCSV)
            }
        } catch {
            throw RunFailure(message: "\(scenario.name): shard \(shard): \(error)")
        }
        guard let kept = capture.value else {
            throw RunFailure(message: "\(scenario.name): shard \(shard): the live run ended without a recorder state to write")
        }
        let wall = ContinuousClock.now - started
        let recorded = LiveRunShard(
            shard: shard, state: kept.state, end: kept.end, incompleteReason: kept.incompleteReason,
            keys: LiveRunShard.keyCount(scenario, seed: runSeed), fidelity: kept.fidelity, llmLog: kept.llmLog,
            joinedLate: capture.joinedLate)
        let manifest: PartManifest
        do {
            manifest = try writer.finish(
                live: recorded, inputs: inputs, stopReason: interruption.signal.map { "interrupted by \(Interruption.name($0))" })
        } catch {
            throw RunFailure(message: error.message)
        }
        let late = capture.joinedLate > .zero ? "; started \(DurationFormat.short(capture.joinedLate)) after the mock's time zero" : ""
        print(
            "squall run: \(scenario.name) shard \(shard): sent the submissions of \(manifest.runs.inShard) of \(recorded.keys) keys "
                + "in \(String(format: "%.1f", wall.seconds)) s, counted \(kept.llmLog.counted) of the \(kept.llmLog.read) calls read "
                + "(\(kept.llmLog.otherShard ?? 0) other shards')\(late); part in \(writer.directory.path); "
                + ShardPartRun.mergeHint(out: out, shard: shard))
        if manifest.incomplete { throw ExitCode(InterruptedExit.code) }
    }
}
