import Foundation
import LoadGen
import Traffic

/// One shard's part of `squall load --shard I/N` (`OUT/part-I-of-N/`): `load.json` (the slice's
/// `LoadSummary`: counts, token sums, HDR histograms of latency, scheduler lag and dispatch lag,
/// serialized losslessly), then `manifest.json` last. Its `runs` count the schedule's originals:
/// `total` in the whole schedule, `inShard` those at positions `i % N == I`, `written` those this
/// shard offered (fewer only when it was stopped).
public enum LoadPart {
    /// The summary's file name.
    public static let summaryFile = "load.json"

    /// Writes `summary` and the manifest into `root/part-I-of-N/`.
    public static func write(
        _ summary: LoadSummary, root: URL, shard: Shard, scheduled: Int, inputs: PartInputs, stopReason: String?
    ) throws(ShardPartError) -> (URL, PartManifest) {
        let directory = try PartWriter.prepare(root: root, shard: shard)
        let url = directory.appendingPathComponent(summaryFile)
        do { try PartFormat.encoder().encode(summary).write(to: url) } catch {
            throw ShardPartError("cannot write \(url.path): \(error)")
        }
        let inShard = shard.size(of: scheduled)
        let written = min(summary.offered, inShard)
        let incomplete = written < inShard || stopReason != nil
        let manifest = PartManifest(
            command: .load, shard: shard, runs: PartRuns(total: scheduled, inShard: inShard, written: written),
            incomplete: incomplete, incompleteReason: incomplete ? stopReason ?? "stopped early" : nil, inputs: inputs,
            files: [summaryFile])
        try PartWriter.install(manifest, in: directory)
        return (directory, manifest)
    }

    /// How many originals `schedule` offers for `seed` within `limit` (every shard counts the same).
    public static func scheduled(_ schedule: ArrivalSchedule, seed: UInt64, limit: ArrivalLimit) -> Int {
        var n = 0
        for _ in schedule.times(seed: seed, limit: limit) { n += 1 }
        return n
    }
}

/// A merged load: the summary of every shard's slice together, and the `--expect` verdicts on it.
public struct MergedLoad: Sendable {
    /// The merged summary.
    public var summary: LoadSummary
    /// The recorded thresholds, evaluated on `summary`.
    public var verdicts: [LoadThresholdVerdict]
}

extension PartMerge {
    /// The load of a set of `squall load --shard` parts: counts and token sums added, HDR
    /// histograms merged exactly, wall time the longest shard's; `--expect` evaluated on the merge.
    public static func load(_ set: PartSet) throws(ShardPartError) -> MergedLoad {
        guard set.command == .load, let settings = set.inputs.load else {
            throw ShardPartError("these parts were written by squall \(set.command.rawValue), not squall load")
        }
        var thresholds: [LoadThreshold] = []
        for text in settings.expect {
            do { thresholds.append(try LoadThreshold.parse(text)) } catch {
                throw ShardPartError("the recorded --expect '\(text)' is not valid in this build: \(error)")
            }
        }
        let decoder = PartFormat.decoder()
        var merged: LoadSummary?
        for part in set.parts {
            let url = part.directory.appendingPathComponent(LoadPart.summaryFile)
            guard let data = FileManager.default.contents(atPath: url.path) else {
                throw ShardPartError("\(url.path): missing (a damaged part: its manifest lists it)")
            }
            let s: LoadSummary
            do { s = try decoder.decode(LoadSummary.self, from: data) } catch {
                throw ShardPartError("\(url.path): not a load summary of this squall (\(PartSet.describe(error)))")
            }
            if merged == nil {
                merged = s
            } else {
                do { try merged!.merge(s) } catch { throw ShardPartError("\(url.path): \(error.message)") }
            }
        }
        let summary = merged!
        return MergedLoad(summary: summary, verdicts: thresholds.map { $0.evaluate(summary) })
    }
}
