import Foundation
import Logging
import Reliability
import ServiceLifecycle
import Synchronization

/// The answer to a submission.
public enum SubmitOutcome: Sendable, Hashable {
    /// Stored and queued.
    case accepted
    /// The queue is full (429 + Retry-After).
    case queueFull
    /// The service is shutting down (503 + Retry-After).
    case draining
}

/// The bounded worker pool: `workers` tasks take pending tasks from the store and run them through the
/// runner. A `Service`: on graceful shutdown it stops admitting submissions, lets running tasks finish
/// for up to `drainTimeout`, then cancels the rest, which end failed with cause `shutdown`. With an
/// in-process store, queued tasks keep being worked during the drain and any left at the deadline also
/// end with `shutdown`; with a shared store they stay queued for another replica.
public final class TaskEngine: Service, Sendable {
    struct Gate {
        var draining = false
        var submitting = 0
        var running: Set<String> = []
        var drainStarted: ContinuousClock.Instant?
        var listening = false
    }

    /// The configuration.
    public let configuration: AgentServiceConfiguration
    /// Where tasks live.
    public let store: any TaskStore
    /// What runs them.
    public let runner: any TaskRunner
    /// Counters for `/metrics`.
    public let metrics: ServiceMetrics
    private let logger: Logger
    private let gate = Mutex(Gate())
    private let doorbell: Doorbell
    private let drainSignal = Doorbell(maxPermits: 1)
    private let listening = Doorbell(maxPermits: 1)
    private let startsWhenListening: Bool

    /// Creates an engine. With `startsWhenListening` (what `AgentService` uses) the workers take no task
    /// before `markListening()`, so a replica that fails to bind its port never claims shared tasks.
    /// Default false: the workers start with `run()`.
    public init(
        configuration: AgentServiceConfiguration, store: any TaskStore, runner: any TaskRunner,
        metrics: ServiceMetrics = ServiceMetrics(), logger: Logger = Logger(label: "squall.service"),
        startsWhenListening: Bool = false
    ) {
        self.startsWhenListening = startsWhenListening
        self.configuration = configuration
        self.store = store
        self.runner = runner
        self.metrics = metrics
        self.logger = logger
        self.doorbell = Doorbell(maxPermits: configuration.workers)
    }

    /// Whether a shutdown has begun.
    public var isDraining: Bool { gate.withLock { $0.draining } }

    /// Tasks running on this replica.
    public var inFlight: Int { gate.withLock { $0.running.count } }

    /// Stores and queues a new task unless the service is draining or the queue is full.
    public func submit(_ record: TaskRecord) async throws -> SubmitOutcome {
        let admitted = gate.withLock { g in
            if g.draining { return false }
            g.submitting += 1
            return true
        }
        guard admitted else { return .draining }
        defer { gate.withLock { $0.submitting -= 1 } }
        guard try await store.submit(record, queueLimit: configuration.queueLimit) else { return .queueFull }
        doorbell.ring()
        return .accepted
    }

    /// Lets the workers start (the HTTP server is accepting connections).
    public func markListening() {
        gate.withLock { $0.listening = true }
        listening.ringAll()
    }

    /// Begins the drain (what SIGTERM does through the service group).
    public func beginDrain() {
        let first = gate.withLock { g in
            if g.draining { return false }
            g.draining = true
            g.drainStarted = .now
            return true
        }
        guard first else { return }
        metrics.setDraining()
        logger.notice(
            "Draining: no new tasks; waiting up to \(DurationFormat.short(configuration.drainTimeout)) for running tasks",
            metadata: ["in_flight": "\(inFlight)"])
        drainSignal.ringAll()
        doorbell.ringAll()
    }

    private enum Role: Sendable {
        case worker, watchdog, renewer
    }

    /// Runs the workers until a graceful shutdown has drained them.
    public func run() async throws {
        await withGracefulShutdownHandler {
            if self.startsWhenListening {
                // Wait for the server; a shutdown or cancellation before it listens ends the engine with no work done.
                while !self.gate.withLock({ $0.listening || $0.draining }) && !Task.isCancelled {
                    await self.listening.wait(timeout: nil)
                }
                if !self.gate.withLock({ $0.listening }) { return }
            }
            await self.runWorkers()
        } onGracefulShutdown: {
            self.beginDrain()
            self.listening.ringAll()
        }
    }

    private func runWorkers() async {
        await withTaskGroup(of: Role.self) { group in
            for i in 0..<configuration.workers {
                group.addTask {
                    await self.workerLoop(i)
                    return .worker
                }
            }
            group.addTask {
                await self.watchdog()
                return .watchdog
            }
            if store.isShared {
                group.addTask {
                    await self.renewLeases()
                    return .renewer
                }
            }
            var workersLeft = configuration.workers
            while let role = await group.next() {
                switch role {
                case .worker:
                    workersLeft -= 1
                    if workersLeft == 0 { group.cancelAll() }
                case .watchdog:
                    // The drain deadline passed (or the engine is being cancelled): stop every running task.
                    group.cancelAll()
                case .renewer:
                    break
                }
            }
        }
        // Let submissions that passed the gate before the drain began finish storing their task.
        for _ in 0..<1000 where gate.withLock({ $0.submitting > 0 }) {
            try? await Task.sleep(for: .milliseconds(5))
        }
        let now = Date().timeIntervalSince1970
        do {
            let ended = try await store.failPending(.shutdown(), now: now)
            metrics.endedWhilePending(ended)
            if ended > 0 { logger.warning("\(ended) queued tasks ended with cause shutdown") }
        } catch {
            logger.error("Could not end queued tasks at shutdown", metadata: ["error": "\(error)"])
        }
        if let started = gate.withLock({ $0.drainStarted }) {
            let d = started.duration(to: .now)
            let seconds = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
            metrics.drained(seconds: seconds)
            logger.notice("Drained in \(String(format: "%.3f", seconds)) s")
        }
    }

    private func watchdog() async {
        while !isDraining {
            await drainSignal.wait(timeout: nil)
            if Task.isCancelled { return }
        }
        try? await Task.sleep(for: configuration.drainTimeout)
    }

    private func renewLeases() async {
        let every = configuration.lease / 3
        while !Task.isCancelled {
            try? await Task.sleep(for: every)
            if Task.isCancelled { return }
            let ids = gate.withLock { Array($0.running) }
            do { try await store.renew(ids: ids, lease: configuration.lease) } catch {
                logger.error("Could not renew task leases", metadata: ["error": "\(error)"])
            }
        }
    }

    private func workerLoop(_ index: Int) async {
        while !Task.isCancelled {
            if isDraining && store.isShared { return }
            let claimed: TaskRecord?
            do { claimed = try await store.claim(lease: configuration.lease) } catch {
                logger.error("Could not take a task from the store", metadata: ["error": "\(error)"])
                await doorbell.wait(timeout: max(configuration.pollInterval, .seconds(1)))
                continue
            }
            if let record = claimed {
                await execute(record)
                continue
            }
            if isDraining { return }  // in-process store: the queue is empty
            await doorbell.wait(timeout: store.isShared ? configuration.pollInterval : nil)
        }
    }

    private func execute(_ claimed: TaskRecord) async {
        var record = claimed
        gate.withLock { _ = $0.running.insert(record.id) }
        defer { gate.withLock { _ = $0.running.remove(record.id) } }
        record.markRunning(replica: configuration.replicaID, now: Date().timeIntervalSince1970)
        metrics.started()
        do { try await store.update(record) } catch {
            logger.error("Could not mark a task running", metadata: ["task": "\(record.id)", "error": "\(error)"])
        }
        let input = TaskInput(id: record.id, task: record.task, userID: record.userID, idempotencyKey: record.idempotencyKey)
        var outcome = await runner.run(input)
        if Task.isCancelled && !outcome.succeeded {
            outcome = .shutdown(attempts: outcome.attempts, model: outcome.model)
        }
        record.markFinished(outcome, now: Date().timeIntervalSince1970)
        metrics.finished(record)
        // The final write must not be lost: retry a few times (the store call itself is bounded).
        for attempt in 1...3 {
            do {
                try await store.finish(record)
                break
            } catch {
                logger.error(
                    "Could not store a finished task", metadata: ["task": "\(record.id)", "attempt": "\(attempt)", "error": "\(error)"])
            }
        }
    }
}
