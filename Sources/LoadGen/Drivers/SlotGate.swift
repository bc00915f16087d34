import Synchronization

/// A counting gate for tasks in flight: `tryAcquire` for drop-when-full, `acquire` to wait for a
/// slot, `reserve` to take a place in line now and wait for it later. Waiting is first come, first
/// served in the order places were taken (`reserve` or `acquire`).
public final class SlotGate: Sendable {
    private struct State {
        var free: Int
        var line: [SlotReservation] = []
        var head = 0
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

    /// Takes a place in line now: a free slot at once, else the next slot given back after those of
    /// every earlier place. `wait()` on it until the slot is held.
    public func reserve() -> SlotReservation {
        state.withLock { s in
            if s.free > 0 {
                s.free -= 1
                return SlotReservation(granted: true)
            }
            let r = SlotReservation(granted: false)
            s.line.append(r)
            return r
        }
    }

    /// Waits for a slot (a place in line taken now).
    public func acquire() async {
        if tryAcquire() { return }  // the common case on the HTTP client's path: no place object
        await reserve().wait()
    }

    /// Gives a slot back (handing it straight to the first place in line, if any).
    public func release() {
        let next = state.withLock { s -> SlotReservation? in
            if s.head < s.line.count {
                let r = s.line[s.head]
                s.head += 1
                if s.head > 1024, s.head * 2 > s.line.count {
                    s.line.removeFirst(s.head)
                    s.head = 0
                }
                return r
            }
            s.free += 1
            return nil
        }
        next?.grant()
    }

    /// Slots in use.
    public var inUse: Int { state.withLock { capacity - $0.free } }
}

/// A place in a `SlotGate`'s line: granted a slot at once or when one is given back in turn.
public final class SlotReservation: Sendable {
    private struct State {
        var granted: Bool
        var waiter: CheckedContinuation<Void, Never>?
    }
    private let state: Mutex<State>

    init(granted: Bool) { state = Mutex(State(granted: granted)) }

    func grant() {
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            s.granted = true
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume()
    }

    /// Waits until the slot is held (returns at once when it already is).
    public func wait() async {
        if state.withLock({ $0.granted }) { return }
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let now = state.withLock { s -> Bool in
                if s.granted { return true }
                s.waiter = c
                return false
            }
            if now { c.resume() }
        }
    }
}
