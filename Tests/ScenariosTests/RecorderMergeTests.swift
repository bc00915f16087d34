import Foundation
import Reliability
import Testing

@testable import Scenarios

/// Every accumulator of `ResultRecorder` merges exactly: recording two shards of a run (arrivals,
/// call records and task outcomes split by idempotency key; the shared stack's events — attempts,
/// retries, the breaker — in one shard, as the stack is one) and merging gives the same integer
/// state and the same `summary.json` bytes as recording both streams into one recorder (issue #13).
@Suite struct RecorderMergeTests {
    static let window = FaultWindowInfo(index: 1, start: 600, end: 900, label: "status 503")

    static func recorder() -> ResultRecorder {
        var needs = ResultNeeds(steadyStateBuffer: .seconds(30))
        needs.window(1) {
            $0.scopes = [.before, .during, .after]
            $0.latency = true
            $0.recoveryStep = .seconds(15)
        }
        return ResultRecorder(
            ResultRecorder.Setup(
                info: ScenarioInfo(
                    name: "merge", description: "", file: "merge.yaml", tasksPerDay: 28_800, arrival: "poisson",
                    concurrency: nil, stackSummary: ""),
                mode: .sim, seed: 3, duration: .seconds(1800), interval: .seconds(30), breakerConfigured: true,
                idempotencyTTL: .seconds(120), prices: .defaults, faultWindows: [window], needs: needs,
                routes: [
                    .init(name: "simple", model: "llama-3.1-8b-instant"), .init(name: "default", model: "llama-3.3-70b-versatile"),
                ], closesKeys: true))
    }

    /// One synthetic event of a run, tagged with the key it belongs to (nil: the shared stack).
    enum Event {
        case arrival(Duration)
        case stack(TaskEvent)
        case call(LLMCallRecord)
        case task(TaskRecord)
        case close(Int)
        case reexecution(Bool)
        case replay(Bool)
    }

    /// A deterministic stream of ~2,000 submissions with calls, retries, failures, duplicates
    /// re-executed within the TTL, and a few breaker transitions; each event with its key.
    static func stream(seed: UInt64) -> [(key: Int?, event: Event)] {
        var rng = SquallRandom(seed: seed)
        var out: [(Int?, Event)] = []
        var breakerOpen = false
        var breaker = CircuitBreaker(BreakerConfig())
        for i in 0..<2000 {
            let key = i < 1900 ? i : i - 1900  // the last 100 re-use keys 0…99: duplicates
            let at = Duration.milliseconds(Int64(i) * 900)
            out.append((key, .arrival(at)))
            let route = Int(rng.next() % 2)
            let attempts = 1 + Int(rng.next() % 3)
            var t = at
            var ok = false
            for a in 1...attempts {
                out.append((nil, .stack(.attemptStarted(attempt: a, at: t))))
                ok = a == attempts && rng.next() % 4 != 0
                let generated = ok || rng.next() % 7 == 0
                out.append(
                    (key, .call(
                        LLMCallRecord(
                            at: t, taskID: i, keyID: key, attempt: a, outcome: .status(ok ? 200 : 503), generated: generated,
                            promptTokens: generated ? 40 : 0, completionTokens: generated ? Int(rng.next() % 300) : 0,
                            model: route, route: route))))
                let end = t + .milliseconds(Int64(200 + rng.next() % 3000))
                out.append(
                    (nil, .stack(
                        .attemptEnded(
                            attempt: a, outcome: ok ? .ok : .status(503), failureClass: ok ? .success : .transient, at: end,
                            latency: end - t))))
                if !ok, a < attempts {
                    out.append((nil, .stack(.retryScheduled(nextAttempt: a + 1, delay: .seconds(1), reason: .backoff, at: end, cause: nil))))
                }
                t = end + .seconds(1)
            }
            if i % 400 == 399 {
                if breakerOpen { breaker.reset(now: t) } else { breaker.forceOpen(now: t) }
                breakerOpen.toggle()
                for transition in breaker.takeTransitions() { out.append((nil, .stack(.breaker(transition)))) }
            }
            if breakerOpen, rng.next() % 3 == 0 { out.append((nil, .stack(.breakerRejected(at: t, retryAt: t + .seconds(30))))) }
            out.append(
                (key, .task(
                    TaskRecord(
                        id: i, keyID: key, duplicate: i >= 1900, intendedStart: at, started: at, finished: t,
                        result: ok ? .succeeded : .failed, cause: ok ? nil : .attemptsExhausted, attempts: attempts,
                        calls: attempts, lastOutcome: ok ? .ok : .status(503), route: route, model: route, promptTokens: 40,
                        completionTokens: 10))))
            if i >= 1900 {
                out.append((key, .reexecution(true)))
                out.append((key, .replay(rng.next() % 5 != 0)))
            }
            if i >= 1900 || i >= 100 { out.append((key, .close(key))) }
        }
        return out
    }

    static func record(_ events: [(key: Int?, event: Event)], into r: inout ResultRecorder) {
        for (_, e) in events {
            switch e {
            case .arrival(let at): r.recordArrival(at: at)
            case .stack(let s): r.record(s)
            case .call(let c): r.recordCall(c)
            case .task(let t): r.recordTask(t)
            case .close(let k): r.closeKey(k)
            case .reexecution(let after): r.recordReexecution(afterTTL: after)
            case .replay(let same): r.recordReplay(identical: same)
            }
        }
    }

    @Test func mergingTwoShardsEqualsRecordingBothStreamsIntoOne() throws {
        let events = Self.stream(seed: 11)
        var whole = Self.recorder()
        Self.record(events, into: &whole)
        // Shard by key parity; the shared stack's events go with shard A.
        var a = Self.recorder(), b = Self.recorder()
        Self.record(events.filter { ($0.key ?? 0) % 2 == 0 }, into: &a)
        Self.record(events.filter { ($0.key ?? 0) % 2 == 1 }, into: &b)
        a.tokenBudget.truncatedPrompts = 3
        b.tokenBudget.truncatedPrompts = 4
        whole.tokenBudget.truncatedPrompts = 7
        var merged = a
        merged.merge(b)

        #expect(merged.totals == whole.totals)
        #expect(merged.latency == whole.latency)
        #expect(merged.attempts == whole.attempts)
        #expect(merged.breaker == whole.breaker)
        #expect(merged.usage.calls == whole.usage.calls && merged.usage.models == whole.usage.models)
        #expect(merged.usage.routeTokens == whole.usage.routeTokens)
        #expect(merged.usage.keys.duplicateKeys == whole.usage.keys.duplicateKeys)
        #expect(merged.usage.keys.maxPerKey == whole.usage.keys.maxPerKey)
        #expect(merged.usage.keys.liveKeys == whole.usage.keys.liveKeys)
        #expect(merged.usage == whole.usage)
        #expect(merged.duplicates == whole.duplicates)
        #expect(merged.series == whole.series)
        #expect(merged.windows == whole.windows)
        #expect(merged.tokenBudget == whole.tokenBudget)
        // The two shards really did split the work, and something was counted everywhere.
        #expect(a.totals != whole.totals && b.totals != whole.totals)
        #expect(whole.usage.keys.duplicateKeys > 0 && whole.breaker.transitions.count == 5)

        let x = try merged.finish(end: .seconds(1810)).summaryJSON()
        let y = try whole.finish(end: .seconds(1810)).summaryJSON()
        #expect(x == y)
    }

    @Test func mergeOrderDoesNotMatter() throws {
        let events = Self.stream(seed: 12)
        var a = Self.recorder(), b = Self.recorder()
        Self.record(events.filter { ($0.key ?? 0) % 3 == 0 }, into: &a)
        Self.record(events.filter { ($0.key ?? 0) % 3 != 0 }, into: &b)
        var ab = a
        ab.merge(b)
        var ba = b
        ba.merge(a)
        #expect(try ab.finish(end: .seconds(1810)).summaryJSON() == ba.finish(end: .seconds(1810)).summaryJSON())
    }

    @Test func latencyRecordersMergeExactly() {
        var a = LatencyRecorder(), b = LatencyRecorder(), whole = LatencyRecorder()
        var rng = SquallRandom(seed: 5)
        for i in 0..<10_000 {
            let us = Int64(rng.next() % 5_000_000_000)  // up to 83 minutes: past the initial 1 h range
            whole.recordMicroseconds(us)
            if i % 2 == 0 { a.recordMicroseconds(us) } else { b.recordMicroseconds(us) }
        }
        a.merge(b)
        #expect(a == whole)
        #expect(a.summary() == whole.summary())
    }

    @Test func binLatencyAnswersExactlyAsATwoDigitHDRHistogramAndMergesExactly() {
        var rng = SquallRandom(seed: 8)
        for round in 0..<20 {
            var hdr = LatencyRecorder(digits: .two)
            var bin = BinLatency(), a = BinLatency(), b = BinLatency()
            for i in 0..<(50 + round * 97) {
                // Microseconds from 1 to ~17 minutes, log-spread, plus the occasional 0.
                let us = i % 31 == 0 ? 0 : Int64(exp(rng.unit() * 20.8))
                hdr.recordMicroseconds(us)
                bin.record(micros: us)
                if i % 3 == 0 { a.record(micros: us) } else { b.record(micros: us) }
            }
            for p in [50.0, 90, 99, 99.9] { #expect(bin.percentile(p) == hdr.percentile(p), "p\(p) round \(round)") }
            #expect(bin.max == hdr.max)
            a.merge(b)
            #expect(a == bin)
        }
    }

    @Test func keyExecutionsCountWithinTheTTLAndForgetClosedKeys() {
        var t = KeyExecutionTable(ttl: .seconds(10), closesKeys: true)
        t.execute(0, at: 0)
        t.execute(0, at: 5_000_000_000)  // within 10 s: a duplicate execution
        t.execute(1, at: 1_000_000_000)
        t.execute(1, at: 12_000_000_000)  // 11 s later: afresh
        #expect(t.duplicateKeys == 1 && t.maxPerKey == 2)
        t.close(1)
        #expect(t.liveKeys == 2)  // key 0 is still open, so the ring keeps 0…1
        t.close(0)
        #expect(t.liveKeys == 0)
        // Far-apart keys grow the ring and all go once closed.
        for k in 2..<5000 { t.execute(k, at: Int64(k) * 1_000_000) }
        for k in 2..<5000 { t.close(k) }
        #expect(t.liveKeys == 0 && t.maxPerKey == 2)
    }

    @Test func withoutCloseSignalsKeysLeaveOnceOlderThanTheTTL() {
        var t = KeyExecutionTable(ttl: .seconds(10), closesKeys: false)
        for k in 0..<100 { t.execute(k, at: Int64(k) * 1_000_000_000) }
        // At t = 99 s only keys executed within the last 10 s are kept.
        #expect(t.liveKeys <= 11)
        t.execute(95, at: 100_000_000_000)
        #expect(t.duplicateKeys == 1)
    }
}
