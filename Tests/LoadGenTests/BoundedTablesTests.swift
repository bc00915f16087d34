import Foundation
import LiveRuntime
import Reliability
import Testing
import Traffic

@testable import LoadGen

/// The load generator's tables stay bounded over runs far longer than their capacity, and keeping
/// them bounded does not change the exact figures (issue #9 item 10). Count-based: no timing.
@Suite("Bounded load tables")
struct BoundedTablesTests {
    // MARK: duplicate keys executed more than once

    @Test func duplicateTallyForgetsEverySettledKeyAndCountsExactly() {
        var tally = DuplicateKeyTally(capacity: 64)
        var expected: [DuplicateKind: Int] = [:]
        var maxOpen = 0
        // 100,000 keys with a duplicate; at most 32 open at once, the pair recorded in either order.
        let kinds: [DuplicateKind] = [.concurrent, .afterCompletion, .afterTTL]
        for block in stride(from: 0, to: 100_000, by: 32) {
            for i in block..<(block + 32) {
                let kind = kinds[i % 3]
                if i % 2 == 0 {
                    tally.record(index: i, kind: kind, isDuplicate: false, executed: true, dropped: false)
                } else {
                    tally.record(index: i, kind: kind, isDuplicate: true, executed: i % 7 == 0, dropped: false)
                }
            }
            maxOpen = max(maxOpen, tally.openCount)
            for i in block..<(block + 32) {
                let kind = kinds[i % 3]
                let twice = i % 7 == 0
                if twice { expected[kind, default: 0] += 1 }
                if i % 2 == 0 {
                    tally.record(index: i, kind: kind, isDuplicate: true, executed: twice, dropped: false)
                } else {
                    tally.record(index: i, kind: kind, isDuplicate: false, executed: true, dropped: false)
                }
            }
        }
        #expect(maxOpen == 32)
        #expect(tally.openCount == 0)
        #expect(tally.orderCount <= 4096 + 64)
        #expect(tally.evicted == 0)
        #expect(tally.executedMoreThanOnce == expected)
    }

    @Test func duplicateTallyStaysWithinItsCapacityAndCountsWhatItForgets() {
        var tally = DuplicateKeyTally(capacity: 100)
        // 50,000 originals whose duplicate never comes: the table keeps the newest 100.
        for i in 0..<50_000 {
            tally.record(index: i, kind: .afterCompletion, isDuplicate: false, executed: true, dropped: false)
            #expect(tally.openCount <= 100)
        }
        #expect(tally.orderCount <= 3 * 100)
        #expect(tally.evicted == 50_000 - 100)
        // A key still open settles exactly; a forgotten one cannot be counted (a lower bound).
        tally.record(index: 49_999, kind: .afterCompletion, isDuplicate: true, executed: true, dropped: false)
        tally.record(index: 0, kind: .afterCompletion, isDuplicate: true, executed: true, dropped: false)
        #expect(tally.executedMoreThanOnce == [.afterCompletion: 1])
    }

    @Test func duplicateTallySettlesDroppedOriginalsAndSkippedDuplicatesAtOnce() {
        var tally = DuplicateKeyTally(capacity: 10)
        for i in 0..<10_000 {
            // A dropped original never gets its duplicate; a skipped duplicate never comes.
            tally.record(index: 2 * i, kind: .concurrent, isDuplicate: false, executed: false, dropped: true)
            tally.record(index: 2 * i + 1, kind: .afterTTL, isDuplicate: false, executed: true, dropped: false)
            tally.skip(index: 2 * i + 1)
        }
        #expect(tally.openCount == 0)
        #expect(tally.evicted == 0)
        #expect(tally.executedMoreThanOnce.isEmpty)
    }

    @Test func recorderTablesStayFlatOverManyRecordsAndFiguresStayExact() throws {
        let recorder = try LoadRecorder()
        let factory = TaskFactory()
        var twice = 0
        for i in 0..<60_000 {
            var original = factory.task(index: i, at: .milliseconds(i))
            let kind: DuplicateKind? = i % 4 == 0 ? .afterCompletion : i % 4 == 1 ? .afterTTL : nil
            original.duplicatedAs = kind
            // Every 300th task answers with a label of its own (a service's own status): 200 of them.
            let label = i % 300 == 0 ? "status=odd-\(i)" : "200"
            recorder.record(record(original, calls: 1, outcome: label))
            guard let kind else { continue }
            if kind == .afterTTL, i % 8 == 1 {
                recorder.recordSkippedDuplicate(of: original)
                continue
            }
            let again = i % 12 == 0
            if again { twice += 1 }
            recorder.record(record(factory.duplicate(of: original, kind: kind, at: .milliseconds(i + 1)), calls: again ? 1 : 0, outcome: "200"))
        }
        let tables = recorder.tableSizes
        #expect(tables.openDuplicateKeys == 0)
        #expect(tables.evictedDuplicateKeys == 0)
        #expect(tables.outcomeLabels <= LoadRecorder.maxOutcomeLabels)
        let summary = recorder.summary(target: "t", timeScale: 1, realElapsed: .seconds(1), offered: 60_000, breaker: nil)
        #expect(summary.keysExecutedMoreThanOnce.values.reduce(0, +) == twice)
        #expect(summary.duplicateKeysEvicted == nil)
        // Labels beyond the cap are counted together: no record is lost from the totals.
        #expect(summary.lastOutcomes.values.reduce(0, +) == summary.recorded)
        #expect(summary.lastOutcomes.count == LoadRecorder.maxOutcomeLabels + 1)
        #expect(summary.lastOutcomes["other"] == 200 + 1 - LoadRecorder.maxOutcomeLabels)
    }

    func record(_ task: LoadTask, calls: Int, outcome: String) -> LoadTaskRecord {
        LoadTaskRecord(
            task: task, result: TargetResult(status: .succeeded, calls: calls, lastOutcome: outcome), sentAt: task.intendedStart,
            finishedAt: task.intendedStart + .milliseconds(5), schedulerLag: .zero)
    }

    // MARK: idempotency

    @Test func idempotencyTableKeepsPendingExpiriesBoundedWhenKeysAreForgotten() {
        var table = IdempotencyTable()
        let ttl = Duration.seconds(86_400)
        for i in 0..<100_000 {
            let now = Duration.milliseconds(i)
            let key = "k-\(i)"
            #expect(table.claim(key: key, fingerprint: "f", now: now, ttl: ttl) == .claimed)
            table.complete(key: key, fingerprint: "f", result: StoredResult(succeeded: true, body: "b"), now: now, ttl: ttl)
            table.forget(key: key)
        }
        #expect(table.count == 0)
        #expect(table.pendingExpiries <= 3 * table.count + 4096 + 2)
    }

    @Test func idempotencyTableCompactionKeepsLiveKeysAndTheirExpiry() {
        var table = IdempotencyTable()
        let ttl = Duration.seconds(1000)
        // Every 100th key stays; the rest are forgotten, far more than the compaction threshold.
        for i in 0..<50_000 {
            let key = "k-\(i)"
            _ = table.claim(key: key, fingerprint: "f", now: .milliseconds(i), ttl: ttl)
            if i % 100 != 0 { table.forget(key: key) }
        }
        #expect(table.count == 500)
        #expect(table.claim(key: "k-100", fingerprint: "f", now: .seconds(49), ttl: ttl) == .inFlight)
        // The kept keys still expire on time: at 1,050 s the last one (claimed at 49.9 s) is gone.
        #expect(table.claim(key: "k-49900", fingerprint: "f", now: .seconds(1050), ttl: ttl) == .claimed)
        #expect(table.count == 1)
    }

    @Test func runStoreForgetsKeysOnceNoSubmissionCanFindThem() throws {
        let store = RunIdempotencyStore()
        let factory = TaskFactory()
        let ttl = Duration.seconds(86_400)
        let ok = StoredResult(succeeded: true, body: "done")
        var leftAfterKey = 0
        for i in 0..<30_000 {
            let now = Duration.milliseconds(i)
            var original = factory.task(index: i, at: now)
            original.duplicatedAs = [nil, .concurrent, .afterCompletion, .afterTTL][i % 4]
            let key = original.idempotencyKey
            #expect(try store.claim(key: key, fingerprint: "f", now: now, ttl: ttl) == .claimed)
            switch original.duplicatedAs {
            case .concurrent?:
                // The duplicate arrives while the original runs, and ends first.
                let dup = factory.duplicate(of: original, kind: .concurrent, at: now)
                #expect(try store.claim(key: key, fingerprint: "f", now: now, ttl: ttl) == .inFlight)
                store.ended(dup)
                #expect(store.sizes.liveKeys == 1)  // the original still holds it
                store.complete(key: key, fingerprint: "f", result: ok, now: now, ttl: ttl)
                store.ended(original)
            case .afterCompletion?:
                store.complete(key: key, fingerprint: "f", result: ok, now: now, ttl: ttl)
                store.ended(original)
                // Still there for its duplicate, which replays the stored result.
                let dup = factory.duplicate(of: original, kind: .afterCompletion, at: now)
                #expect(try store.claim(key: key, fingerprint: "f", now: now, ttl: ttl) == .completed(ok))
                store.ended(dup)
            default:
                store.complete(key: key, fingerprint: "f", result: ok, now: now, ttl: ttl)
                store.ended(original)
            }
            leftAfterKey = max(leftAfterKey, store.sizes.liveKeys)
        }
        let sizes = store.sizes
        #expect(leftAfterKey == 0)
        #expect(sizes.liveKeys == 0)
        #expect(sizes.halfEnded == 0)
        #expect(sizes.pendingExpiries <= 4096 + 2)
        #expect(sizes.forgotten == 30_000)
    }

    @Test func runStoreGivesTheSameAnswersAsAStoreThatKeepsEveryKey() async throws {
        let kept = await submitThroughStack(runStore: false)
        let bounded = await submitThroughStack(runStore: true)
        #expect(kept.statuses == bounded.statuses)
        #expect(kept.calls == bounded.calls)
        #expect(kept.statuses.values.contains(.replayed))
        #expect(kept.calls.values.contains(2))  // after-TTL duplicates run again
        #expect(bounded.maxLive == 1)
        #expect(bounded.store?.liveKeys == 0)
        #expect(bounded.store?.halfEnded == 0)
    }

    /// 3,000 keys through the stack one submission at a time (the original, then its duplicate of
    /// each kind in turn, after-completion ones 0.5 s after the original's end, after-TTL ones 2.5 s
    /// after it, TTL 2 s): each submission's status and LLM calls per key, with the executor's
    /// default store or a run store (and then the most keys it held).
    func submitThroughStack(runStore: Bool) async
        -> (statuses: [String: RecordStatus], calls: [String: Int], maxLive: Int, store: RunIdempotencyStore.Sizes?)
    {
        let clock = JumpClock()
        let transport = ScriptedTransport(clock: clock, latency: .milliseconds(5)) { _, _ in .ok }
        let store = runStore ? RunIdempotencyStore() : nil
        let ttl = Duration.seconds(2)
        let executor = LiveExecutor(
            config: StackConfig(breaker: nil, idempotencyTTL: ttl, tokenBudget: nil), transport: transport,
            timeline: LiveTimeline(clock: clock), idempotency: store ?? InMemoryIdempotencyStore())
        let target = StackTarget(executor: executor, runStore: store)
        let factory = TaskFactory()
        var statuses: [String: RecordStatus] = [:]
        var maxLive = 0
        for i in 0..<3000 {
            var original = factory.task(index: i, at: clock.elapsed)
            let kind: DuplicateKind? = [nil, .concurrent, .afterCompletion, .afterTTL][i % 4]
            original.duplicatedAs = kind
            statuses[original.id] = await target.run(original).status
            maxLive = max(maxLive, store?.sizes.liveKeys ?? 0)
            guard let kind else { continue }
            if kind == .afterCompletion { clock.advance(by: .milliseconds(500)) }
            if kind == .afterTTL { clock.advance(by: .milliseconds(2500)) }
            let dup = factory.duplicate(of: original, kind: kind, at: clock.elapsed)
            statuses[dup.id] = await target.run(dup).status
            maxLive = max(maxLive, store?.sizes.liveKeys ?? 0)
        }
        var calls: [String: Int] = [:]
        for call in transport.log { calls[call.request.idempotencyKey ?? "", default: 0] += 1 }
        return (statuses, calls, maxLive, store?.sizes)
    }
}
