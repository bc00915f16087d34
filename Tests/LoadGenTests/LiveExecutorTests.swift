import LiveRuntime
import Logging
import Reliability
import Synchronization
import Testing

@testable import LoadGen

@Suite("LiveExecutor")
struct LiveExecutorTests {
    func config(breaker: BreakerConfig? = nil, ttl: Duration? = .seconds(86_400)) -> StackConfig {
        StackConfig(breaker: breaker, idempotencyTTL: ttl, tokenBudget: nil)
    }

    @Test func retriesFollowThePolicySchedule() async {
        let clock = JumpClock()
        let transport = ScriptedTransport(clock: clock) { _, n in n < 4 ? .status(503) : .ok }
        let cfg = config()
        let executor = LiveExecutor(config: cfg, transport: transport, timeline: LiveTimeline(clock: clock))
        let result = await executor.run(LiveTask(id: "t1", prompt: "hello"))
        #expect(result.outcome.succeeded)
        #expect(result.outcome.attempts == 5)
        #expect(result.outcome.calls == 5)
        let times = transport.log.map(\.at)
        let gaps = zip(times.dropFirst(), times).map { $0.0 - $0.1 }
        #expect(gaps == cfg.retry.schedule())  // tenacity wait_exponential(1, max 60): 1, 2, 4, 8 s
        #expect(gaps == [.seconds(1), .seconds(2), .seconds(4), .seconds(8)])
        #expect(transport.log.map(\.request.attempt) == [1, 2, 3, 4, 5])
        #expect(result.body == "reply to t1")
        #expect(result.usage == TokenUsage(promptTokens: 10, completionTokens: 5))
    }

    @Test func executeReturnsTheRunWhoseResultIsWhatRunReturns() async {
        // `execute` (LoadGen's stack target) and `run` give the same result: after attempts, and
        // for a task settled early (a replay: the second task with the key finds the first's result).
        let clock = JumpClock()
        let transport = ScriptedTransport(clock: clock) { _, n in n < 2 ? .status(503) : .ok }
        let executor = LiveExecutor(config: config(), transport: transport, timeline: LiveTimeline(clock: clock))
        let first = await executor.execute(LiveTask(id: "t1", prompt: "hello", idempotencyKey: "k"))
        #expect(first.result.disposition == .executed)
        #expect(first.result.outcome.succeeded)
        #expect(first.result.outcome.attempts == 3)
        #expect(first.result.body == "reply to t1")
        #expect(first.result.model != nil)
        let replay = await executor.execute(LiveTask(id: "t2", prompt: "hello", idempotencyKey: "k"))
        #expect(replay.result.disposition == .replayed)
        #expect(replay.result.body == "reply to t1")
        #expect(replay.result.outcome.calls == 0)
        let viaRun = await executor.run(LiveTask(id: "t3", prompt: "hello", idempotencyKey: "k"))
        #expect(viaRun.disposition == .replayed)
        #expect(viaRun.body == replay.result.body)
        #expect(transport.log.count == 3)
    }

    @Test func stopsAfterMaxAttemptsWithTheLastError() async {
        let clock = JumpClock()
        let transport = ScriptedTransport(clock: clock) { _, _ in .transport(.reset) }
        let executor = LiveExecutor(config: config(), transport: transport, timeline: LiveTimeline(clock: clock))
        let result = await executor.run(LiveTask(id: "t", prompt: "p"))
        #expect(!result.outcome.succeeded)
        #expect(result.outcome.cause == .attemptsExhausted)
        #expect(result.outcome.lastOutcome == .transport(.reset))
        #expect(transport.log.count == 5)
    }

    @Test func permanentFailuresAreNotRetried() async {
        let clock = JumpClock()
        let transport = ScriptedTransport(clock: clock) { _, _ in .status(401) }
        let executor = LiveExecutor(config: config(), transport: transport, timeline: LiveTimeline(clock: clock))
        let result = await executor.run(LiveTask(id: "t", prompt: "p"))
        #expect(result.outcome.cause == .permanent)
        #expect(transport.log.count == 1)
    }

    @Test func timeScaleDividesWaitsAndTimeoutsAndReportsScenarioTime() async {
        let clock = JumpClock()
        let transport = ScriptedTransport(clock: clock) { _, n in n < 2 ? .status(500) : .ok }
        var cfg = config()
        cfg.attemptTimeout = .seconds(30)
        let executor = LiveExecutor(config: cfg, transport: transport, timeline: LiveTimeline(clock: clock, scale: 600))
        let result = await executor.run(LiveTask(id: "t", prompt: "p"))
        #expect(result.outcome.succeeded)
        // Real (virtual-clock) gaps are 1 s / 600 and 2 s / 600; the per-attempt timeout is 30 s / 600.
        let times = transport.log.map(\.at)
        #expect(abs((times[1] - times[0]).seconds - 1.0 / 600) < 1e-9)
        #expect(abs((times[2] - times[1]).seconds - 2.0 / 600) < 1e-9)
        #expect(transport.log.allSatisfy { $0.timeout == .milliseconds(50) })
        // The result speaks scenario time: it finished 3 s (scenario) after it started.
        let scenario = (result.finishedAt - result.startedAt).seconds
        #expect(abs(scenario - 3) < 1e-6)
    }

    @Test func retriesAreLoggedAtWarningLikeTenacityBeforeSleep() async {
        let clock = JumpClock()
        let logs = CapturedLogs()
        let transport = ScriptedTransport(clock: clock) { _, n in n == 0 ? .status(503) : .ok }
        let executor = LiveExecutor(
            config: config(), transport: transport, timeline: LiveTimeline(clock: clock), logger: logs.logger)
        _ = await executor.run(LiveTask(id: "t", prompt: "p"))
        let warnings = logs.all.filter { $0.level == .warning }
        #expect(warnings.map(\.message) == ["Retrying attempt 2 in 1s as it raised 503"])
    }

    @Test func eventsReachTheHandlerInOrder() async {
        let clock = JumpClock()
        let transport = ScriptedTransport(clock: clock) { _, n in n == 0 ? .status(503) : .ok }
        let (stream, handler) = LiveExecutor.eventStream()
        let executor = LiveExecutor(
            config: config(), transport: transport, timeline: LiveTimeline(clock: clock), onEvent: handler)
        _ = await executor.run(LiveTask(id: "t", prompt: "p"))
        var kinds: [String] = []
        for await e in stream {
            #expect(e.taskID == "t")
            switch e.event {
            case .attemptStarted: kinds.append("start")
            case .attemptEnded: kinds.append("end")
            case .retryScheduled: kinds.append("retry")
            case .finished: kinds.append("finished")
            default: kinds.append("other")
            }
            if kinds.last == "finished" { break }
        }
        #expect(kinds == ["start", "end", "retry", "start", "end", "finished"])
    }

    @Test func breakerOpensAndRejectsWithoutCalling() async {
        let clock = JumpClock()
        let transport = ScriptedTransport(clock: clock) { _, _ in .status(503) }
        var cfg = config(breaker: BreakerConfig(trip: .failureCount(threshold: 3, window: .seconds(60)), recoveryTimeout: .seconds(30)))
        cfg.onBreakerOpen = .fail
        cfg.retry.maxAttempts = 1
        let executor = LiveExecutor(config: cfg, transport: transport, timeline: LiveTimeline(clock: clock))
        for i in 0..<3 { _ = await executor.run(LiveTask(id: "t\(i)", prompt: "p")) }
        #expect(executor.breakerState == .open)
        let rejected = await executor.run(LiveTask(id: "t3", prompt: "p"))
        #expect(rejected.outcome.cause == .breakerOpen)
        #expect(rejected.outcome.calls == 0)
        #expect(transport.log.count == 3)
    }

    @Test func completedKeyIsReplayedWithoutCallingAgain() async {
        let clock = JumpClock()
        let transport = ScriptedTransport(clock: clock) { _, _ in .ok }
        let executor = LiveExecutor(config: config(), transport: transport, timeline: LiveTimeline(clock: clock))
        let first = await executor.run(LiveTask(id: "a", prompt: "p", idempotencyKey: "k1"))
        let second = await executor.run(LiveTask(id: "b", prompt: "p", idempotencyKey: "k1"))
        #expect(first.disposition == .executed)
        #expect(second.disposition == .replayed)
        #expect(second.outcome.succeeded)
        #expect(second.body == "reply to a")
        #expect(transport.log.count == 1)
    }

    @Test func keyExpiresAfterTheTTL() async {
        let clock = JumpClock()
        let transport = ScriptedTransport(clock: clock) { _, _ in .ok }
        let executor = LiveExecutor(
            config: config(ttl: .seconds(10)), transport: transport, timeline: LiveTimeline(clock: clock))
        _ = await executor.run(LiveTask(id: "a", prompt: "p", idempotencyKey: "k1"))
        clock.advance(by: .seconds(11))
        let again = await executor.run(LiveTask(id: "b", prompt: "p", idempotencyKey: "k1"))
        #expect(again.disposition == .executed)
        #expect(transport.log.count == 2)
    }

    @Test func inFlightDuplicateGetsConflictAndDifferentPayloadMismatch() async {
        let store = InMemoryIdempotencyStore()
        _ = try? store.claim(key: "k1", fingerprint: String(stableHash("p"), radix: 16), now: .zero, ttl: .seconds(60))
        let clock = JumpClock()
        let transport = ScriptedTransport(clock: clock) { _, _ in .ok }
        let executor = LiveExecutor(
            config: config(), transport: transport, timeline: LiveTimeline(clock: clock), idempotency: store)
        let dup = await executor.run(LiveTask(id: "b", prompt: "p", idempotencyKey: "k1"))
        #expect(dup.disposition == .conflict)
        let other = await executor.run(LiveTask(id: "c", prompt: "different", idempotencyKey: "k1"))
        #expect(other.disposition == .mismatch)
        #expect(other.outcome.cause == .idempotencyMismatch)
        #expect(transport.log.isEmpty)
    }

    @Test func failedTaskStoresItsErrorForDuplicatesToReplay() async {
        let clock = JumpClock()
        let transport = ScriptedTransport(clock: clock) { _, n in n == 0 ? .status(400) : .ok }
        let executor = LiveExecutor(config: config(), transport: transport, timeline: LiveTimeline(clock: clock))
        let first = await executor.run(LiveTask(id: "a", prompt: "p", idempotencyKey: "k"))
        let second = await executor.run(LiveTask(id: "b", prompt: "p", idempotencyKey: "k"))
        #expect(!first.outcome.succeeded && first.outcome.cause == .permanent)
        #expect(second.disposition == .replayed && !second.outcome.succeeded)
        #expect(second.body == "error:permanent")
        #expect(transport.log.count == 1)
    }

    @Test func cancellingDuringARetrySleepEndsTheTaskWithShutdown() async {
        // A real clock and a 60 s backoff: only cancellation can end the task promptly.
        struct Always503: LLMTransport {
            func send(_ request: LLMRequest, timeout: Duration) async -> AttemptResult { AttemptResult(outcome: .status(503)) }
        }
        var cfg = config()
        cfg.retry.backoff = Backoff(multiplier: 60, min: .seconds(60), max: .seconds(60))
        let executor = LiveExecutor(config: cfg, transport: Always503())
        let task = Task { await executor.run(LiveTask(id: "t", prompt: "p")) }
        task.cancel()
        let result = await task.value
        #expect(result.outcome.cause == .shutdown)
        #expect(result.outcome.calls <= 1)
    }

    @Test func aTaskCutShortReleasesItsKeySoTheNextCallerRunsIt() async {
        // A real clock and a 60 s backoff: the first task is cancelled in its retry sleep (or at its
        // first attempt). Its key must be released, not left claimed: the next task with the key
        // then runs (executed), where a key left claimed would answer it `conflict`.
        struct ByTask: LLMTransport {
            func send(_ request: LLMRequest, timeout: Duration) async -> AttemptResult {
                request.taskID == "first"
                    ? AttemptResult(outcome: .status(503))
                    : AttemptResult(outcome: .ok, usage: TokenUsage(promptTokens: 1, completionTokens: 1), body: "done")
            }
        }
        var cfg = config()
        cfg.retry.backoff = Backoff(multiplier: 60, min: .seconds(60), max: .seconds(60))
        let executor = LiveExecutor(config: cfg, transport: ByTask())
        let first = Task { await executor.run(LiveTask(id: "first", prompt: "p", idempotencyKey: "k")) }
        first.cancel()
        #expect(await first.value.outcome.cause == .shutdown)
        let next = await executor.run(LiveTask(id: "next", prompt: "p", idempotencyKey: "k"))
        #expect(next.disposition == .executed)
        #expect(next.outcome.succeeded && next.body == "done")
    }

    @Test func aFailingStoreIsLoggedAndTheTaskStillRuns() async {
        // Claim fails: the task runs without a claim; complete fails: the result stands. Both are
        // logged at error level, naming the task.
        struct Broken: Error, CustomStringConvertible { var description: String { "store down" } }
        final class FailingStore: IdempotencyStore {
            let failClaim: Bool
            init(failClaim: Bool) { self.failClaim = failClaim }
            func claim(key: String, fingerprint: String, now: Duration, ttl: Duration) async throws -> ClaimResult {
                if failClaim { throw Broken() }
                return .claimed
            }
            func complete(key: String, fingerprint: String, result: StoredResult, now: Duration, ttl: Duration) async throws {
                throw Broken()
            }
            func release(key: String) async throws { throw Broken() }
        }
        for failClaim in [true, false] {
            let clock = JumpClock()
            let logs = CapturedLogs()
            let transport = ScriptedTransport(clock: clock) { _, _ in .ok }
            let executor = LiveExecutor(
                config: config(), transport: transport, timeline: LiveTimeline(clock: clock),
                idempotency: FailingStore(failClaim: failClaim), logger: logs.logger)
            let r = await executor.run(LiveTask(id: "t", prompt: "p", idempotencyKey: "k"))
            #expect(r.disposition == .executed && r.outcome.succeeded)
            #expect(transport.log.count == 1)
            let errors = logs.all.filter { $0.level == .error }.map(\.message)
            #expect(
                errors
                    == [
                        failClaim
                            ? "Idempotency store failed; running the task without a claim"
                            : "Idempotency store failed to record the result"
                    ])
        }
    }

    @Test func tokenBudgetFailureIsPermanentWithoutACall() async {
        let clock = JumpClock()
        let transport = ScriptedTransport(clock: clock) { _, _ in .ok }
        var cfg = config()
        cfg.tokenBudget = TokenBudget(maxTokens: 10, reserveForOutput: 9)
        cfg.systemPrompt = String(repeating: "system prompt ", count: 50)
        let executor = LiveExecutor(config: cfg, transport: transport, timeline: LiveTimeline(clock: clock))
        let r = await executor.run(LiveTask(id: "t", prompt: "p"))
        #expect(r.outcome.cause == .tokenBudget)
        #expect(transport.log.isEmpty)
    }
}
