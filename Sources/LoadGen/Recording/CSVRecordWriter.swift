import Foundation

/// Streams task records to a CSV file as they arrive, buffering a little so memory stays flat.
/// Not thread-safe on its own: `LoadRecorder` calls it under its lock.
public final class CSVRecordWriter {
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private let flushAt = 64 * 1024

    /// Creates (or truncates) `path` and writes the header.
    public init(path: String) throws(LoadError) {
        guard FileManager.default.createFile(atPath: path, contents: nil), let h = FileHandle(forWritingAtPath: path) else {
            throw LoadError.output("cannot create CSV file \(path)")
        }
        handle = h
        buffer.reserveCapacity(flushAt + 1024)
        append(line: LoadTaskRecord.csvHeader)
    }

    /// Appends one record.
    public func write(_ record: LoadTaskRecord) { append(line: record.csvLine) }

    /// Writes out what is buffered.
    public func flush() {
        guard !buffer.isEmpty else { return }
        handle.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes and closes the file.
    public func close() {
        flush()
        try? handle.close()
    }

    private func append(line: String) {
        buffer.append(contentsOf: line.utf8)
        buffer.append(0x0A)
        if buffer.count >= flushAt { flush() }
    }
}

/// Why a load run could not be carried out.
public enum LoadError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The target did not answer like an HTTP server of the expected kind (preflight).
    case unreachable(String)
    /// An output file could not be written.
    case output(String)
    /// The run's options are inconsistent.
    case invalidOptions(String)

    public var description: String {
        switch self {
        case .unreachable(let m), .output(let m), .invalidOptions(let m): return m
        }
    }
}
