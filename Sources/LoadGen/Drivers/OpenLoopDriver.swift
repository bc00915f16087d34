import Synchronization
import Reliability
import Traffic

/// What the open-loop driver does when an arrival finds the in-flight cap reached.
public enum WhenFull: String, Sendable, Hashable, CaseIterable {
    /// Drop the task and count it (k6's dropped_iterations). Default.
    case drop
    /// Wait for a slot and start late; the latency from the intended start shows the wait.
    case wait
}

/// Options of an open-loop run.
public struct OpenLoopOptions: Sendable {
    /// Most tasks in flight at once. Default 10,000.
    public var maxInFlight: Int
    /// What to do when the cap is reached. Default drop.
    public var whenFull: WhenFull
    /// Duplicate injection. Default none.
    public var duplicates: DuplicatePlan
    /// After-TTL duplicates intended after this scenario time are not sent (counted as skipped), so a
    /// run does not wait out a long TTL past its end; nil sends all.
    public var duplicateHorizon: Duration?
    /// Seed of duplicate choices. Default 1.
    public var seed: UInt64
    /// Offer only this shard's slice of the schedule (`squall load --shard I/N`): the originals at
    /// positions `i % N == I`, each with its duplicates, keeping its unsharded index (key, prompt,
    /// duplicate choice). Nil offers every arrival. Default nil.
    public var shard: Shard?
    /// Creates options; see each field for its default.
    public init(
        maxInFlight: Int = 10_000, whenFull: WhenFull = .drop, duplicates: DuplicatePlan = DuplicatePlan(),
        duplicateHorizon: Duration? = nil, seed: UInt64 = 1, shard: Shard? = nil
    ) {
        self.maxInFlight = max(1, maxInFlight)
        self.whenFull = whenFull
        self.duplicates = duplicates
        self.duplicateHorizon = duplicateHorizon
        self.seed = seed
        self.shard = shard
    }
}

/// Drivers that offer load to a target and record every task.
public enum LoadDriver {
    /// Open loop: each task is sent at its intended start (from `times`, scenario time, compressed by
    /// the timeline's scale) whatever the target's state, so a stall shows up as latency (measured
    /// from the intended start) and as dropped tasks, instead of hiding as fewer requests
    /// (no coordinated omission). Returns the number of original tasks offered. Cancelling the
    /// calling task stops scheduling and cancels tasks in flight; `OfferStop.requested` stops
    /// scheduling and lets the tasks in flight finish.
    @discardableResult
    public static func openLoop<Times: Sequence<Duration>>(
        times: Times, factory: TaskFactory, target: any LoadTarget, timeline: LiveTimeline, options: OpenLoopOptions,
        recorder: LoadRecorder
    ) async -> Int {
        let gate = SlotGate(capacity: options.maxInFlight)
        let pacer = PacerExecutor()
        defer { pacer.stop() }
        let pool = globalConcurrentExecutor
        var offered = 0
        await withTaskExecutorPreference(pacer) {
        await withDiscardingTaskGroup { group in
            var iterator = times.makeIterator()
            var position = 0
            while let intended = iterator.next() {
                let index = position
                position += 1
                if let shard = options.shard, !shard.contains(index) { continue }
                let realIntended = timeline.toReal(intended)
                if timeline.realElapsed() < realIntended {
                    do { try await timeline.sleep(untilReal: realIntended) } catch { break }
                }
                if Task.isCancelled || OfferStop.requested { break }
                let dispatchLag = timeline.realElapsed() - realIntended
                var planned = factory.task(index: index, at: intended)
                offered += 1
                let dup = options.duplicates.duplicate(of: planned.index, seed: options.seed)
                planned.duplicatedAs = dup?.kind
                let task = planned
                switch options.whenFull {
                case .drop:
                    guard gate.tryAcquire() else {
                        recorder.record(
                            LoadTaskRecord(
                                task: task, result: TargetResult(status: .dropped, attempts: 0, calls: 0),
                                sentAt: intended, finishedAt: intended, schedulerLag: .zero))
                        continue
                    }
                case .wait:
                    await gate.acquire()
                }
                group.addTask(executorPreference: pool) {
                    let record = await execute(
                        task, target: target, timeline: timeline, recorder: recorder, dispatchLag: dispatchLag)
                    gate.release()
                    guard let dup, dup.kind != .concurrent else { return }
                    let at = record.finishedAt + dup.delay
                    if dup.kind == .afterTTL, let horizon = options.duplicateHorizon, at >= horizon {
                        recorder.recordSkippedDuplicate(of: task)
                        return
                    }
                    do { try await timeline.sleep(untilScenario: at) } catch { return }
                    _ = await execute(
                        factory.duplicate(of: task, kind: dup.kind, at: at), target: target, timeline: timeline,
                        recorder: recorder)
                }
                if let dup, dup.kind == .concurrent {
                    // Spawned after the original, so the original normally claims the key first.
                    let copy = factory.duplicate(of: task, kind: .concurrent, at: intended + dup.delay)
                    group.addTask(executorPreference: pool) {
                        if dup.delay > .zero { try? await timeline.sleep(untilScenario: copy.intendedStart) }
                        _ = await execute(copy, target: target, timeline: timeline, recorder: recorder)
                    }
                }
            }
        }
        }
        return offered
    }

    /// Closed loop: `users` concurrent users, each sending its next task as soon as the previous one
    /// ends (after `thinkTime`, scenario time), until `limit` (duration or count) is reached. Latency
    /// is measured from each send, since there is no schedule. Users run on `executor` when given (the HTTP
    /// client's event loop saves a thread hop per request). Returns the number of tasks sent.
    @discardableResult
    public static func closedLoop(
        users: Int, limit: ArrivalLimit, thinkTime: Duration = .zero, factory: TaskFactory, target: any LoadTarget,
        timeline: LiveTimeline, recorder: LoadRecorder, executor: (any TaskExecutor)? = nil
    ) async -> Int {
        let counter = TaskCounter(limit: limit.count)
        await withDiscardingTaskGroup { group in
            for _ in 0..<max(1, users) {
                group.addTask(executorPreference: executor) {
                    while !Task.isCancelled && !OfferStop.requested {
                        let now = timeline.now()
                        if let end = limit.duration, now >= end { return }
                        guard let index = counter.next() else { return }
                        _ = await execute(
                            factory.task(index: index, at: now), target: target, timeline: timeline, recorder: recorder)
                        if thinkTime > .zero {
                            do { try await timeline.sleep(untilScenario: timeline.now() + thinkTime) } catch { return }
                        }
                    }
                }
            }
        }
        return counter.issued
    }

    /// Sends one task, timing it against its intended start, and records it.
    static func execute(
        _ task: LoadTask, target: any LoadTarget, timeline: LiveTimeline, recorder: LoadRecorder,
        dispatchLag: Duration? = nil
    ) async -> LoadTaskRecord {
        let sentReal = timeline.realElapsed()
        let lag = sentReal - timeline.toReal(task.intendedStart)
        let result = await target.run(task)
        let record = LoadTaskRecord(
            task: task, result: result, sentAt: timeline.toScenario(sentReal), finishedAt: timeline.now(), schedulerLag: lag,
            dispatchLag: dispatchLag)
        recorder.record(record)
        return record
    }
}

/// Hands out task indexes up to an optional limit.
final class TaskCounter: Sendable {
    private let state: Synchronization.Mutex<Int> = .init(0)
    private let limit: Int?
    init(limit: Int?) { self.limit = limit }
    func next() -> Int? {
        state.withLock { n in
            if let limit, n >= limit { return nil }
            defer { n += 1 }
            return n
        }
    }
    var issued: Int { state.withLock { $0 } }
}
