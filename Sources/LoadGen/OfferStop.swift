import Synchronization

/// A request to stop offering new tasks while the tasks in flight finish: what the first SIGINT or
/// SIGTERM does to `squall run` (live) and `squall load` before the grace period ends and the run is
/// cancelled. The caller binds one to `OfferStop.$current` around the run; the open- and closed-loop
/// drivers and the live scenario driver check `OfferStop.requested` before each new task.
public final class OfferStop: Sendable {
    private let flag = Atomic<Bool>(false)

    /// A stop that has not been requested.
    public init() {}

    /// Asks the drivers to offer no more tasks.
    public func stop() { flag.store(true, ordering: .sequentiallyConsistent) }

    /// Whether `stop()` was called.
    public var isStopped: Bool { flag.load(ordering: .sequentiallyConsistent) }

    /// The stop the current task's run observes; nil outside a stoppable run.
    @TaskLocal public static var current: OfferStop?

    /// Whether the current task's run was asked to stop offering load.
    public static var requested: Bool { current?.isStopped ?? false }
}
