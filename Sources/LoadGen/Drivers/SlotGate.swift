import Synchronization

/// A counting gate for tasks in flight: `tryAcquire` for drop-when-full, `acquire` to wait for a slot.
public final class SlotGate: Sendable {
    private struct State {
        var free: Int
        var waiters: [CheckedContinuation<Void, Never>] = []
        var waiterHead = 0
    }
    private let state: Mutex<State>
    /// Slots in all.
    public let capacity: Int

    /// A gate with `capacity` free slots.
    public init(capacity: Int) {
        self.capacity = capacity
        state = Mutex(State(free: capacity))
    }

    /// Takes a slot if one is free.
    public func tryAcquire() -> Bool {
        state.withLock { s in
            guard s.free > 0 else { return false }
            s.free -= 1
            return true
        }
    }

    /// Waits for a slot.
    public func acquire() async {
        if tryAcquire() { return }
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { s -> Bool in
                if s.free > 0 {
                    s.free -= 1
                    return true
                }
                s.waiters.append(c)
                return false
            }
            if resumeNow { c.resume() }
        }
    }

    /// Gives a slot back (handing it straight to a waiter, if any).
    public func release() {
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            if s.waiterHead < s.waiters.count {
                let w = s.waiters[s.waiterHead]
                s.waiterHead += 1
                if s.waiterHead > 1024, s.waiterHead * 2 > s.waiters.count {
                    s.waiters.removeFirst(s.waiterHead)
                    s.waiterHead = 0
                }
                return w
            }
            s.free += 1
            return nil
        }
        waiter?.resume()
    }

    /// Slots in use.
    public var inUse: Int { state.withLock { capacity - $0.free } }
}
