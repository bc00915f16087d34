import Foundation
import Traffic

extension RunPartWriter {
    /// Writes a sharded live run's `state.json` (the `LiveRunShard`) and the manifest (command
    /// `live-run`). The part is incomplete when the run stopped early (`recorded.incompleteReason`,
    /// or `stopReason` — e.g. the signal — when given).
    public func finish(live recorded: LiveRunShard, inputs: PartInputs, stopReason: String?) throws(ShardPartError) -> PartManifest {
        precondition(recorded.shard == shard, "the state of this part's shard")
        try writeState(recorded)
        let incomplete = recorded.incompleteReason != nil || stopReason != nil
        let inShard = shard.size(of: recorded.keys)
        let manifest = PartManifest(
            command: .liveRun, shard: shard, runs: PartRuns(total: recorded.keys, inShard: inShard, written: inShard),
            incomplete: incomplete, incompleteReason: incomplete ? stopReason ?? recorded.incompleteReason : nil, inputs: inputs,
            files: [Self.stateFile, Self.tasksFile])
        try PartWriter.install(manifest, in: directory)
        return manifest
    }
}

extension PartMerge {
    /// The result of a set of `squall run --mode live --shard` parts: every shard's recorder state
    /// merged into the recorder a live run of the recorded scenario sets up (`LiveRunShard.merge`),
    /// with its expectations evaluated as `ScenarioRunner` does for a live run (LLM-side evidence
    /// withheld when the log was incomplete, timing verdicts marked by the merged fidelity). With
    /// `tasksCSV`, the parts' rows are merged into that file in order of finish time.
    public static func liveRun(_ set: PartSet, tasksCSV: URL? = nil) throws(ShardPartError) -> ScenarioResult {
        guard set.command == .liveRun, let settings = set.inputs.run, let live = settings.live, set.inputs.scenarios.count == 1
        else {
            throw ShardPartError("these parts were written by squall \(set.command.rawValue), not squall run --mode live")
        }
        let scenario = try set.inputs.decodedScenarios()[0]
        let decoder = PartFormat.decoder()
        var shards: [LiveRunShard] = []
        for part in set.parts {
            let url = part.directory.appendingPathComponent(RunPartWriter.stateFile)
            guard let data = FileManager.default.contents(atPath: url.path) else {
                throw ShardPartError("\(url.path): missing (a damaged part: its manifest lists it)")
            }
            let s: LiveRunShard
            do { s = try decoder.decode(LiveRunShard.self, from: data) } catch {
                throw ShardPartError("\(url.path): not a live shard's state of this squall (\(PartSet.describe(error)))")
            }
            guard s.shard == part.manifest.shard else {
                throw ShardPartError("\(url.path): holds shard \(s.shard)'s state, but its manifest says shard \(part.manifest.shard)")
            }
            shards.append(s)
        }
        var result: ScenarioResult
        do { result = try LiveRunShard.merge(shards, scenario: scenario, seed: settings.seed, settings: live) } catch {
            throw ShardPartError("the parts do not merge: \(error.message)")
        }
        if set.incomplete {
            result.incomplete = true
            result.incompleteReason = "a shard stopped early (\(set.incompleteReasons.joined(separator: "; ")))"
        }
        ExpectationEvaluator.evaluate(scenario, &result)
        LLMEvidence.withhold(scenario, from: &result)
        FidelityRule.apply(scenario, &result)
        if let tasksCSV {
            try TasksCSVMerge.merge(set.parts.map { $0.directory.appendingPathComponent(RunPartWriter.tasksFile) }, into: tasksCSV)
        }
        return result
    }
}
