import CCurl
import CurlShim
import Foundation
import Synchronization

/// The one thread that owns a libcurl multi handle. Other threads talk to it only through
/// `inbox` (a lock-protected queue of operations) and `curl_multi_wakeup`; every easy handle,
/// header list and `Transfer` in flight is touched by this thread alone.
///
/// It is also a `TaskExecutor`: tasks that prefer it run their jobs on the loop thread between
/// libcurl calls, so a request's whole cycle (submit, transfer, resume) stays on one thread.
final class CurlEventLoop: TaskExecutor, @unchecked Sendable {
    private enum Operation {
        case add(Transfer)
        case cancel(Transfer)
        case job(UnownedJob)
        case shutdown
    }

    private struct Inbox {
        var operations: [Operation] = []
        /// A wakeup was sent and the loop has not drained the inbox since.
        var wakePending = false
        /// No more operations are accepted; the multi handle is (about to be) gone.
        var closed = false
        /// The thread has finished cleaning up.
        var finished = false
        var shutdownWaiters: [UnsafeContinuation<Void, Never>] = []
    }

    private let multi: UnsafeMutableRawPointer
    private let configuration: HTTPClientConfiguration
    private let inbox = Mutex(Inbox())

    // Loop-thread state.
    private var active: [ObjectIdentifier: Transfer] = [:]
    private var pool: [EasyHandle] = []
    private let poolLimit: Int
    /// `pthread_self()` of the loop thread once it runs (0 before).
    private let loopThread = Atomic<UInt>(0)
    private let liveEasyHandles = Atomic<Int>(0)
    private let liveHeaderLists = Atomic<Int>(0)

    init(configuration: HTTPClientConfiguration) throws(HTTPClientSetupError) {
        try configuration.validate()
        let global = squall_curl_global_init_once()
        guard global == CURLE_OK else {
            throw HTTPClientSetupError("curl_global_init failed: " + String(cString: curl_easy_strerror(global)))
        }
        guard let multi = curl_multi_init() else { throw HTTPClientSetupError("curl_multi_init returned NULL") }
        self.multi = multi
        self.configuration = configuration
        self.poolLimit = max(16, configuration.maxConnections * 2)
        var rc = squall_multi_setopt_long(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, configuration.maxConnections)
        if rc == CURLM_OK {
            // Keep every idle connection the cap allows, so keep-alive reuse is not cut by the cache.
            rc = squall_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, configuration.maxConnections)
        }
        if rc == CURLM_OK, let perHost = configuration.maxConnectionsPerHost {
            rc = squall_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, perHost)
        }
        guard rc == CURLM_OK else {
            curl_multi_cleanup(multi)
            throw HTTPClientSetupError("curl_multi_setopt failed: " + String(cString: curl_multi_strerror(rc)))
        }
        let thread = Thread { [self] in run() }
        thread.name = "squall-curl"
        thread.start()
    }

    // MARK: - Any thread

    /// Hands a transfer to the loop; resumes it at once with `.shutDown` when the loop is closed.
    func submit(_ transfer: Transfer) {
        if !enqueue(.add(transfer)) { transfer.resume(.failure(.shutDown)) }
    }

    /// Asks the loop to abandon a transfer (a no-op when it already finished).
    func cancel(_ transfer: Transfer) {
        _ = enqueue(.cancel(transfer))
    }

    /// Asks the loop to fail everything in flight with `.shutDown`, free every handle and exit.
    func requestShutdown() {
        _ = enqueue(.shutdown)
    }

    /// Requests shutdown and waits until the loop thread has freed everything.
    func shutdown() async {
        requestShutdown()
        await withUnsafeContinuation { (c: UnsafeContinuation<Void, Never>) in
            let done = inbox.withLock { inbox -> Bool in
                if inbox.finished { return true }
                inbox.shutdownWaiters.append(c)
                return false
            }
            if done { c.resume() }
        }
    }

    /// Runs a job of a task that prefers this executor on the loop thread (after shutdown: on the
    /// global concurrent executor).
    func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        if !enqueue(.job(unowned)) {
            globalConcurrentExecutor.enqueue(unowned)
        }
    }

    var onLoopThread: Bool { loopThread.load(ordering: .relaxed) == UInt(pthread_self()) }

    private func enqueue(_ operation: Operation) -> Bool {
        let onLoop = onLoopThread
        return inbox.withLock { inbox in
            guard !inbox.closed else { return false }
            inbox.operations.append(operation)
            // The loop drains the inbox again before it polls, so it needs no wakeup from itself.
            if !onLoop && !inbox.wakePending {
                inbox.wakePending = true
                // Under the lock, so the loop cannot free the multi handle between check and call.
                _ = curl_multi_wakeup(multi)
            }
            return true
        }
    }

    // MARK: - Loop thread

    private func run() {
        loopThread.store(UInt(pthread_self()), ordering: .relaxed)
        var batch: [Operation] = []
        var running: Int32 = 0
        while true {
            inbox.withLock { inbox in
                swap(&batch, &inbox.operations)
                inbox.wakePending = false
            }
            var stop = false
            for operation in batch {
                switch operation {
                case .add(let t): start(t)
                case .cancel(let t): abandon(t, with: .cancelled)
                case .job(let job): job.runSynchronously(on: asUnownedTaskExecutor())
                case .shutdown: stop = true
                }
            }
            batch.removeAll(keepingCapacity: true)
            if stop { break }
            _ = curl_multi_perform(multi, &running)
            collectFinished()
            if inbox.withLock({ $0.operations.isEmpty }) {
                _ = curl_multi_poll(multi, nil, 0, 1000, nil)
            }
        }
        tearDown()
    }

    private func start(_ t: Transfer) {
        if t.cancelRequested {
            t.resume(.failure(.cancelled))
            return
        }
        guard let easy = pool.popLast() ?? makeEasyHandle() else {
            t.resume(.failure(TransportError(failure: .unreachable, message: "curl_easy_init returned NULL")))
            return
        }
        let error = t.configure(easy, configuration)
        if t.headerList != nil { liveHeaderLists.add(1, ordering: .releasing) }
        if let error {
            release(t)
            t.resume(.failure(error))
            return
        }
        let rc = curl_multi_add_handle(multi, easy.raw)
        guard rc == CURLM_OK else {
            release(t)
            t.resume(.failure(TransportError(
                failure: .unreachable, message: "curl_multi_add_handle: " + String(cString: curl_multi_strerror(rc)))))
            return
        }
        active[ObjectIdentifier(t)] = t
    }

    /// Removes a transfer in flight from the multi handle and fails it; for one not started yet,
    /// marks it so `start` fails it instead.
    private func abandon(_ t: Transfer, with error: TransportError) {
        guard active.removeValue(forKey: ObjectIdentifier(t)) != nil else {
            t.cancelRequested = true
            return
        }
        if let easy = t.easy { curl_multi_remove_handle(multi, easy.raw) }
        release(t)
        t.resume(.failure(error))
    }

    private func collectFinished() {
        var left: Int32 = 0
        while let message = curl_multi_info_read(multi, &left) {
            guard message.pointee.msg == CURLMSG_DONE, let raw = message.pointee.easy_handle else { continue }
            let code = squall_multi_message_result(message)
            var me: UnsafeMutableRawPointer?
            _ = squall_easy_getinfo_pointer(raw, CURLINFO_PRIVATE, &me)
            guard let me else { continue }
            let t = Unmanaged<Transfer>.fromOpaque(me).takeUnretainedValue()
            // `message` is invalid after remove_handle; everything needed was copied above.
            curl_multi_remove_handle(multi, raw)
            let result = t.outcome(code: code)
            active.removeValue(forKey: ObjectIdentifier(t))
            release(t)
            t.resume(result)
        }
    }

    /// Frees the transfer's header list and returns its easy handle to the pool (reset) or frees it.
    private func release(_ t: Transfer) {
        if let list = t.headerList {
            curl_slist_free_all(list)
            t.headerList = nil
            liveHeaderLists.subtract(1, ordering: .releasing)
        }
        guard let easy = t.easy else { return }
        t.easy = nil
        if pool.count < poolLimit {
            curl_easy_reset(easy.raw)
            pool.append(easy)
        } else {
            destroy(easy)
        }
    }

    private func makeEasyHandle() -> EasyHandle? {
        guard let easy = EasyHandle() else { return nil }
        liveEasyHandles.add(1, ordering: .releasing)
        return easy
    }

    private func destroy(_ easy: EasyHandle) {
        easy.destroy()
        liveEasyHandles.subtract(1, ordering: .releasing)
    }

    private func tearDown() {
        let leftovers = inbox.withLock { inbox -> [Operation] in
            inbox.closed = true
            defer { inbox.operations.removeAll() }
            return inbox.operations
        }
        for operation in leftovers {
            switch operation {
            case .add(let t): t.resume(.failure(.shutDown))
            case .job(let job): globalConcurrentExecutor.enqueue(job)
            case .cancel, .shutdown: break
            }
        }
        for t in Array(active.values) { abandon(t, with: .shutDown) }
        for easy in pool { destroy(easy) }
        pool.removeAll()
        curl_multi_cleanup(multi)
        let waiters = inbox.withLock { inbox -> [UnsafeContinuation<Void, Never>] in
            inbox.finished = true
            defer { inbox.shutdownWaiters.removeAll() }
            return inbox.shutdownWaiters
        }
        for w in waiters { w.resume() }
    }

    /// Easy handles and header lists currently allocated (for leak checks: both 0 after shutdown).
    var liveResources: (easyHandles: Int, headerLists: Int) {
        (liveEasyHandles.load(ordering: .acquiring), liveHeaderLists.load(ordering: .acquiring))
    }
}
