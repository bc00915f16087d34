import Foundation
import LiveRuntime
import Reliability
import Synchronization
import Testing

@testable import LoadGen
import Traffic

@Suite("Load drivers")
struct DriverTests {
    @Test func openLoopSendsEveryTaskAtItsIntendedStart() async throws {
        let clock = JumpClock()
        let timeline = LiveTimeline(clock: clock)
        let target = GatedTarget(open: true)
        let recorder = try LoadRecorder()
        let schedule = try ArrivalSchedule.constant(rate: 10)
        let limit = ArrivalLimit(duration: .seconds(3))
        let offered = await LoadDriver.openLoop(
            times: schedule.times(seed: 1, limit: limit), factory: TaskFactory(), target: target, timeline: timeline,
            options: OpenLoopOptions(), recorder: recorder)
        #expect(offered == 30)
        #expect(recorder.done == 30)
        let starts = target.seen.map(\.intendedStart).sorted()
        #expect(starts == Array(schedule.times(seed: 1, limit: limit)))
        #expect(Set(target.seen.map(\.idempotencyKey)).count == 30)
        let summary = recorder.summary(target: "t", timeScale: 1, realElapsed: .seconds(3), offered: 30, breaker: nil)
        #expect(summary.dispatchLagMicros.totalCount == 30)
        #expect(summary.lagMicros.totalCount == 30)
    }

    @Test func arrivalsBeyondTheInFlightCapAreDroppedAndCounted() async throws {
        let clock = JumpClock()
        let target = GatedTarget()
        let recorder = try LoadRecorder()
        let run = Task {
            await LoadDriver.openLoop(
                times: try! ArrivalSchedule.constant(rate: 10).times(seed: 1, limit: ArrivalLimit(count: 10)),
                factory: TaskFactory(), target: target, timeline: LiveTimeline(clock: clock),
                options: OpenLoopOptions(maxInFlight: 3), recorder: recorder)
        }
        #expect(await eventually { target.waitingCount == 3 && recorder.done == 7 })
        target.openGate()
        _ = await run.value
        let s = recorder.summary(target: "t", timeScale: 1, realElapsed: .seconds(1), offered: 10, breaker: nil)
        #expect(s.dropped == 7)
        #expect(s.byStatus[.succeeded] == 3)
        #expect(target.maxRunning == 3)
    }

    @Test func queuedArrivalsAreAllTakenOnTimeAndWaitInLineForASlot() async throws {
        // `.queue` (a scenario's `load.concurrency`): 10 arrivals, 3 slots, the target stalled. Every
        // arrival is taken (none dropped, the pacing not held up), at most 3 run, and the rest wait in
        // line; once the target opens, all 10 end, in arrival order of their start.
        let clock = JumpClock()
        let target = GatedTarget()
        let taken = Mutex<[Int]>([])
        let ended = Mutex(0)
        let run = Task {
            await LoadDriver.pace(
                Array(0..<10), timeline: LiveTimeline(clock: clock), pacing: Pacing(maxInFlight: 3, whenFull: .queue),
                intended: { .milliseconds(100 * $0) },
                prepare: { i, _ in
                    taken.withLock { $0.append(i) }
                    return i
                },
                dropped: { _ in Issue.record("queue never drops") },
                body: { i, _ in
                    _ = await target.run(
                        LoadTask(index: i, id: "t\(i)", prompt: "p", idempotencyKey: "k\(i)", intendedStart: .milliseconds(100 * i)))
                    ended.withLock { $0 += 1 }
                })
        }
        // All ten taken while only three can run: the pacing loop went on past the full pool, and
        // the three running are the first three arrivals (first come, first served).
        #expect(await eventually { taken.withLock { $0.count } == 10 && target.waitingCount == 3 })
        #expect(ended.withLock { $0 } == 0)
        #expect(Set(target.seen.map(\.index)) == [0, 1, 2])
        target.openGate()
        #expect(await run.value == 10)
        #expect(ended.withLock { $0 } == 10)
        #expect(target.maxRunning == 3)
    }

    @Test func aGatesLineIsServedInTheOrderPlacesWereTaken() async {
        // Places taken 1, 2, 3 while the one slot is held are granted 1, 2, 3 as slots come back,
        // whatever order their waiters get to run in.
        let gate = SlotGate(capacity: 1)
        #expect(gate.tryAcquire())
        let places = (0..<3).map { _ in gate.reserve() }
        let order = OrderLog()
        await withTaskGroup(of: Void.self) { group in
            for i in [2, 0, 1] {
                group.addTask {
                    await places[i].wait()
                    order.append(i)
                    gate.release()
                }
            }
            #expect(await eventually { order.items.isEmpty })
            gate.release()
        }
        #expect(order.items == [0, 1, 2])
        #expect(gate.inUse == 0)
    }

    @Test func anOfferReleasingItsSlotEarlyLetsTheNextOneIn() async throws {
        // One slot, `.wait`: the first body releases its lease before going on to wait (as an
        // original does before sleeping for its after-completion duplicate), so the second offer
        // starts while the first body is still running.
        let clock = JumpClock()
        let firstMayEnd = GatedTarget()
        let started = Mutex<[Int]>([])
        let run = Task {
            await LoadDriver.pace(
                [0, 1], timeline: LiveTimeline(clock: clock), pacing: Pacing(maxInFlight: 1, whenFull: .wait),
                intended: { _ in .zero }, prepare: { i, _ in i },
                body: { i, lease in
                    started.withLock { $0.append(i) }
                    guard i == 0 else { return }
                    lease.release()
                    lease.release()  // a second release does nothing (the gate's count stays right)
                    _ = await firstMayEnd.run(LoadTask(index: 0, id: "t0", prompt: "p", idempotencyKey: "k0", intendedStart: .zero))
                })
        }
        #expect(await eventually { started.withLock { $0 } == [0, 1] })
        firstMayEnd.openGate()
        #expect(await run.value == 2)
    }

    @Test func aRebasedTimelineMapsTheOldTimelinesInstantsExactly() async throws {
        // The reference service's replicas run on one timeline; a run starts its scenario time zero
        // later on the same clock (`rebasedToNow`) and maps their event times by the shift.
        let clock = JumpClock()
        let replicas = LiveTimeline(clock: clock, scale: 60)
        clock.advance(by: .milliseconds(250))
        let (run, shift) = replicas.rebasedToNow()
        #expect(shift == .milliseconds(250))
        #expect(run.now() == .zero && run.scale == 60)
        clock.advance(by: .milliseconds(500))
        // 0.75 s real on the replicas' timeline is 45 s of scenario time; on the run's, 30 s.
        #expect(replicas.now() == .seconds(45))
        #expect(run.now() == .seconds(30))
        #expect(replicas.now() - replicas.toScenario(shift) == run.now())
        // Sleeping until scenario time 60 s on the run's timeline wakes at real 1 s after its origin.
        try await run.sleep(untilScenario: .seconds(60))
        #expect(clock.elapsed == .milliseconds(1250))
        #expect(run.realElapsed() == .seconds(1))
    }

    @Test func latencyIsMeasuredFromTheIntendedStartSoAStallIsNotHidden() async throws {
        // One slot, 5 s of service per task, arrivals every second, waiting for a slot: task 1 is
        // intended at 1 s but cannot start before task 0 ends (≥ 5 s), so its latency is ≥ 9 s.
        let clock = JumpClock()
        let target = GatedTarget(open: true) { _ in clock.advance(by: .seconds(5)) }
        let sink = RecordSink()
        let recorder = try LoadRecorder(onRecord: { sink.append($0) })
        await LoadDriver.openLoop(
            times: try ArrivalSchedule.constant(rate: 1).times(seed: 1, limit: ArrivalLimit(count: 3)),
            factory: TaskFactory(), target: target, timeline: LiveTimeline(clock: clock),
            options: OpenLoopOptions(maxInFlight: 1, whenFull: .wait), recorder: recorder)
        let byIndex = Dictionary(uniqueKeysWithValues: sink.items.map { ($0.task.index, $0) })
        let second = try #require(byIndex[1])
        #expect(second.task.intendedStart == .seconds(1))
        #expect(second.latency >= .seconds(9))
        #expect(second.schedulerLag >= .seconds(4))
        let third = try #require(byIndex[2])
        #expect(third.latency >= .seconds(13))
        let s = recorder.summary(target: "t", timeScale: 1, realElapsed: .seconds(1), offered: 3, breaker: nil)
        #expect(s.late >= 2)  // tasks 1 and 2 (task 0 too if it started after the scheduler's first wait)
        #expect(s.dropped == 0)
        #expect(s.latency(percentile: 100) >= .seconds(13))
    }

    @Test func timeScaleCompressesTheScheduleAndReportsScenarioTime() async throws {
        let clock = JumpClock()
        let target = GatedTarget(open: true)
        let sink = RecordSink()
        let recorder = try LoadRecorder(onRecord: { sink.append($0) })
        await LoadDriver.openLoop(
            times: try ArrivalSchedule.constant(rate: 1).times(seed: 1, limit: ArrivalLimit(duration: .seconds(600))),
            factory: TaskFactory(), target: target, timeline: LiveTimeline(clock: clock, scale: 60),
            options: OpenLoopOptions(), recorder: recorder)
        #expect(sink.items.count == 600)
        // 600 scenario seconds took 10 virtual (real) seconds; records speak scenario time.
        #expect(clock.elapsed >= .seconds(9) && clock.elapsed <= .seconds(10))
        #expect(sink.items.map(\.task.intendedStart).max() == .seconds(599))
        #expect(sink.items.allSatisfy { $0.sentAt - $0.task.intendedStart >= .microseconds(-1) })
    }

    @Test func closedLoopKeepsAtMostNUsersBusyAndSendsTheCount() async throws {
        let clock = JumpClock()
        let target = GatedTarget(open: true) { _ in clock.advance(by: .milliseconds(10)) }
        let recorder = try LoadRecorder()
        let sent = await LoadDriver.closedLoop(
            users: 3, limit: ArrivalLimit(count: 30), factory: TaskFactory(), target: target,
            timeline: LiveTimeline(clock: clock), recorder: recorder)
        #expect(sent == 30)
        #expect(recorder.done == 30)
        #expect(target.maxRunning <= 3)
        #expect(Set(target.seen.map(\.index)) == Set(0..<30))
    }

    @Test func duplicatesWithIdempotencyReachTheLLMOncePerKey() async throws {
        let counts = try await runDuplicates(ttl: .seconds(3600))
        #expect(!counts.isEmpty)
        #expect(counts.values.allSatisfy { $0 == 1 })
    }

    @Test func duplicatesWithoutIdempotencyRunTwice() async throws {
        // The control for the test above: the same plan with idempotency off executes keys twice.
        let counts = try await runDuplicates(ttl: nil)
        #expect(counts.values.contains(2))
    }

    /// Runs 40 tasks through the stack with every task duplicated (concurrent or after completion)
    /// and returns LLM executions per idempotency key.
    func runDuplicates(ttl: Duration?) async throws -> [String: Int] {
        let clock = JumpClock()
        let transport = ScriptedTransport(clock: clock, latency: .milliseconds(5)) { _, _ in .ok }
        let executor = LiveExecutor(
            config: StackConfig(breaker: nil, idempotencyTTL: ttl, tokenBudget: nil), transport: transport,
            timeline: LiveTimeline(clock: clock))
        let recorder = try LoadRecorder()
        let plan = DuplicatePlan(fraction: 1, mix: [.concurrent: 1, .afterCompletion: 1], delay: DurationRange(.zero, .seconds(1)))
        await LoadDriver.openLoop(
            times: try ArrivalSchedule.constant(rate: 10).times(seed: 1, limit: ArrivalLimit(count: 40)),
            factory: TaskFactory(), target: StackTarget(executor: executor), timeline: LiveTimeline(clock: clock),
            options: OpenLoopOptions(duplicates: plan), recorder: recorder)
        #expect(recorder.done == 80)
        var counts: [String: Int] = [:]
        for call in transport.log { counts[call.request.idempotencyKey ?? "", default: 0] += 1 }
        return counts
    }

    @Test(arguments: [Duration.seconds(30), nil])
    func afterTTLDuplicatesPastTheRunsHorizonAreSkippedAndSettled(horizon: Duration?) async throws {
        // Every task gets an after-TTL duplicate (TTL 60 s, sent 60–61 s after its original ends).
        // With the run ending at 30 s none may be sent: each is counted as skipped and its key
        // settled (no open duplicate key left). Without a horizon (the control) all 20 are sent.
        let clock = JumpClock()
        let transport = ScriptedTransport(clock: clock, latency: .milliseconds(5)) { _, _ in .ok }
        let ttl = Duration.seconds(60)
        let executor = LiveExecutor(
            config: StackConfig(breaker: nil, idempotencyTTL: ttl, tokenBudget: nil), transport: transport,
            timeline: LiveTimeline(clock: clock))
        let recorder = try LoadRecorder()
        let plan = DuplicatePlan(fraction: 1, mix: [.afterTTL: 1], delay: DurationRange(.zero, .seconds(1)), ttl: ttl)
        await LoadDriver.openLoop(
            times: try ArrivalSchedule.constant(rate: 10).times(seed: 1, limit: ArrivalLimit(count: 20)),
            factory: TaskFactory(), target: StackTarget(executor: executor), timeline: LiveTimeline(clock: clock),
            options: OpenLoopOptions(duplicates: plan, duplicateHorizon: horizon), recorder: recorder)
        let summary = recorder.summary(target: "stack", timeScale: 1, realElapsed: .seconds(1), offered: 20, breaker: nil)
        #expect(recorder.tableSizes.openDuplicateKeys == 0)
        if horizon != nil {
            #expect(recorder.done == 20)
            #expect(summary.duplicatesSkipped == 20)
            #expect(transport.log.count == 20)
        } else {
            #expect(recorder.done == 40)
            #expect(summary.duplicatesSkipped == 0)
            #expect(transport.log.count == 40)  // the TTL passed: each duplicate runs again
        }
    }

    @Test func duplicatePlanIsDeterministicAndHonoursTheFraction() {
        let plan = DuplicatePlan(fraction: 0.1, ttl: .seconds(60))
        let a = (0..<5000).map { plan.duplicate(of: $0, seed: 3)?.kind }
        let b = (0..<5000).map { plan.duplicate(of: $0, seed: 3)?.kind }
        #expect(a == b)
        let n = a.compactMap { $0 }.count
        #expect(abs(n - 500) < 100)
        for kind in DuplicateKind.allCases { #expect(a.contains(kind)) }
        // After-TTL duplicates wait out the TTL; after-completion ones land inside it.
        for i in 0..<5000 {
            guard let d = plan.duplicate(of: i, seed: 3) else { continue }
            if d.kind == .afterTTL { #expect(d.delay >= .seconds(60)) }
            if d.kind == .afterCompletion { #expect(d.delay <= .seconds(30)) }
        }
    }
}

final class RecordSink: Sendable {
    private let items_ = Mutex<[LoadTaskRecord]>([])
    func append(_ r: LoadTaskRecord) { items_.withLock { $0.append(r) } }
    var items: [LoadTaskRecord] { items_.withLock { $0 } }
}

/// Indexes in the order they were appended, from any task.
final class OrderLog: Sendable {
    private let state = Mutex<[Int]>([])
    func append(_ i: Int) { state.withLock { $0.append(i) } }
    var items: [Int] { state.withLock { $0 } }
}
