import Foundation

/// A dedicated OS thread that owns one `RedisConnection` and runs blocking commands for async callers,
/// so hiredis never blocks a Swift concurrency thread. Jobs run in submission order.
final class RedisWorkerThread: @unchecked Sendable {
    // `condition` guards `jobs`, `closed` and `pending`; `connection` is touched only by the thread.
    private let condition = NSCondition()
    private var jobs: [(RedisConnection) -> Void] = []
    private var closed = false
    private var pending = 0
    private let connection: RedisConnection

    init(configuration: RedisConfiguration, name: String) {
        connection = RedisConnection(configuration: configuration)
        let thread = Thread { [self] in self.loop() }
        thread.name = name
        thread.start()
    }

    /// Jobs queued or running (for picking the least busy worker).
    var load: Int {
        condition.lock()
        defer { condition.unlock() }
        return pending
    }

    /// Runs `body` on the worker thread with its connection. Fails with `.closed` after `close()`.
    func run<T: Sendable>(_ body: @escaping @Sendable (RedisConnection) throws(RedisError) -> T) async throws(RedisError)
        -> T
    {
        let result: Result<T, RedisError> = await withCheckedContinuation { continuation in
            condition.lock()
            if closed {
                condition.unlock()
                continuation.resume(returning: .failure(.closed))
                return
            }
            pending += 1
            jobs.append { connection in
                do throws(RedisError) {
                    continuation.resume(returning: .success(try body(connection)))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
            condition.signal()
            condition.unlock()
        }
        return try result.get()
    }

    /// Stops the thread after the queued jobs have run and closes the connection.
    func close() {
        condition.lock()
        closed = true
        condition.signal()
        condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            while jobs.isEmpty && !closed { condition.wait() }
            if jobs.isEmpty && closed {
                condition.unlock()
                connection.disconnect()
                return
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job(connection)
            condition.lock()
            pending -= 1
            condition.unlock()
        }
    }
}
