import Foundation
import Traffic

/// Writes one shard's part of `squall run --shard I/N` (sim mode) into `OUT/part-I-of-N/`:
/// `tasks.csv` (the slice's rows, streamed by the simulator during the run), then `state.json`
/// (the slice's `SimulationShard`: the recorder's whole state), then `manifest.json` last, renamed
/// into place. A retried shard removes its old manifest first, so a part is whole or visibly torn.
public struct RunPartWriter: Sendable {
    /// The part's directory.
    public let directory: URL
    /// The shard.
    public let shard: Shard

    /// The recorder state's file name.
    public static let stateFile = "state.json"
    /// The slice's tasks.csv.
    public static let tasksFile = "tasks.csv"

    /// Creates `root/part-I-of-N/`.
    public init(root: URL, shard: Shard) throws(ShardPartError) {
        self.shard = shard
        directory = try PartWriter.prepare(root: root, shard: shard)
    }

    /// Where the simulator streams the slice's rows.
    public var tasksCSV: URL { directory.appendingPathComponent(Self.tasksFile) }

    /// Writes a part's recorder state as `state.json` (the part format's encoder).
    func writeState(_ state: some Encodable) throws(ShardPartError) {
        let stateURL = directory.appendingPathComponent(Self.stateFile)
        do {
            try PartFormat.encoder().encode(state).write(to: stateURL)
        } catch {
            throw ShardPartError("cannot write \(stateURL.path): \(error)")
        }
    }

    /// Writes `state.json` and the manifest. The part is incomplete when the simulation stopped
    /// early (`recorded.incompleteReason`, or `stopReason` — e.g. the signal — when given).
    public func finish(_ recorded: SimulationShard, inputs: PartInputs, stopReason: String?) throws(ShardPartError) -> PartManifest {
        precondition(recorded.shard == shard, "the state of this part's shard")
        try writeState(recorded)
        let incomplete = recorded.incompleteReason != nil
        let inShard = shard.size(of: recorded.keys)
        let manifest = PartManifest(
            command: .run, shard: shard, runs: PartRuns(total: recorded.keys, inShard: inShard, written: inShard),
            incomplete: incomplete, incompleteReason: incomplete ? stopReason ?? recorded.incompleteReason : nil, inputs: inputs,
            files: [Self.stateFile, Self.tasksFile])
        try PartWriter.install(manifest, in: directory)
        return manifest
    }
}
