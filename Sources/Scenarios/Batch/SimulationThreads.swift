import Foundation

/// Dedicated threads that run a batch's simulations, as the task executor its jobs prefer.
///
/// A simulation is seconds of synchronous CPU work. Run on Swift's cooperative pool (one thread
/// per core), `parallelism` of them occupy every thread of it, and every other task in the
/// process — the batch's own delivery and progress, signal handling, a live driver's timers —
/// waits for a whole simulation. Measured on this 2-core machine (debug build, load average ~8,
/// four 1.3 s jobs two at a time; `SQUALL_BENCH=1 swift test --filter batchKeepsTheCooperativePoolFree`,
/// two runs): a task sleeping 10 ms woke up 2.48–2.54 s late with the jobs on the cooperative pool
/// and 11–38 ms late with these threads, for the same total time (2.7–2.8 s against 2.6–2.7 s).
/// Jobs keep their task: cancellation (`Task.isCancelled`) reaches the simulator.
final class SimulationThreads: TaskExecutor, @unchecked Sendable {
    // All mutable state is guarded by `condition`.
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var head = 0
    private var stopping = false

    /// Starts `count` threads.
    init(count: Int) {
        for i in 0..<max(1, count) {
            let thread = Thread { [self] in work() }
            thread.name = "squall-batch-\(i)"
            thread.start()
        }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Lets the threads finish the jobs already queued and exit.
    func shutdown() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
    }

    private func work() {
        while true {
            condition.lock()
            while head == jobs.count, !stopping { condition.wait() }
            if head == jobs.count {
                condition.unlock()
                return
            }
            let job = jobs[head]
            head += 1
            if head == jobs.count {
                jobs.removeAll(keepingCapacity: true)
                head = 0
            }
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
