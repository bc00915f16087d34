import Foundation

/// Merges the `tasks.csv` slices of a sharded run into one file, streaming (one buffered line per
/// part in memory). Each slice is in the order its submissions ended; the merge keeps that order
/// across slices — by the `finished` column (exact microseconds) — so the merged file holds
/// exactly the unsharded rows, in the unsharded order except that rows finishing in the same
/// microsecond come in shard order (the unsharded file orders those by event sequence).
public enum TasksCSVMerge {
    /// The column the rows are ordered by.
    static let finishedColumn = 5

    /// Merges `parts` (each with the `TaskCSVWriter` header) into `output` (created or truncated).
    /// - Throws: `ShardPartError` naming the file (and line) that is missing, has another header,
    ///   or a row without a readable `finished` time.
    public static func merge(_ parts: [URL], into output: URL) throws(ShardPartError) {
        let header = TaskCSVWriter.columns.joined(separator: ",")
        var readers: [LineReader] = []
        defer { for r in readers { try? r.handle.close() } }
        for url in parts {
            guard let handle = FileHandle(forReadingAtPath: url.path) else {
                throw ShardPartError("\(url.path): missing (a damaged part: its manifest lists it)")
            }
            let r = LineReader(url: url, handle: handle)
            readers.append(r)
            guard let first = try r.next(), String(decoding: first, as: UTF8.self) == header else {
                throw ShardPartError("\(url.path):1: not a squall tasks.csv (expected the header \(header))")
            }
            try r.advance()
        }
        guard FileManager.default.createFile(atPath: output.path, contents: nil),
            let out = FileHandle(forWritingAtPath: output.path)
        else {
            throw ShardPartError("cannot create \(output.path)")
        }
        var buffer: [UInt8] = Array(header.utf8)
        buffer.append(0x0A)
        do {
            while true {
                var best: LineReader?
                for r in readers where r.head != nil {
                    if best == nil || r.finished < best!.finished { best = r }
                }
                guard let chosen = best, let line = chosen.head else { break }
                buffer.append(contentsOf: line)
                buffer.append(0x0A)
                if buffer.count >= 1 << 16 {
                    try out.write(contentsOf: Data(buffer))
                    buffer.removeAll(keepingCapacity: true)
                }
                try chosen.advance()
            }
            try out.write(contentsOf: Data(buffer))
            try out.close()
        } catch let e as ShardPartError {
            throw e
        } catch {
            throw ShardPartError("cannot write \(output.path): \(error)")
        }
    }

    /// Reads one file line by line in 64 KiB chunks (a read offset into the chunk, not a removal per
    /// line: removing each line from the front of the buffer made merging a 1M-row file take 14 s).
    final class LineReader {
        let url: URL
        let handle: FileHandle
        var buffer: [UInt8] = []
        var start = 0
        var atEnd = false
        var line = 0
        /// The next row and its finish time (nil at the end).
        var head: ArraySlice<UInt8>?
        var finished = 0.0

        init(url: URL, handle: FileHandle) {
            self.url = url
            self.handle = handle
        }

        /// The next line without its newline, or nil at the end.
        func next() throws(ShardPartError) -> ArraySlice<UInt8>? {
            while true {
                if let newline = buffer[start...].firstIndex(of: 0x0A) {
                    let bytes = buffer[start..<newline]
                    start = newline + 1
                    line += 1
                    return bytes
                }
                if atEnd {
                    guard start == buffer.count else {
                        throw ShardPartError("\(url.path):\(line + 1): the last row is cut off (a torn part)")
                    }
                    return nil
                }
                let chunk: Data?
                do { chunk = try handle.read(upToCount: 1 << 16) } catch {
                    throw ShardPartError("\(url.path): cannot be read: \(error)")
                }
                if let chunk, !chunk.isEmpty {
                    buffer.removeFirst(start)
                    start = 0
                    buffer.append(contentsOf: chunk)
                } else {
                    atEnd = true
                }
            }
        }

        /// Moves `head` to the next row and reads its finish time.
        func advance() throws(ShardPartError) {
            head = try next()
            guard let row = head else { return }
            // The first six columns are numbers and booleans: never quoted.
            let fields = row.split(separator: 0x2C, maxSplits: TasksCSVMerge.finishedColumn + 1, omittingEmptySubsequences: false)
            guard fields.count > TasksCSVMerge.finishedColumn,
                let t = Double(String(decoding: fields[TasksCSVMerge.finishedColumn], as: UTF8.self))
            else {
                throw ShardPartError("\(url.path):\(line): no finish time in column \(TasksCSVMerge.finishedColumn + 1) ('finished')")
            }
            finished = t
        }
    }
}
