#if canImport(Glibc)
    import Glibc
#endif

/// A value behind a glibc adaptive mutex (`PTHREAD_MUTEX_ADAPTIVE_NP`): a contended lock first spins
/// briefly (trying again up to glibc's adaptive spin count, with a pause between tries) before it
/// sleeps on the futex. The mock's shared state is held for well under a microsecond per request by
/// one of two event loops, so the other loop's wait usually ends within the spin, and the futex sleep
/// and wake are saved. Measured (Benchmarks/mock, wrk -t2 -c64, perf `syscalls:sys_enter_futex`,
/// 2026-11-29, load 2-3): futex calls 0.099 → 0.035 per request against NIO's plain pthread mutex,
/// CPU per request within noise (17.3 vs 17.7 µs), req/s 0.47× vs 0.45× nginx in one A/B run.
/// (Where glibc's adaptive kind does not exist this is the plain pthread mutex.)
///
/// The value lives in allocated memory reached through a constant pointer (not a stored `var`), so
/// reaching it needs no dynamic exclusivity check: the mutex is what makes the access exclusive.
final class AdaptiveLockedBox<Value: Sendable>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let value: UnsafeMutablePointer<Value>

    /// `value` behind a new adaptive mutex.
    init(_ value: Value) {
        self.value = .allocate(capacity: 1)
        self.value.initialize(to: value)
        mutex = .allocate(capacity: 1)
        var attr = pthread_mutexattr_t()
        pthread_mutexattr_init(&attr)
        #if os(Linux)
            pthread_mutexattr_settype(&attr, Int32(PTHREAD_MUTEX_ADAPTIVE_NP))
        #endif
        let rc = pthread_mutex_init(mutex, &attr)
        pthread_mutexattr_destroy(&attr)
        precondition(rc == 0, "AdaptiveLockedBox: pthread_mutex_init failed with \(rc)")
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        value.deinitialize(count: 1)
        value.deallocate()
    }

    #if os(Linux)
        /// Whether the mutex is glibc's adaptive kind (what `init` asked for; read back from glibc's
        /// mutex, so a test can see the attribute took effect).
        var isAdaptive: Bool {
            // The kind is in the low two bits (glibc's PTHREAD_MUTEX_KIND_MASK_NP); higher bits
            // are flags (elision, robust, priority protocols).
            mutex.pointee.__data.__kind & 3 == Int32(PTHREAD_MUTEX_ADAPTIVE_NP)
        }
    #endif

    /// Runs `body` on the value with the mutex held.
    @inline(__always)
    func withLockedValue<T>(_ body: (inout Value) throws -> T) rethrows -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value.pointee)
    }
}
