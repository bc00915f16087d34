import Foundation
import Synchronization

/// Every temporary path this process is writing (report staging directories, `.NAME.PID.N.tmp`
/// files, a `tasks.csv` streamed during a run), so that an immediate exit — a second SIGINT or
/// SIGTERM — can remove them first (`removeAll()`), and no temporary file outlives the process.
///
/// Writers register a path when they create it and unregister it once it has been renamed into
/// place or removed. Steps that must not be cut in half (swapping a report set in) run inside
/// `critical(_:)`; `removeAll()` waits for them.
public enum TemporaryFiles {
    private static let paths = Mutex<Set<String>>([])
    private static let steps = Mutex(())

    /// Records `path` (a file or a directory) as temporary.
    public static func register(_ path: String) {
        _ = paths.withLock { $0.insert(path) }
    }

    /// Forgets `path` (it was renamed into place or removed).
    public static func unregister(_ path: String) {
        _ = paths.withLock { $0.remove(path) }
    }

    /// The paths registered now, sorted.
    public static var registered: [String] { paths.withLock { $0.sorted() } }

    /// Runs `body` so that `removeAll()` cannot run in the middle of it (it waits until `body` returns).
    public static func critical<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        try steps.withLock { _ throws(E) -> T in try body() }
    }

    /// Removes every registered path (files, and directories with their contents) and forgets them;
    /// with `prefix`, only the paths that start with it. Returns how many were removed. Called before
    /// an immediate exit.
    @discardableResult
    public static func removeAll(under prefix: String = "") -> Int {
        steps.withLock { _ in
            let all = paths.withLock { set in
                let chosen = set.filter { $0.hasPrefix(prefix) }
                set.subtract(chosen)
                return chosen
            }
            var removed = 0
            for path in all where (try? FileManager.default.removeItem(atPath: path)) != nil { removed += 1 }
            return removed
        }
    }
}
