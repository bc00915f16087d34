import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Every child process a run started and has not yet reaped (today: the `redis-server` a live
/// `service:` run starts when no Redis is named), so that an immediate exit — a second SIGINT or
/// SIGTERM, which skips the run's own cleanup — can stop them first (`terminateAll()`) and no child
/// outlives `squall`.
public enum SpawnedProcesses {
    private static let pids = Mutex<Set<pid_t>>([])

    /// Records a started child.
    static func register(_ pid: pid_t) {
        _ = pids.withLock { $0.insert(pid) }
    }

    /// Forgets a child that has been reaped.
    static func unregister(_ pid: pid_t) {
        _ = pids.withLock { $0.remove(pid) }
    }

    /// The children registered now, sorted.
    public static var registered: [pid_t] { pids.withLock { $0.sorted() } }

    /// Sends SIGTERM to every registered child and forgets them; returns how many were signalled.
    /// Async-signal-safe enough for an exit path: no allocation beyond the lock's snapshot, no waiting.
    @discardableResult
    public static func terminateAll() -> Int {
        let all = pids.withLock { set in
            defer { set.removeAll() }
            return set
        }
        var signalled = 0
        for pid in all where kill(pid, SIGTERM) == 0 {
            signalled += 1
            _ = kill(-pid, SIGTERM)  // its group too, when it leads one (a service's forked workers); else ESRCH
        }
        return signalled
    }
}
