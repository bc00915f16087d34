import Foundation
import Reliability
import Testing

@testable import Scenarios

@Suite struct SimulatorTests {
    @Test func eventQueuePopsByTimeThenInsertionOrder() {
        var q = EventQueue()
        q.push(.seconds(2), .wake, a: 1)
        q.push(.seconds(1), .wake, a: 2)
        q.push(.seconds(2), .wake, a: 3)
        q.push(.seconds(1), .wake, a: 4)
        q.push(.zero, .wake, a: 5)
        var order: [Int32] = []
        while let e = q.pop() { order.append(e.a) }
        #expect(order == [5, 2, 4, 1, 3])
    }

    @Test func eventQueueStaysOrderedUnderManyRandomPushes() {
        var q = EventQueue()
        var rng = SquallRandom(seed: 3)
        for i in 0..<5000 { q.push(.milliseconds(Int64(rng.next() % 1000)), .wake, a: Int32(i)) }
        var last = Duration.zero
        var lastSeq: UInt64 = 0
        var n = 0
        while let e = q.pop() {
            #expect(e.time > last || (e.time == last && e.seq >= lastSeq))
            last = e.time
            lastSeq = e.seq
            n += 1
        }
        #expect(n == 5000)
    }

    @Test func sameSeedGivesIdenticalSummaryBytes() throws {
        let s = try scenario(LoaderTests.designExample)
        let a = try ScenarioRunner.simulate(s).summaryJSON()
        let b = try ScenarioRunner.simulate(s).summaryJSON()
        #expect(a == b)
        let c = try ScenarioRunner.simulate(s, options: SimulationOptions(seed: 43)).summaryJSON()
        #expect(a != c)
    }

    @Test func addingDuplicatesDoesNotShiftTheOriginalsDraws() throws {
        let base = """
            name: t
            seed: 5
            duration: 1h
            load:
              tasks_per_day: 20000
              DUP
            llm:
              latency: { lognormal: { median: 800ms, p99: 6s } }
              faults: [ { rate: 5%, status: 500 } ]
            stack: { breaker: off, idempotency: { ttl: 1s } }
            """
        let (_, plainTasks) = try simulateWithTasks(try scenario(base.replacingOccurrences(of: "DUP", with: "arrival: poisson")))
        let (dup, dupTasks) = try simulateWithTasks(
            try scenario(base.replacingOccurrences(of: "DUP", with: "duplicates: { rate: 30%, delay: 5m..10m }")))
        #expect(dup.duplicates.submitted > 100)
        let originals = dupTasks.filter { !$0.duplicate }.sorted { $0.intendedStart < $1.intendedStart }
        let plain = plainTasks.sorted { $0.intendedStart < $1.intendedStart }
        #expect(originals.count == plain.count)
        for (x, y) in zip(originals, plain) {
            #expect(x.intendedStart == y.intendedStart && x.finished == y.finished && x.attempts == y.attempts)
        }
    }

    @Test func anAttemptSlowerThanTheTimeoutEndsAsATimeoutAtTheTimeout() throws {
        let (r, tasks) = try simulateWithTasks(try scenario("""
            name: t
            duration: 1m
            load: { rate: 1/s, arrival: constant }
            stack: { timeout: 1s, retry: { attempts: 1 }, breaker: off }
            llm: { latency: 5s }
            """))
        #expect(r.totals.failed == 60)
        #expect(tasks.count == 60)
        #expect(tasks.allSatisfy { $0.lastOutcome == "timeout" && abs($0.latency - 1) < 1e-9 })
        #expect(r.attemptOutcomes == [NamedCount(name: "timeout", count: 60)])
        // The provider still generated every completion after the client gave up.
        #expect(r.usage.executions == 60)
    }

    @Test func aHangingProviderTimesOutAndRetriesRecover() throws {
        let (r, tasks) = try simulateWithTasks(try scenario("""
            name: t
            duration: 10m
            load: { rate: 1/s, arrival: constant }
            stack: { timeout: 2s, retry: { attempts: 3, min: 1s, max: 1s }, breaker: off }
            llm:
              latency: 100ms
              faults: [ { attempt: 1, drop: hang } ]
            """))
        #expect(r.totals.succeeded == 600)
        // 2 s timeout + 1 s backoff + 100 ms second attempt, from the intended start.
        #expect(tasks.allSatisfy { abs($0.latency - 3.1) < 1e-6 && $0.attempts == 2 })
    }

    @Test func aConcurrencyCapQueuesTasksAndLatencyCountsFromTheIntendedStart() throws {
        let (r, tasks) = try simulateWithTasks(try scenario("""
            name: t
            duration: 1m
            load:
              arrival: { bursts: { every: 10m, size: 10 } }
              process: even
              concurrency: 2
            stack: { breaker: off }
            llm: { latency: 10s }
            """))
        #expect(r.totals.succeeded == 10)
        let latencies = tasks.map(\.latency).sorted()
        #expect(abs(latencies.last! - 50) < 1e-9)
        #expect(abs(latencies.first! - 10) < 1e-9)
        #expect(tasks.contains { $0.started > $0.intendedStart })
    }

    @Test func concurrentDuplicatesConflictAndLaterOnesReplay() throws {
        let r = simulate(try scenario("""
            name: t
            duration: 1h
            load:
              rate: 1/m
              arrival: constant
              duplicates: { rate: 100%, delay: 30s..30s, concurrent: 50% }
            stack: { idempotency: { ttl: 1h } }
            llm: { latency: 10s }
            """))
        #expect(r.duplicates.submitted == 60)
        #expect(r.duplicates.conflicts + r.duplicates.replayed == 60)
        #expect(r.duplicates.conflicts > 10 && r.duplicates.replayed > 10)
        #expect(r.duplicates.concurrent == r.duplicates.conflicts)
        #expect(r.duplicates.replayMismatches == 0)
        #expect(r.duplicates.duplicateExecutions == 0)
        #expect(r.usage.executions == 60)
    }

    @Test func withoutIdempotencyDuplicatesExecuteAgain() throws {
        let r = simulate(try scenario("""
            name: t
            duration: 1h
            load:
              rate: 1/m
              arrival: constant
              duplicates: { rate: 100%, delay: 30s..30s }
            stack: { idempotency: off }
            llm: { latency: 1s }
            """))
        #expect(r.duplicates.duplicateExecutions == 60)
        #expect(r.duplicates.maxExecutionsPerKey == 2)
        #expect(r.duplicates.reexecutedWithinTTL == 60)
        #expect(r.usage.executions == 120)
    }

    @Test func theBreakerOpensDuringAnOutageAndNoCallsAreSentWhileOpen() throws {
        let r = simulate(try scenario("""
            name: t
            duration: 30m
            load: { rate: 1/s }
            stack:
              retry: { attempts: 3, min: 1s, max: 4s }
              breaker: { failure_threshold: 5, window: 10s, recovery_timeout: 20s, on_open: fail }
            llm:
              latency: 200ms
              faults: [ { during: 10m..15m, status: 503 } ]
            """))
        #expect(r.breaker.opens >= 1)
        #expect(r.breaker.callsWhileOpen == 0)
        #expect(r.breaker.maxCallsPerHalfOpen == 1)
        #expect(r.breaker.transitions.first!.at >= 600 && r.breaker.transitions.first!.at < 610)
        #expect(r.breaker.finalState == "closed")
        #expect((r.failuresByCause.first { $0.name == "breaker_open" }?.count ?? 0) > 100)
        // Calls during the window are far fewer than arrivals: the breaker sheds load.
        #expect(r.faultWindows[0].llmCalls < r.faultWindows[0].arrivals / 4)
    }

    @Test func theTokenBudgetTruncatesOversizedPromptsAndRouting() throws {
        let r = simulate(try scenario("""
            name: t
            duration: 1h
            load:
              rate: 1/m
              prompts: [ { text: "What is the capital of France?", weight: 1 }, { text: "word", repeat: 10000, weight: 1 } ]
            stack: { budget: { max_tokens: 2000, reserve_for_output: 500 } }
            llm: { latency: 1s, rate_limits: { llama-3.3-70b-versatile: { tpm: 4000 } } }
            """))
        #expect(r.tokenBudget.truncatedPrompts > 0)
        #expect(r.tokenBudget.maxPromptTokens <= 1500)
        #expect(r.totals.failed == 0)
        #expect(r.usage.byRoute.map(\.route) == ["default", "simple"])
        let off = simulate(try scenario("""
            name: t
            duration: 1h
            load:
              rate: 1/m
              prompts: [ { text: "What is the capital of France?", weight: 1 }, { text: "word", repeat: 10000, weight: 1 } ]
            stack: { budget: off }
            llm: { latency: 1s, rate_limits: { llama-3.3-70b-versatile: { tpm: 4000 } } }
            """))
        // Without the budget the provider refuses the oversized prompt with 413: a permanent failure.
        #expect(off.totals.failed > 0)
        #expect(off.attemptOutcomes.contains { $0.name == "413" })
    }

    @Test func aSystemPromptTooLargeForTheBudgetFailsWithCauseTokenBudget() throws {
        var s = try scenario("name: t\nduration: 10m\nload: { rate: 1/m }\nstack: { budget: { max_tokens: 100, reserve_for_output: 50 } }\n")
        s.stack.systemPrompt = String(repeating: "x", count: 1000)
        let r = simulate(s)
        #expect(r.totals.failed == r.totals.tasks && r.totals.tasks > 0)
        #expect(r.failuresByCause == [NamedCount(name: "token_budget", count: r.totals.failed)])
        #expect(r.usage.llmCalls == 0)
    }
}
