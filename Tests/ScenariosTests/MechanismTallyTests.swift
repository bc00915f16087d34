import Foundation
import Reliability
import Testing

@testable import Scenarios

/// The mechanism accumulators on hand-made streams with explicit instants.
@Suite struct MechanismTallyTests {
    static func ns(_ s: Double) -> Int64 { Int64((s * 1e9).rounded()) }

    static func call(
        at s: Double, task: Int, key: Int = -1, status: Int = 200, retryAfter: Duration? = nil, delay: Double? = 0.1,
        generated: Bool = false
    ) -> LLMCallRecord {
        LLMCallRecord(
            atNanos: ns(s), taskID: task, keyID: key, attempt: 1, outcome: .status(status), retryAfter: retryAfter,
            generated: generated, model: 0, route: 0, delayNanos: delay.map(ns) ?? -1)
    }

    @Test func theCrossingIsTheFailureThatReachesTheThresholdAndAnOpeningThereIsOnTime() {
        var t = BreakerCrossingTally(BreakerThreshold(failures: 3, window: .seconds(10)))
        t.attemptEnded(failureClass: .transient, start: Self.ns(0.5), end: Self.ns(1))
        t.attemptEnded(failureClass: .success, start: Self.ns(1), end: Self.ns(1.5))
        t.attemptEnded(failureClass: .transient, start: Self.ns(1), end: Self.ns(2))
        // The breaker's transition comes before the attempt end that caused it, at the same instant.
        t.transition(at: Self.ns(3), from: .closed, to: .open)
        t.attemptEnded(failureClass: .transient, start: Self.ns(2), end: Self.ns(3))
        t.transition(at: Self.ns(33), from: .open, to: .halfOpen)
        let f = t.finish()
        #expect(f.crossings == 1)
        #expect(f.opens == 1)
        #expect(f.opensAtThreshold == 1)
        #expect(f.maxDelayNanos == 0)
        #expect(f.unopenedCrossings == 0)
        #expect(f.exceededPeriods == 0)
    }

    @Test func failuresOutsideTheWindowOrOfUncountedClassesDoNotCross() {
        var t = BreakerCrossingTally(BreakerThreshold(failures: 2, window: .seconds(10)))
        t.attemptEnded(failureClass: .transient, start: 0, end: Self.ns(1))
        t.attemptEnded(failureClass: .permanent, start: 0, end: Self.ns(2))
        t.attemptEnded(failureClass: .transient, start: 0, end: Self.ns(11))  // the first left the window at 11
        #expect(t.finish().crossings == 0)
        t.attemptEnded(failureClass: .throttled, start: 0, end: Self.ns(12))
        let f = t.finish()
        #expect(f.crossings == 1)
        #expect(f.unopenedCrossings == 1)
        #expect(f.firstUnopenedNanos == Self.ns(12))
    }

    @Test func failuresOfCallsAdmittedBeforeTheLastTransitionDoNotCount() {
        var t = BreakerCrossingTally(BreakerThreshold(failures: 2, window: .seconds(60)))
        t.transition(at: Self.ns(10), from: .halfOpen, to: .closed)
        t.attemptEnded(failureClass: .transient, start: Self.ns(9), end: Self.ns(11))
        t.attemptEnded(failureClass: .transient, start: Self.ns(9.5), end: Self.ns(12))
        #expect(t.finish().crossings == 0)
    }

    @Test func anEarlyRetryAfterARetryAfterIsCountedOncePerTask() {
        var t = RetryAfterTally(tolerance: .milliseconds(1))
        // Task 1: told to wait 2s at 1.1s (answer at 1.0 + 0.1): its retry at 2.0 is 1.1s early.
        t.call(Self.call(at: 1, task: 1, status: 429, retryAfter: .seconds(2)))
        t.call(Self.call(at: 2, task: 1, status: 429, retryAfter: .seconds(2)))
        // … and again early (allowed from 4.1).
        t.call(Self.call(at: 4, task: 1))
        // Task 2 waits exactly: allowed at 5.1, comes at 5.1.
        t.call(Self.call(at: 3, task: 2, status: 429, retryAfter: .seconds(2)))
        t.call(Self.call(at: 5.1, task: 2))
        // Task 3 timed out on its 429 (no delay): nothing is asked of it.
        t.call(Self.call(at: 3, task: 3, status: 429, retryAfter: .seconds(2), delay: nil))
        t.call(Self.call(at: 3.5, task: 3))
        let f = t.finish()
        #expect(f.responses == 3)
        #expect(f.retries == 3)
        #expect(f.early == 2)
        #expect(f.earlyTasks == 1)
        #expect(f.maxEarlyNanos == Self.ns(1.1))
    }

    @Test func synchronisedRetriesAfterACorrelatedFailureShareOneWindow() {
        var synced = RetryClusterTally(RetryClusterSpec(window: .milliseconds(100), minRetries: 5))
        var spread = synced
        for task in 0..<10 {
            let failedAt = 1.0 + Double(task) * 0.005
            synced.call(Self.call(at: failedAt, task: task, status: 503, delay: 0.01))
            spread.call(Self.call(at: failedAt, task: task, status: 503, delay: 0.01))
        }
        for task in 0..<10 {
            synced.call(Self.call(at: 3.0 + Double(task) * 0.001, task: task))
            spread.call(Self.call(at: 2.0 + Double(task) * 0.2, task: task))
        }
        for task in 0..<10 {
            synced.ended(task)
            spread.ended(task)
        }
        let s = synced.finish()
        #expect(s.bursts == 1)
        #expect(s.retries == 10)
        #expect(s.share == 1)
        let p = spread.finish()
        #expect(p.bursts == 1)
        #expect(p.share == 0.1)
    }

    @Test func reexecutionsAreKeysGeneratedAgainByAnotherSubmissionWithinTheHorizon() {
        var t = ReexecutionTally(horizon: .seconds(60), closesKeys: false)
        t.call(Self.call(at: 1, task: 1, key: 7, generated: true))
        t.call(Self.call(at: 2, task: 1, key: 7, generated: true))  // the same submission again: its retry
        t.call(Self.call(at: 30, task: 2, key: 7, generated: true))  // a duplicate, within the horizon
        t.call(Self.call(at: 5, task: 3, key: 8, generated: true))
        t.call(Self.call(at: 70, task: 4, key: 8, generated: true))  // after the horizon: a new execution
        let f = t.finish()
        #expect(f.executedKeys == 3)
        #expect(f.reexecutedKeys == 1)
        #expect(f.reexecutions == 1)
        #expect(f.minGapNanos == Self.ns(29))
    }

    @Test func shardsSplitByKeyMergeToTheWholeRunsCounts() {
        let calls = (0..<40).map { i in
            Self.call(at: Double(i), task: i, key: i % 10, status: i % 3 == 0 ? 429 : 200, retryAfter: .seconds(1), generated: i % 3 != 0)
        }
        var whole = MechanismTally(
            needs: MechanismNeeds(retryAfterTolerance: .milliseconds(1), reexecutionHorizon: .seconds(1000)), windows: [],
            closesKeys: false)
        var a = whole
        var b = whole
        for c in calls {
            whole.call(c)
            if c.keyID % 2 == 0 { a.call(c) } else { b.call(c) }
        }
        a.merge(b)
        #expect(a.finish() == whole.finish())
        #expect(whole.finish().reexecution?.reexecutedKeys == 10)
    }
}
