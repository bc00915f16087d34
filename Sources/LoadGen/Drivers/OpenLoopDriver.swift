import LiveRuntime
import Reliability
import Synchronization
import Traffic

/// What the open-loop driver does when an arrival finds the in-flight cap reached.
public enum WhenFull: String, Sendable, Hashable, CaseIterable {
    /// Drop the task and count it (k6's dropped_iterations). Default.
    case drop
    /// Wait for a slot and start late; the latency from the intended start shows the wait. The
    /// arrivals behind it wait too (the scheduler lag shows the backlog).
    case wait
    /// Take the arrival on time and let it wait in line (first come, first served, in arrival order) for a slot without
    /// holding up the arrivals behind it: a client-side worker pool (a scenario's `load.concurrency`,
    /// as the simulator models it). The latency from the intended start includes the wait.
    case queue
}

/// How the open-loop driver paces and admits its offers.
public struct Pacing: Sendable, Hashable {
    /// Most offers in flight at once; nil admits every offer. Default 10,000.
    public var maxInFlight: Int?
    /// What to do when the cap is reached. Default drop.
    public var whenFull: WhenFull
    /// Creates pacing; see each field for its default.
    public init(maxInFlight: Int? = 10_000, whenFull: WhenFull = .drop) {
        self.maxInFlight = maxInFlight.map { max(1, $0) }
        self.whenFull = whenFull
    }
}

/// An offer's hold on an in-flight slot. The driver releases it when the offer's body returns; a
/// body may release it earlier (a task that goes on to wait for a later duplicate frees its slot first).
public final class SlotLease: Sendable {
    private let gate: SlotGate?
    private let held: Atomic<Bool>
    init(gate: SlotGate?) {
        self.gate = gate
        held = Atomic(gate != nil)
    }
    /// Gives the slot back; later calls do nothing.
    public func release() {
        guard held.exchange(false, ordering: .acquiringAndReleasing) else { return }
        gate?.release()
    }
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
    /// The open-loop pacing every live run shares (`squall load`'s open loop, a scenario's live run):
    /// each offer, in order, is taken at its intended start (`intended`, scenario time, compressed by
    /// the timeline's scale) whatever the target's state, so a stall shows up as latency from the
    /// intended start and as dropped offers instead of hiding as fewer requests (no coordinated
    /// omission). For each offer taken: `prepare` (on the pacing thread, with the real dispatch lag)
    /// turns it into a job, the in-flight cap is applied as `pacing` says (`dropped` gets a job
    /// that found it full under `.drop`), and `body` runs the job in a child task holding a slot.
    /// Returns the number of offers taken. Cancelling the calling task stops pacing and cancels the
    /// jobs in flight; `OfferStop.requested` stops pacing and lets them finish.
    @discardableResult
    public static func pace<Offers: Sequence, Job: Sendable>(
        _ offers: Offers, timeline: LiveTimeline, pacing: Pacing, intended: (Offers.Element) -> Duration,
        prepare: (Offers.Element, _ dispatchLag: Duration) -> Job, dropped: (Job) -> Void = { _ in },
        body: @escaping @Sendable (Job, SlotLease) async -> Void
    ) async -> Int {
        let gate = pacing.maxInFlight.map { SlotGate(capacity: $0) }
        let pacer = PacerExecutor()
        defer { pacer.stop() }
        let pool = globalConcurrentExecutor
        var taken = 0
        await withTaskExecutorPreference(pacer) {
            await withDiscardingTaskGroup { group in
                for offer in offers {
                    let realIntended = timeline.toReal(intended(offer))
                    if timeline.realElapsed() < realIntended {
                        do { try await timeline.sleep(untilReal: realIntended) } catch { break }
                    }
                    if Task.isCancelled || OfferStop.requested { break }
                    let job = prepare(offer, timeline.realElapsed() - realIntended)
                    taken += 1
                    // `.queue`: the place in line is taken here, in arrival order (first come, first served).
                    var place: SlotReservation?
                    if let gate {
                        switch pacing.whenFull {
                        case .drop:
                            guard gate.tryAcquire() else {
                                dropped(job)
                                continue
                            }
                        case .wait: await gate.acquire()
                        case .queue: place = gate.reserve()
                        }
                    }
                    group.addTask(executorPreference: pool) { [place] in
                        await place?.wait()
                        let lease = SlotLease(gate: gate)
                        await body(job, lease)
                        lease.release()
                    }
                }
            }
        }
        return taken
    }

    /// Open loop over an arrival sequence (`squall load`): task `i` is built by `factory` at its
    /// intended start from `times`, duplicates follow `options.duplicates` (a concurrent copy
    /// alongside its original, after-completion and after-TTL copies once it finished), and every
    /// task is recorded; paced by `pace`. Returns the number of original tasks offered.
    @discardableResult
    public static func openLoop<Times: Sequence<Duration>>(
        times: Times, factory: TaskFactory, target: any LoadTarget, timeline: LiveTimeline, options: OpenLoopOptions,
        recorder: LoadRecorder
    ) async -> Int {
        let shard = options.shard
        let offers = times.enumerated().lazy.filter { shard?.contains($0.offset) ?? true }
        return await pace(
            offers, timeline: timeline, pacing: Pacing(maxInFlight: options.maxInFlight, whenFull: options.whenFull),
            intended: { $0.element },
            prepare: { offer, lag in
                var task = factory.task(index: offer.offset, at: offer.element)
                let dup = options.duplicates.duplicate(of: task.index, seed: options.seed)
                task.duplicatedAs = dup?.kind
                return OpenLoopJob(task: task, dup: dup, lag: lag)
            },
            dropped: { (job: OpenLoopJob) in
                recorder.record(
                    LoadTaskRecord(
                        task: job.task, result: TargetResult(status: .dropped, attempts: 0, calls: 0),
                        sentAt: job.task.intendedStart, finishedAt: job.task.intendedStart, schedulerLag: .zero))
            },
            body: { job, lease in
                if let dup = job.dup, dup.kind == .concurrent {
                    await sendWithConcurrentCopy(
                        job.task, delay: dup.delay, lag: job.lag, factory: factory, target: target, timeline: timeline,
                        recorder: recorder)
                } else {
                    await sendThenDuplicate(
                        job, lease: lease, factory: factory, target: target, timeline: timeline,
                        duplicateHorizon: options.duplicateHorizon, recorder: recorder)
                }
            })
    }

    // The open loop's per-task work lives in the functions below, never inlined into the body
    // closure: every task in flight holds its async frames until it ends, and a frame holds every
    // value any path of the function keeps across a suspension (the concurrent copy's `async let`
    // storage, two records). Split this way the driver's frames of a waiting task went from
    // 2.5 KB to 0.8 KB (BENCHMARKS.md, "Load generator memory").

    /// Sends `task`, and a concurrent copy of it `delay` later, recording both.
    @inline(never)
    static func sendWithConcurrentCopy(
        _ task: LoadTask, delay: Duration, lag: Duration, factory: TaskFactory, target: any LoadTarget,
        timeline: LiveTimeline, recorder: LoadRecorder
    ) async {
        // The copy starts after the original (this task goes straight on to send it), so the
        // original normally claims the key first.
        let copy = factory.duplicate(of: task, kind: .concurrent, at: task.intendedStart + delay)
        async let sentCopy: Void = {
            if delay > .zero {
                do { try await timeline.sleep(untilScenario: copy.intendedStart) } catch { return }
            }
            recorder.record(await execute(copy, target: target, timeline: timeline))
        }()
        recorder.record(await execute(task, target: target, timeline: timeline, dispatchLag: lag))
        await sentCopy
    }

    /// Sends the job's task and records it, frees its slot, then sends its planned
    /// after-completion or after-TTL duplicate (if any) when due.
    @inline(never)
    static func sendThenDuplicate(
        _ job: OpenLoopJob, lease: SlotLease, factory: TaskFactory, target: any LoadTarget, timeline: LiveTimeline,
        duplicateHorizon: Duration?, recorder: LoadRecorder
    ) async {
        let finishedAt = await sendAndRecord(
            job.task, target: target, timeline: timeline, dispatchLag: job.lag, recorder: recorder)
        lease.release()
        guard let dup = job.dup else { return }
        let at = finishedAt + dup.delay
        if dup.kind == .afterTTL, let horizon = duplicateHorizon, at >= horizon {
            recorder.recordSkippedDuplicate(of: job.task)
            return
        }
        do { try await timeline.sleep(untilScenario: at) } catch { return }
        _ = await sendAndRecord(
            factory.duplicate(of: job.task, kind: dup.kind, at: at), target: target, timeline: timeline, dispatchLag: nil,
            recorder: recorder)
    }

    /// `execute` then record, returning when the task finished: the record is built after the
    /// target answers, in a function that is never inlined, so it is never part of a waiting frame.
    @inline(never)
    static func sendAndRecord(
        _ task: LoadTask, target: any LoadTarget, timeline: LiveTimeline, dispatchLag: Duration?, recorder: LoadRecorder
    ) async -> Duration {
        let sentReal = timeline.realElapsed()
        let result = await target.run(task)
        return record(task, result, sentReal: sentReal, dispatchLag: dispatchLag, timeline: timeline, recorder: recorder)
    }

    @inline(never)
    static func record(
        _ task: LoadTask, _ result: TargetResult, sentReal: Duration, dispatchLag: Duration?, timeline: LiveTimeline,
        recorder: LoadRecorder
    ) -> Duration {
        let record = LoadTaskRecord(
            task: task, result: result, sentAt: timeline.toScenario(sentReal), finishedAt: timeline.now(),
            schedulerLag: sentReal - timeline.toReal(task.intendedStart), dispatchLag: dispatchLag)
        recorder.record(record)
        return record.finishedAt
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
                        recorder.record(await execute(factory.task(index: index, at: now), target: target, timeline: timeline))
                        if thinkTime > .zero {
                            do { try await timeline.sleep(untilScenario: timeline.now() + thinkTime) } catch { return }
                        }
                    }
                }
            }
        }
        return counter.issued
    }

    /// Sends one task to `target`, timing it against its intended start; the caller records it.
    public static func execute(
        _ task: LoadTask, target: any LoadTarget, timeline: LiveTimeline, dispatchLag: Duration? = nil
    ) async -> LoadTaskRecord {
        let sentReal = timeline.realElapsed()
        let lag = sentReal - timeline.toReal(task.intendedStart)
        let result = await target.run(task)
        return LoadTaskRecord(
            task: task, result: result, sentAt: timeline.toScenario(sentReal), finishedAt: timeline.now(), schedulerLag: lag,
            dispatchLag: dispatchLag)
    }
}

/// One original of `squall load`'s open loop, ready to send: the task, its planned duplicate, the
/// dispatch lag. A class, so the task's closures and frames hold one reference while it waits
/// instead of a 120-byte copy each (a waiting task's frames are its memory).
final class OpenLoopJob: Sendable {
    let task: LoadTask
    let dup: (kind: DuplicateKind, delay: Duration)?
    let lag: Duration

    init(task: LoadTask, dup: (kind: DuplicateKind, delay: Duration)?, lag: Duration) {
        self.task = task
        self.dup = dup
        self.lag = lag
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
