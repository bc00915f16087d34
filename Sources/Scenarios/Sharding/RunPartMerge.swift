import Foundation
import Traffic

extension PartMerge {
    /// The result of a set of `squall run --shard` parts: every part's recorder state merged into
    /// the recorder the recorded scenario sets up, finished and with its expectations evaluated —
    /// the unsharded run's result (its `summary.json` byte for byte). With `tasksCSV`, the parts'
    /// rows are merged into that file in order of finish time (`TasksCSVMerge`).
    public static func run(_ set: PartSet, tasksCSV: URL? = nil) throws(ShardPartError) -> ScenarioResult {
        guard set.command == .run, let settings = set.inputs.run, set.inputs.scenarios.count == 1 else {
            throw ShardPartError("these parts were written by squall \(set.command.rawValue), not squall run")
        }
        let scenario = try set.inputs.decodedScenarios()[0]
        let decoder = PartFormat.decoder()
        var shards: [SimulationShard] = []
        for part in set.parts {
            let url = part.directory.appendingPathComponent(RunPartWriter.stateFile)
            guard let data = FileManager.default.contents(atPath: url.path) else {
                throw ShardPartError("\(url.path): missing (a damaged part: its manifest lists it)")
            }
            let s: SimulationShard
            do { s = try decoder.decode(SimulationShard.self, from: data) } catch {
                throw ShardPartError("\(url.path): not a recorder state of this squall (\(PartSet.describe(error)))")
            }
            guard s.shard == part.manifest.shard else {
                throw ShardPartError("\(url.path): holds shard \(s.shard)'s state, but its manifest says shard \(part.manifest.shard)")
            }
            shards.append(s)
        }
        let simulator = Simulator(scenario: scenario, options: SimulationOptions(seed: settings.seed))
        var result: ScenarioResult
        do { result = try simulator.merge(shards) } catch {
            throw ShardPartError("the parts do not merge: \(error.message)")
        }
        if set.incomplete {
            result.incomplete = true
            result.incompleteReason = "a shard stopped early (\(set.incompleteReasons.joined(separator: "; ")))"
        }
        ExpectationEvaluator.evaluate(scenario, &result)
        if let tasksCSV {
            try TasksCSVMerge.merge(set.parts.map { $0.directory.appendingPathComponent(RunPartWriter.tasksFile) }, into: tasksCSV)
        }
        return result
    }
}
