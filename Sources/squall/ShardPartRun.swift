import ArgumentParser
import Foundation
import Scenarios
import Traffic

/// What `squall audit --shard` and `squall sweep --shard` share: record the command's inputs, open
/// the part, run the shard's slice under the signal handler, write the manifest and say where.
/// No verdict: exit 0 when the part holds every run, 3 when it cannot be written, 4 when a signal
/// stopped the shard early (the part is written, marked incomplete).
enum ShardPartRun {
    static func run(
        _ command: PartCommand, shard: Shard, total: Int, out: String, interruption: Interruption,
        inputs: () throws(ShardPartError) -> PartInputs, slice: @escaping @Sendable (PartWriter) async throws -> Void
    ) async throws {
        let recorded: PartInputs
        let writer: PartWriter
        do {
            recorded = try inputs()
            writer = try PartWriter(root: URL(fileURLWithPath: out, isDirectory: true), shard: shard)
        } catch {
            throw RunFailure(message: error.message)
        }
        do {
            try await interruption.run(grace: .zero) { try await slice(writer) }
        } catch let error as ShardPartError {
            throw RunFailure(message: error.message)  // the part could not be written: exit 3, not a verdict
        }
        let manifest: PartManifest
        do {
            manifest = try writer.finish(
                command: command, total: total, inputs: recorded,
                stopReason: interruption.signal.map { "interrupted by \(Interruption.name($0))" })
        } catch {
            throw RunFailure(message: error.message)
        }
        print(
            "squall \(command.rawValue): shard \(shard): \(manifest.runs.written) of \(manifest.runs.inShard) runs (of \(total)) "
                + "written to \(writer.directory.path); " + ShardPartRun.mergeHint(out: out, shard: shard))
        if manifest.incomplete { throw ExitCode(InterruptedExit.code) }
    }

    /// What every shard prints last: how to put the shards together.
    static func mergeHint(out: String, shard: Shard) -> String {
        "put the shards together with: squall merge \(out)/part-*-of-\(shard.count) --out DIR"
    }
}
