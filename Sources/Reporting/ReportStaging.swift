#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A scenario's report set being written: files go into a hidden sibling directory
/// (`ROOT/.NAME.staging.PID.N/`), which `commit()` swaps in for `ROOT/NAME/` with renames. Until
/// the swap the previous set stays whole; after it the new set is whole, so a reader never sees
/// files from two runs in one directory. An abandoned (or interrupted) staging directory is
/// removed, and it is registered in `TemporaryFiles` so an immediate exit removes it too.
///
/// A file written elsewhere while the run went on (a `tasks.csv` streamed by the simulator) is
/// moved in with `adopt(_:as:)`; or the run streams it straight to `url(for:)`.
public final class ReportStaging: @unchecked Sendable {
    /// Where the set ends up: `root/<directory name of the scenario>`.
    public let destination: URL
    /// The staging directory the files are written into.
    public let directory: URL
    /// Which names may sit in a destination that `commit()` replaces (nil: a scenario's report set).
    private let accepts: (@Sendable (String) -> Bool)?
    private var finished = false
    private let lock = NSLock()
    nonisolated(unsafe) private static var counter = 0
    private static let counterLock = NSLock()

    /// Creates `root` if needed and an empty staging directory for the scenario `name`. Staging
    /// directories that an earlier process (no longer running) left behind for this scenario are removed.
    /// `accepts` names the files an existing destination may hold (a sweep's or a plan's set); by
    /// default a scenario's report files. Temporary files (`.NAME.PID.N.tmp`) are always accepted.
    public init(root: URL, scenario name: String, accepts: (@Sendable (String) -> Bool)? = nil) throws(ReportWriteError) {
        self.accepts = accepts
        let dirName = ReportWriter.directoryName(name)
        destination = root.appendingPathComponent(dirName, isDirectory: true)
        try AtomicFile.makeDirectory(root)
        Self.removeAbandoned(root: root, prefix: "." + dirName + ".staging.")
        let n: Int = Self.counterLock.withLock {
            Self.counter += 1
            return Self.counter
        }
        directory = root.appendingPathComponent(".\(dirName).staging.\(getpid()).\(n)", isDirectory: true)
        TemporaryFiles.register(directory.path)
        if mkdir(directory.path, 0o755) != 0 {
            TemporaryFiles.unregister(directory.path)
            throw ReportWriteError(path: directory.path, reason: "mkdir: \(String(cString: strerror(errno)))")
        }
    }

    deinit { abandon() }

    /// Where a file named `name` of the set is written.
    public func url(for name: String) -> URL { directory.appendingPathComponent(name) }

    /// Moves an already-written file into the set as `name` (a rename; a copy when `file` is on
    /// another file system). A file already at `url(for: name)` is left as it is.
    public func adopt(_ file: URL, as name: String) throws(ReportWriteError) {
        let target = url(for: name)
        if file.standardizedFileURL.path == target.standardizedFileURL.path { return }
        if rename(file.path, target.path) == 0 { return }
        guard errno == EXDEV else {
            throw ReportWriteError(path: target.path, reason: "rename from \(file.path): \(String(cString: strerror(errno)))")
        }
        do {
            try FileManager.default.copyItem(at: file, to: target)
            try FileManager.default.removeItem(at: file)
        } catch {
            throw ReportWriteError(path: target.path, reason: "copy from \(file.path): \(error.localizedDescription)")
        }
    }

    /// Swaps the set in: `destination` then holds exactly the staged files. An existing
    /// `destination` must hold only report files (it is replaced whole); anything else there is an
    /// error and nothing is changed.
    public func commit() throws(ReportWriteError) {
        lock.lock()
        defer { lock.unlock() }
        do {
            precondition(!finished, "ReportStaging committed twice")
            try Self.syncDirectory(directory.path)
            try Self.checkReplaceable(destination, accepts: accepts)
            try TemporaryFiles.critical { () throws(ReportWriteError) in
                if FileManager.default.fileExists(atPath: destination.path) {
                    // Exchange the two directories in one step where the file system can; the old set
                    // ends up under the staging name and is removed below.
                    if !Self.exchange(directory.path, destination.path) {
                        let old = directory.path + ".old"
                        TemporaryFiles.register(old)
                        guard rename(destination.path, old) == 0 else {
                            throw ReportWriteError(path: destination.path, reason: "rename to \(old): \(String(cString: strerror(errno)))")
                        }
                        guard rename(directory.path, destination.path) == 0 else {
                            let reason = String(cString: strerror(errno))
                            _ = rename(old, destination.path)
                            TemporaryFiles.unregister(old)
                            throw ReportWriteError(path: destination.path, reason: "rename from \(directory.path): \(reason)")
                        }
                        try? FileManager.default.removeItem(atPath: old)
                        TemporaryFiles.unregister(old)
                    }
                } else if rename(directory.path, destination.path) != 0 {
                    throw ReportWriteError(path: destination.path, reason: "rename from \(directory.path): \(String(cString: strerror(errno)))")
                }
                // After an exchange the staging name holds the previous set.
                try? FileManager.default.removeItem(atPath: directory.path)
                TemporaryFiles.unregister(directory.path)
            }
            finished = true
            try? Self.syncDirectory(destination.deletingLastPathComponent().path)
        }
    }

    /// Removes the staging directory and everything in it; the destination is left untouched.
    public func abandon() {
        lock.withLock {
            guard !finished else { return }
            finished = true
            try? FileManager.default.removeItem(at: directory)
            TemporaryFiles.unregister(directory.path)
        }
    }

    /// Whether `name` may sit in a report directory that a commit replaces: a report file, or a
    /// temporary file an earlier writer left (`.NAME.PID.N.tmp`).
    static func isReportEntry(_ name: String) -> Bool {
        ReportFiles.all.contains(name) || (name.hasPrefix(".") && name.hasSuffix(".tmp"))
    }

    static func checkReplaceable(_ destination: URL, accepts: (@Sendable (String) -> Bool)? = nil) throws(ReportWriteError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: destination.path, isDirectory: &isDirectory) else { return }
        guard isDirectory.boolValue else {
            throw ReportWriteError(path: destination.path, reason: "exists and is not a directory; remove it or choose another --out")
        }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: destination.path)) ?? []
        let isEntry: (String) -> Bool = { name in
            if let accepts { return accepts(name) || (name.hasPrefix(".") && name.hasSuffix(".tmp")) }
            return isReportEntry(name)
        }
        if let foreign = names.sorted().first(where: { !isEntry($0) }) {
            throw ReportWriteError(
                path: destination.path,
                reason: "holds '\(foreign)', which is not part of a Squall report, so the report set is not swapped in; remove it or choose another --out")
        }
    }

    /// Removes `root/PREFIX<pid>.<n>` directories whose process is gone.
    static func removeAbandoned(root: URL, prefix: String) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        for name in names where name.hasPrefix(prefix) {
            let rest = name.dropFirst(prefix.count).split(separator: ".")
            guard let pid = rest.first.flatMap({ Int32($0) }), pid != getpid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH {
                try? FileManager.default.removeItem(at: root.appendingPathComponent(name))
            }
        }
    }

    static func syncDirectory(_ path: String) throws(ReportWriteError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ReportWriteError(path: path, reason: "open: \(String(cString: strerror(errno)))") }
        _ = fsync(fd)
        close(fd)
    }

    /// Exchanges two directories atomically (Linux `renameat2(RENAME_EXCHANGE)`, looked up at run
    /// time because Glibc's Swift overlay does not declare it). False when unsupported here.
    static func exchange(_ a: String, _ b: String) -> Bool {
        #if os(Linux)
        typealias RenameAt2 = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32
        guard let symbol = renameat2Symbol else { return false }
        let call = unsafeBitCast(symbol, to: RenameAt2.self)
        return call(AT_FDCWD, a, AT_FDCWD, b, 2) == 0  // RENAME_EXCHANGE
        #else
        return false
        #endif
    }

    #if os(Linux)
    nonisolated(unsafe) private static let renameat2Symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "renameat2")
    #endif
}
