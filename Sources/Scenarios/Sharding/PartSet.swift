import Foundation
import Traffic

/// The parts given to `squall merge`, checked to belong together: each a directory with a
/// `manifest.json` of format `squall-part` version 1; all from the same command, with the same
/// shard count, run count and inputs; every shard 0 ..< N exactly once. Every problem is an error
/// naming the part and what would be valid.
public struct PartSet {
    /// One part: its directory and manifest, in shard order.
    public struct Part: Sendable {
        /// The directory.
        public var directory: URL
        /// Its manifest.
        public var manifest: PartManifest
    }

    /// The parts, by shard index.
    public let parts: [Part]

    /// The command the parts came from.
    public var command: PartCommand { parts[0].manifest.command }
    /// What the command was asked to do.
    public var inputs: PartInputs { parts[0].manifest.inputs }
    /// Runs of the whole command.
    public var total: Int { parts[0].manifest.runs.total }
    /// Whether any part stopped early.
    public var incomplete: Bool { parts.contains { $0.manifest.incomplete } }
    /// Why, for the parts that stopped early (`part-I-of-N: reason`).
    public var incompleteReasons: [String] {
        parts.filter(\.manifest.incomplete).map {
            "\($0.manifest.shard.partName): \($0.manifest.incompleteReason ?? "stopped early")"
        }
    }

    /// Reads and checks the parts at `paths` (directories `part-I-of-N`).
    public static func open(_ paths: [String]) throws(ShardPartError) -> PartSet {
        guard !paths.isEmpty else {
            throw ShardPartError(
                "no parts given: pass the part-I-of-N directories the shards wrote (e.g. OUT/part-*-of-4)")
        }
        var read: [Part] = []
        let fm = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else {
                if path.contains("*") || path.contains("?") || path.contains("[") {
                    throw ShardPartError(
                        "\(path): no part matches this pattern (the shell passes a pattern that matches nothing through unchanged); "
                            + "are the shards' parts under that directory?")
                }
                throw ShardPartError("\(path): no such part directory")
            }
            guard isDirectory.boolValue else {
                throw ShardPartError("\(path): not a part directory (a part is the directory part-I-of-N a shard wrote)")
            }
            let url = URL(fileURLWithPath: path, isDirectory: true)
            let manifestURL = url.appendingPathComponent(PartManifest.fileName)
            guard let data = fm.contents(atPath: manifestURL.path) else {
                throw ShardPartError(
                    "\(path): no \(PartManifest.fileName) — a torn part (its shard did not finish writing it); rerun that shard")
            }
            let manifest: PartManifest
            do { manifest = try JSONDecoder().decode(PartManifest.self, from: data) } catch {
                throw ShardPartError("\(manifestURL.path): not a squall part manifest (\(Self.describe(error)))")
            }
            guard manifest.format == PartManifest.formatName else {
                throw ShardPartError("\(manifestURL.path): format '\(manifest.format)', expected '\(PartManifest.formatName)'")
            }
            guard manifest.version == PartManifest.currentVersion else {
                throw ShardPartError(
                    "\(manifestURL.path): version \(manifest.version); this squall reads version \(PartManifest.currentVersion) "
                        + "(merge with the squall that wrote the parts)")
            }
            guard manifest.runs.total >= 0, manifest.runs.total <= Int(Int32.max),
                manifest.runs.inShard == manifest.shard.size(of: manifest.runs.total),
                manifest.runs.written >= 0, manifest.runs.written <= manifest.runs.inShard,
                manifest.incomplete || manifest.runs.written == manifest.runs.inShard
            else {
                throw ShardPartError(
                    "\(manifestURL.path): run counts do not add up (total \(manifest.runs.total), in shard "
                        + "\(manifest.runs.inShard), written \(manifest.runs.written), incomplete \(manifest.incomplete))")
            }
            read.append(Part(directory: url, manifest: manifest))
        }
        let first = read[0]
        for p in read.dropFirst() {
            let a = first.manifest
            let b = p.manifest
            let differs: String? =
                a.command != b.command
                ? "command (\(b.command.rawValue), not \(a.command.rawValue))"
                : a.shard.count != b.shard.count
                    ? "shard count (\(b.shard.count), not \(a.shard.count))"
                    : a.runs.total != b.runs.total && !((a.command == .run || a.command == .liveRun) && (a.incomplete || b.incomplete))
                        ? "\(a.command == .run || a.command == .liveRun ? "key" : "run") count (\(b.runs.total), not \(a.runs.total))"
                        : a.inputs.scenarios != b.inputs.scenarios
                            ? "scenarios (their sources or text differ)"
                            : a.inputs != b.inputs ? "settings" : nil
            if let differs {
                throw ShardPartError(
                    "\(p.directory.path) does not belong with \(first.directory.path): its \(differs) — "
                        + "all parts must come from one sharded command")
            }
        }
        let n = first.manifest.shard.count
        var byIndex = [Part?](repeating: nil, count: n)
        for p in read {
            let i = p.manifest.shard.index
            if let other = byIndex[i] {
                throw ShardPartError(
                    "shard \(i)/\(n) is given twice: \(other.directory.path) and \(p.directory.path) (give each part once)")
            }
            byIndex[i] = p
        }
        let missing = byIndex.indices.filter { byIndex[$0] == nil }
        guard missing.isEmpty else {
            let list = missing.prefix(20).map(String.init).joined(separator: ", ") + (missing.count > 20 ? ", …" : "")
            throw ShardPartError(
                "shard\(missing.count == 1 ? "" : "s") \(list) of \(n) missing (\(read.count) of \(n) parts given; "
                    + "each of 0…\(n - 1) must be given once)")
        }
        return PartSet(parts: byIndex.compactMap { $0 })
    }

    /// Every part's run summaries, in job order (a streaming merge: one line per part in memory).
    /// Throws on a line that does not decode, a summary of another shard, or a count that
    /// disagrees with the manifest, naming file:line.
    public func summaries() throws(ShardPartError) -> PartSummaries {
        var readers: [PartSummaries.Reader] = []
        for p in parts {
            let url = p.directory.appendingPathComponent(PartManifest.summariesFile)
            let handle: FileHandle
            do { handle = try FileHandle(forReadingFrom: url) } catch {
                for r in readers { try? r.handle.close() }
                throw ShardPartError("\(url.path): cannot be read: \(error.localizedDescription)")
            }
            readers.append(
                PartSummaries.Reader(
                    url: url, handle: handle, shard: p.manifest.shard, expected: p.manifest.runs.written, total: total))
        }
        return PartSummaries(readers: readers)
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let c):
            return "missing \(([key] + c.codingPath.reversed()).reversed().map(\.stringValue).joined(separator: "."))"
        case DecodingError.typeMismatch(_, let c), DecodingError.valueNotFound(_, let c), DecodingError.dataCorrupted(let c):
            let path = c.codingPath.map(\.stringValue).joined(separator: ".")
            return (path.isEmpty ? "" : "\(path): ") + c.debugDescription
        default:
            return "\(error)"
        }
    }

    private init(parts: [Part]) { self.parts = parts }
}

/// The run summaries of a `PartSet`, in job order: each call to `next()` returns the summary with
/// the smallest index among the parts' next lines.
public struct PartSummaries {
    final class Reader {
        let url: URL
        let handle: FileHandle
        let shard: Shard
        let expected: Int
        let total: Int
        var buffer = Data()
        var line = 0
        var count = 0
        var lastIndex = -1
        var head: RunSummary?
        var atEnd = false

        init(url: URL, handle: FileHandle, shard: Shard, expected: Int, total: Int) {
            self.url = url
            self.handle = handle
            self.shard = shard
            self.expected = expected
            self.total = total
        }

        /// Reads the next summary into `head` (nil at the end of the file).
        func advance(_ decoder: JSONDecoder) throws(ShardPartError) {
            head = nil
            while !atEnd || !buffer.isEmpty {
                if let newline = buffer.firstIndex(of: 0x0A) {
                    let bytes = buffer[buffer.startIndex..<newline]
                    buffer.removeSubrange(buffer.startIndex...newline)
                    line += 1
                    if bytes.isEmpty { continue }
                    let s: RunSummary
                    do { s = try decoder.decode(RunSummary.self, from: Data(bytes)) } catch {
                        throw ShardPartError("\(url.path):\(line): not a run summary (\(PartSet.describe(error)))")
                    }
                    guard s.index >= 0, s.index < total, shard.contains(s.index), s.index > lastIndex else {
                        throw ShardPartError(
                            "\(url.path):\(line): run \(s.index) does not belong to shard \(shard) here "
                                + "(each part holds its own runs, in job order)")
                    }
                    lastIndex = s.index
                    count += 1
                    head = s
                    return
                }
                if atEnd {  // a last line without a newline: a torn write
                    throw ShardPartError("\(url.path):\(line + 1): the last line is cut off (a torn part)")
                }
                let chunk: Data?
                do { chunk = try handle.read(upToCount: 1 << 16) } catch {
                    throw ShardPartError("\(url.path): cannot be read: \(error)")
                }
                if let chunk, !chunk.isEmpty { buffer.append(chunk) } else { atEnd = true }
            }
            guard count == expected else {
                throw ShardPartError(
                    "\(url.path): \(count) run summaries, but its manifest says \(expected) were written (a damaged part)")
            }
        }
    }

    let readers: [Reader]
    private let decoder = PartFormat.decoder()
    private var primed = false

    init(readers: [Reader]) { self.readers = readers }

    /// The next summary in job order, or nil after the last.
    public mutating func next() throws(ShardPartError) -> RunSummary? {
        if !primed {
            for r in readers { try r.advance(decoder) }
            primed = true
        }
        var best: Reader?
        for r in readers {
            guard let h = r.head else { continue }
            if best == nil || h.index < best!.head!.index { best = r }
        }
        guard let chosen = best, let summary = chosen.head else {
            for r in readers { try? r.handle.close() }
            return nil
        }
        try chosen.advance(decoder)
        return summary
    }
}
