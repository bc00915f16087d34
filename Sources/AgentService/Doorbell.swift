import Synchronization

/// Wakes idle workers: `ring()` releases one waiter (or leaves a permit for the next), `wait` returns on a
/// ring, a timeout or cancellation. Permits are capped, so memory stays bounded.
final class Doorbell: Sendable {
    private enum Waiter {
        case arriving
        case waiting(CheckedContinuation<Void, Never>)
        case woken
    }
    private struct State {
        var permits = 0
        var next: UInt64 = 0
        var waiters: [UInt64: Waiter] = [:]
    }
    private let state = Mutex(State())
    private let maxPermits: Int

    init(maxPermits: Int) { self.maxPermits = max(1, maxPermits) }

    /// Wakes one waiter, or stores a permit.
    func ring() {
        let c: CheckedContinuation<Void, Never>? = state.withLock { s in
            for (id, w) in s.waiters {
                switch w {
                case .waiting(let c):
                    s.waiters[id] = nil
                    return c
                case .arriving:
                    s.waiters[id] = .woken
                    return nil
                case .woken:
                    continue
                }
            }
            s.permits = min(maxPermits, s.permits + 1)
            return nil
        }
        c?.resume()
    }

    /// Wakes every waiter and leaves permits for the next `maxPermits` waits.
    func ringAll() {
        let all: [CheckedContinuation<Void, Never>] = state.withLock { s in
            var all: [CheckedContinuation<Void, Never>] = []
            for (id, w) in s.waiters {
                switch w {
                case .waiting(let c):
                    all.append(c)
                    s.waiters[id] = nil
                case .arriving: s.waiters[id] = .woken
                case .woken: break
                }
            }
            s.permits = maxPermits
            return all
        }
        all.forEach { $0.resume() }
    }

    /// Waits for a ring, at most `timeout` (nil: no limit), returning early when cancelled.
    func wait(timeout: Duration?) async {
        let id: UInt64? = state.withLock { s in
            if s.permits > 0 {
                s.permits -= 1
                return nil
            }
            s.next += 1
            s.waiters[s.next] = .arriving
            return s.next
        }
        guard let id else { return }
        let timer = timeout.map { t in
            Task { [self] in
                guard (try? await Task.sleep(for: t)) != nil else { return }
                self.wake(id)
            }
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { s in
                    if case .woken = s.waiters[id] {
                        s.waiters[id] = nil
                        return true
                    }
                    if Task.isCancelled {
                        s.waiters[id] = nil
                        return true
                    }
                    s.waiters[id] = .waiting(c)
                    return false
                }
                if resumeNow { c.resume() }
            }
        } onCancel: {
            self.wake(id)
        }
        timer?.cancel()
    }

    private func wake(_ id: UInt64) {
        let c: CheckedContinuation<Void, Never>? = state.withLock { s in
            switch s.waiters[id] {
            case .waiting(let c):
                s.waiters[id] = nil
                return c
            case .arriving:
                s.waiters[id] = .woken
                return nil
            case .woken, .none:
                return nil
            }
        }
        c?.resume()
    }
}
