import ArgumentParser
import CommandFlags
import Foundation
import Scenarios
import Traffic

/// `squall run --shard I/N`. Sim mode: simulate the whole schedule, record this shard's slice
/// (keys `k % N == I`; shard 0 also the stack's events), write `OUT/part-I-of-N/` (tasks.csv,
/// state.json, manifest.json last). Live mode (`runLive`, RunShardLive.swift): send this shard's
/// slice to the one external mock or service, joining the run the other shards share. No verdict:
/// exit 0 when the part is written, 2 bad input, 3 when it cannot be written (or the run could not
/// be carried out), 4 when a signal stopped the run (part marked incomplete).
enum RunShard {
    static func run(
        _ loaded: [Scenario], shard: Shard, settings: RunSettings, live: LiveShardFlags, seed: UInt64?, out: String
    ) async throws {
        guard loaded.count == 1, let scenario = loaded.first else {
            throw UsageError(
                message: "--shard: give exactly one scenario (\(loaded.count) given); a sharded run's parts hold one scenario's slices")
        }
        if (settings.mode ?? scenario.mode) == .live {
            try await runLive(scenario, shard: shard, settings: settings, flags: live, seed: seed, out: out)
            return
        }
        if let flag = live.given.first {
            throw UsageError(message: "\(flag) applies only to a sharded live run, and \(scenario.name) runs in the simulator; drop it or add --mode live")
        }
        let runSeed = seed ?? scenario.seed
        let inputs: PartInputs
        let writer: RunPartWriter
        do {
            inputs = PartInputs(scenarios: try PartInputs.recording([scenario]), run: RunPartSettings(seed: runSeed))
            writer = try RunPartWriter(root: URL(fileURLWithPath: out, isDirectory: true), shard: shard)
        } catch {
            throw RunFailure(message: error.message)
        }
        let interruption = Interruption()
        interruption.install()
        let options = SimulationOptions(seed: runSeed, shard: shard)
        let tasksCSV = writer.tasksCSV.path
        let recorded: SimulationShard
        do {
            recorded = try await interruption.run(grace: .zero) {
                try Simulator(scenario: scenario, options: options).recordShard(tasksCSV: tasksCSV)
            }
        } catch {
            throw RunFailure(message: "\(scenario.name): shard \(shard): \(error)")
        }
        let manifest: PartManifest
        do {
            manifest = try writer.finish(
                recorded, inputs: inputs, stopReason: interruption.signal.map { "interrupted by \(Interruption.name($0))" })
        } catch {
            throw RunFailure(message: error.message)
        }
        print(
            "squall run: \(scenario.name) shard \(shard): simulated the whole schedule (\(recorded.keys) originals), recorded "
                + "\(manifest.runs.inShard) of their keys in \(writer.directory.path); " + ShardPartRun.mergeHint(out: out, shard: shard))
        if manifest.incomplete { throw ExitCode(InterruptedExit.code) }
    }
}
