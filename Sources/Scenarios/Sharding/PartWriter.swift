import Foundation
import Traffic

/// Writes one shard's part into `OUT/part-I-of-N/`: the run summaries streamed to
/// `summaries.jsonl` as they arrive (one line each; nothing is held in memory), then
/// `manifest.json`, written last and renamed into place, so a part with a manifest is whole.
///
/// A retried shard (Kubernetes restarts a failed index) overwrites its part: the old manifest is
/// removed first, so a crash midway leaves a torn part, never an old manifest over new data.
///
/// Used by one task at a time (the batch's delivery runs on the calling task): `@unchecked Sendable`
/// so that task may be a child of a signal-aware wrapper.
public final class PartWriter: @unchecked Sendable {
    /// The part's directory.
    public let directory: URL
    private let shard: Shard
    private let handle: FileHandle
    private let encoder: JSONEncoder
    /// Summaries written so far.
    public private(set) var written = 0
    private var lastIndex = -1

    /// Creates `root/part-I-of-N/` and opens its summaries file.
    public init(root: URL, shard: Shard) throws(ShardPartError) {
        self.shard = shard
        directory = root.appendingPathComponent(shard.partName, isDirectory: true)
        let fm = FileManager.default
        do {
            try fm.createDirectory(at: directory, withIntermediateDirectories: true)
            let manifest = directory.appendingPathComponent(PartManifest.fileName)
            if fm.fileExists(atPath: manifest.path) { try fm.removeItem(at: manifest) }
            let summaries = directory.appendingPathComponent(PartManifest.summariesFile)
            guard fm.createFile(atPath: summaries.path, contents: nil) else {
                throw ShardPartError("cannot create \(summaries.path)")
            }
            handle = try FileHandle(forWritingTo: summaries)
        } catch let e as ShardPartError {
            throw e
        } catch {
            throw ShardPartError("cannot write the part under \(directory.path): \(error.localizedDescription)")
        }
        encoder = PartFormat.encoder()
    }

    /// Appends one run's summary (in job order; it must belong to this shard).
    public func add(_ summary: RunSummary) throws(ShardPartError) {
        precondition(shard.contains(summary.index) && summary.index > lastIndex, "summaries of this shard, in job order")
        lastIndex = summary.index
        do {
            var line = try encoder.encode(summary)
            line.append(0x0A)
            try handle.write(contentsOf: line)
        } catch {
            throw ShardPartError("cannot write \(directory.appendingPathComponent(PartManifest.summariesFile).path): \(error)")
        }
        written += 1
    }

    /// Closes the summaries and writes the manifest (temporary file, then rename). The part is
    /// incomplete exactly when runs of the shard are missing; `stopReason` (e.g. the signal that
    /// stopped the shard) says why, and is ignored for a part that holds every run.
    public func finish(
        command: PartCommand, total: Int, inputs: PartInputs, stopReason: String?
    ) throws(ShardPartError) -> PartManifest {
        let inShard = shard.size(of: total)
        let manifest = PartManifest(
            command: command, shard: shard, runs: PartRuns(total: total, inShard: inShard, written: written),
            incomplete: written < inShard,
            incompleteReason: written < inShard ? stopReason ?? "stopped early" : nil,
            inputs: inputs, files: [PartManifest.summariesFile])
        do {
            try handle.synchronize()
            try handle.close()
        } catch {
            throw ShardPartError("cannot write \(directory.appendingPathComponent(PartManifest.summariesFile).path): \(error)")
        }
        try Self.install(manifest, in: directory)
        return manifest
    }

    /// Writes `manifest` into `directory` last: a temporary file, then a rename.
    static func install(_ manifest: PartManifest, in directory: URL) throws(ShardPartError) {
        let target = directory.appendingPathComponent(PartManifest.fileName)
        let temporary = directory.appendingPathComponent(".\(PartManifest.fileName).\(getpid()).tmp")
        do {
            let pretty = JSONEncoder()
            pretty.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            try pretty.encode(manifest).write(to: temporary)
            guard rename(temporary.path, target.path) == 0 else {
                throw ShardPartError("cannot rename \(temporary.path) to \(target.path): \(String(cString: strerror(errno)))")
            }
        } catch let e as ShardPartError {
            try? FileManager.default.removeItem(at: temporary)
            throw e
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw ShardPartError("cannot write \(target.path): \(error)")
        }
    }

    /// Creates `root/part-I-of-N/` and removes an earlier attempt's manifest (a retried shard).
    static func prepare(root: URL, shard: Shard) throws(ShardPartError) -> URL {
        let directory = root.appendingPathComponent(shard.partName, isDirectory: true)
        let fm = FileManager.default
        do {
            try fm.createDirectory(at: directory, withIntermediateDirectories: true)
            let manifest = directory.appendingPathComponent(PartManifest.fileName)
            if fm.fileExists(atPath: manifest.path) { try fm.removeItem(at: manifest) }
        } catch {
            throw ShardPartError("cannot write the part under \(directory.path): \(error.localizedDescription)")
        }
        return directory
    }
}

/// How run summaries are written in a part's `summaries.jsonl` (one compact object per line) and
/// read back: non-finite numbers as strings, as in `summary.json`, so nothing a run can produce
/// fails to round-trip.
enum PartFormat {
    /// The encoder of one line.
    static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return e
    }

    /// The decoder matching `encoder()`.
    static func decoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return d
    }
}
