#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A file that could not be written, naming the path and the system's reason.
public struct ReportWriteError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The path being written.
    public var path: String
    /// What went wrong (the operation and `strerror`).
    public var reason: String
    /// Creates an error for `path`.
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
    /// `cannot write PATH: REASON`.
    public var description: String { "cannot write \(path): \(reason)" }
}

/// A file being written atomically: bytes go to a temporary file in the destination's directory
/// (`.NAME.PID.N.tmp`), which `commit()` flushes, fsyncs and renames over the destination, so a
/// reader sees either the old file or the whole new one, never a partial one. `abandon()` (or
/// dropping the value without committing) removes the temporary file.
///
/// Writes are buffered (64 KiB) so rows can be streamed without holding the file in memory. The
/// temporary file is registered in `TemporaryFiles` until it is renamed or removed.
public final class AtomicFile {
    /// Where the file ends up.
    public let destination: URL
    /// The temporary file written until `commit()`.
    public let temporaryPath: String
    private var fd: Int32
    private var buffer: [UInt8] = []
    private var finished = false
    private static let bufferLimit = 64 * 1024
    nonisolated(unsafe) private static var counter = 0
    private static let counterLock = NSLock()

    /// Opens a temporary file beside `destination` (the directory must exist).
    public init(destination: URL) throws(ReportWriteError) {
        self.destination = destination
        let directory = destination.deletingLastPathComponent().path
        let n: Int = Self.counterLock.withLock {
            Self.counter += 1
            return Self.counter
        }
        temporaryPath = directory + "/." + destination.lastPathComponent + ".\(getpid()).\(n).tmp"
        TemporaryFiles.register(temporaryPath)
        fd = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        if fd < 0 {
            TemporaryFiles.unregister(temporaryPath)
            throw Self.error(destination.path, "open \(temporaryPath)")
        }
        buffer.reserveCapacity(Self.bufferLimit)
    }

    deinit {
        if !finished { discard() }
    }

    /// Appends UTF-8 text.
    public func write(_ text: String) throws(ReportWriteError) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= Self.bufferLimit { try flush() }
    }

    /// Appends bytes.
    public func write(_ bytes: some Sequence<UInt8>) throws(ReportWriteError) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= Self.bufferLimit { try flush() }
    }

    /// Lets `body` append bytes directly to the write buffer (no intermediate strings).
    public func append(_ body: (inout [UInt8]) -> Void) throws(ReportWriteError) {
        body(&buffer)
        if buffer.count >= Self.bufferLimit { try flush() }
    }

    private func flush() throws(ReportWriteError) {
        guard Self.writeAll(fd, buffer) else { throw Self.error(destination.path, "write") }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes, fsyncs, closes and renames the temporary file over the destination, then fsyncs the
    /// directory so the rename itself is durable.
    public func commit() throws(ReportWriteError) {
        precondition(!finished, "AtomicFile committed twice")
        do throws(ReportWriteError) {
            try flush()
            if fsync(fd) != 0 { throw Self.error(destination.path, "fsync") }
        } catch {
            discard()
            throw error
        }
        close(fd)
        fd = -1
        if rename(temporaryPath, destination.path) != 0 {
            let failure = Self.error(destination.path, "rename from \(temporaryPath)")
            discard()
            throw failure
        }
        finished = true
        TemporaryFiles.unregister(temporaryPath)
        let dir = open(destination.deletingLastPathComponent().path, O_RDONLY | O_CLOEXEC)
        if dir >= 0 {
            _ = fsync(dir)
            close(dir)
        }
    }

    /// Closes and removes the temporary file; the destination is left untouched.
    public func abandon() {
        if !finished { discard() }
    }

    private func discard() {
        if fd >= 0 {
            close(fd)
            fd = -1
        }
        unlink(temporaryPath)
        TemporaryFiles.unregister(temporaryPath)
        finished = true
    }

    /// Writes every byte of `bytes` to `fd`, retrying short writes and EINTR. False on any other
    /// error (then `errno` says which).
    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { raw in
                #if canImport(Darwin)
                Darwin.write(fd, raw.baseAddress! + offset, raw.count - offset)
                #else
                Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                #endif
            }
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += n
        }
        return true
    }

    private static func error(_ path: String, _ operation: String) -> ReportWriteError {
        ReportWriteError(path: path, reason: "\(operation): \(String(cString: strerror(errno)))")
    }

    /// Writes `text` to `destination` atomically.
    public static func write(_ text: String, to destination: URL) throws(ReportWriteError) {
        let file = try AtomicFile(destination: destination)
        try file.write(text)
        try file.commit()
    }

    /// Writes the output of `body` (which appends to the file) to `destination` atomically; if
    /// `body` throws, the destination is untouched and no temporary file remains.
    public static func write(
        to destination: URL, _ body: (AtomicFile) throws(ReportWriteError) -> Void
    ) throws(ReportWriteError) {
        let file = try AtomicFile(destination: destination)
        do throws(ReportWriteError) {
            try body(file)
        } catch {
            file.abandon()
            throw error
        }
        try file.commit()
    }

    /// Creates `directory` and its parents if missing.
    public static func makeDirectory(_ directory: URL) throws(ReportWriteError) {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw ReportWriteError(path: directory.path, reason: "cannot create directory: \(error.localizedDescription)")
        }
    }
}
