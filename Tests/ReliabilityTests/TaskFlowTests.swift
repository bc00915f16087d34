import Testing

@testable import Reliability

/// Drives one task to completion against scripted attempt outcomes, each taking `latency`.
struct Driver {
    var config: StackConfig
    var state: StackState
    var rng = SquallRandom(seed: 1)
    var sink = CollectingEventSink()

    init(_ config: StackConfig) {
        self.config = config
        state = config.makeState()
    }

    mutating func run(start: Duration = .zero, latency: Duration = .milliseconds(100), _ outcomes: [AttemptOutcome]) -> TaskOutcome {
        var flow = TaskFlow(startedAt: start)
        var script = outcomes[...]
        var action = flow.start(config: config, state: &state, now: start, rng: &rng, sink: &sink)
        var now = start
        for _ in 0..<100 {
            switch action {
            case .attempt:
                now += latency
                let outcome = script.popFirst() ?? .ok
                action = flow.attemptEnded(outcome, config: config, state: &state, now: now, rng: &rng, sink: &sink)
            case .sleep(let until):
                now = until
                action = flow.wakeUp(config: config, state: &state, now: now, rng: &rng, sink: &sink)
            case .finish(let outcome):
                return outcome
            }
        }
        Issue.record("task did not finish")
        return TaskOutcome(succeeded: false, attempts: 0, calls: 0, finishedAt: now)
    }
}

extension TaskOutcome {
    init(succeeded: Bool, attempts: Int, calls: Int, finishedAt: Duration) {
        self.init(succeeded: succeeded, attempts: attempts, calls: calls, cause: nil, lastOutcome: nil, lastClass: nil, finishedAt: finishedAt)
    }
}

@Suite struct TaskFlowTests {
    var base: StackConfig {
        var c = StackConfig()
        c.retry = RetryPolicy(maxAttempts: 5, backoff: Backoff(multiplier: 1, min: .seconds(1), max: .seconds(60)))
        c.breaker = nil
        return c
    }

    @Test func retriesTransientFailuresOnTheTenacitySchedule() {
        var d = Driver(base)
        let o = d.run([.status(503), .status(503), .ok])
        #expect(o.succeeded && o.attempts == 3 && o.calls == 3 && o.cause == nil)
        // 0.1 s attempt, 1 s wait, 0.1 s, 2 s wait, 0.1 s.
        #expect(o.finishedAt == .milliseconds(3300))
        let retries = d.sink.events.compactMap { e -> Duration? in
            if case .retryScheduled(_, let delay, _, _, _) = e { return delay } else { return nil }
        }
        #expect(retries == [.seconds(1), .seconds(2)])
    }

    @Test func exhaustionReraisesTheLastAttemptsOwnError() {
        var d = Driver(base)
        let o = d.run([.status(503), .status(502), .transport(.reset), .status(500), .status(504)])
        #expect(!o.succeeded && o.attempts == 5 && o.cause == .attemptsExhausted)
        #expect(o.lastOutcome == .status(504) && o.lastClass == .transient)
        // Four waits: 1 + 2 + 4 + 8 s plus five 0.1 s attempts.
        #expect(o.finishedAt == .milliseconds(15_500))
    }

    @Test func permanentFailuresStopAtOnce() {
        var d = Driver(base)
        let o = d.run([.status(400)])
        #expect(!o.succeeded && o.attempts == 1 && o.cause == .permanent && o.lastOutcome == .status(400))
    }

    @Test func retryAfterFromA429IsHonoured() {
        var d = Driver(base)
        let o = d.run([.status(429, ResponseHints(retryAfter: .seconds(7))), .ok])
        #expect(o.succeeded && o.finishedAt == .milliseconds(7200))
        #expect(d.sink.events.contains { if case .retryScheduled(2, .seconds(7), .retryAfter, _, _) = $0 { return true } else { return false } })
    }

    @Test func budgetExhaustionStopsRetriesWithItsOwnCause() {
        var c = base
        c.retryBudget = .tokenBucket(capacity: 10, retryCost: 5, timeoutCost: 10, noRetryIncrement: 1)
        var d = Driver(c)
        let first = d.run([.status(503), .status(503), .status(503)])
        #expect(first.cause == .budgetExhausted && first.attempts == 3)
        let second = d.run([.status(503)])
        #expect(second.cause == .budgetExhausted && second.attempts == 1)
    }

    @Test func deadlineBoundsTheAttemptTimeoutAndStopsRetries() {
        var c = base
        c.attemptTimeout = .seconds(30)
        c.retry.deadline = .seconds(10)
        var flow = TaskFlow(startedAt: .zero)
        var state = c.makeState()
        var rng = SquallRandom(seed: 1)
        var sink = NullEventSink()
        #expect(flow.start(config: c, state: &state, now: .zero, rng: &rng, sink: &sink) == .attempt(number: 1, timeout: .seconds(10)))
        let a = flow.attemptEnded(.transport(.timeout), config: c, state: &state, now: .seconds(9.5), rng: &rng, sink: &sink)
        guard case .finish(let o) = a else { Issue.record("expected finish, got \(a)"); return }
        #expect(o.cause == .deadlineExceeded && o.lastOutcome == .transport(.timeout))
    }

    @Test func breakerRejectionUnderPolicyFailShedsTheTask() {
        var c = base
        c.breaker = BreakerConfig(trip: .failureCount(threshold: 2, window: .seconds(60)), recoveryTimeout: .seconds(30))
        c.onBreakerOpen = .fail
        c.retry.maxAttempts = 1
        var d = Driver(c)
        _ = d.run([.status(503)])
        _ = d.run(start: .seconds(1), [.status(503)])
        let shed = d.run(start: .seconds(2), [.ok])
        #expect(!shed.succeeded && shed.cause == .breakerOpen && shed.calls == 0)
        #expect(d.state.breaker?.state == .open)
    }

    @Test func breakerRejectionUnderPolicyRetryWaitsForTheBreaker() {
        var c = base
        c.breaker = BreakerConfig(trip: .failureCount(threshold: 2, window: .seconds(60)), recoveryTimeout: .seconds(30))
        c.onBreakerOpen = .retry
        c.retry.maxAttempts = 1
        var d = Driver(c)
        _ = d.run([.status(503)])
        _ = d.run(start: .seconds(1), [.status(503)])  // opens at 1.1 s until 31.1 s
        c.retry.maxAttempts = 3
        d.config = c
        let o = d.run(start: .seconds(2), [.ok])
        // Rejected at 2 s, told to come back at 31.1 s (a 29.1 s hint), then the probe succeeds.
        #expect(o.succeeded && o.calls == 1 && o.attempts == 2)
        #expect(o.finishedAt == .milliseconds(31_200))
        #expect(d.state.breaker?.state == .closed)
        #expect(d.sink.events.contains { if case .retryScheduled(_, _, .breakerOpen, _, _) = $0 { return true } else { return false } })
    }

    @Test func ignoringRetryAfterIgnoresTheServerButNotTheBreaker() {
        var c = base
        c.retry.honorRetryAfter = false
        // A 429 asking for 7 s gets the computed backoff (1 s) instead.
        var d = Driver(c)
        let o = d.run([.status(429, ResponseHints(retryAfter: .seconds(7))), .ok])
        #expect(o.succeeded && o.finishedAt == .milliseconds(1200))
        #expect(d.sink.events.contains { if case .retryScheduled(2, .seconds(1), .throttledBackoff, _, _) = $0 { return true } else { return false } })
        // The breaker's come-back time is the client's own, not a server hint: still honoured.
        c.breaker = BreakerConfig(trip: .failureCount(threshold: 2, window: .seconds(60)), recoveryTimeout: .seconds(30))
        c.onBreakerOpen = .retry
        c.retry.maxAttempts = 1
        var b = Driver(c)
        _ = b.run([.status(503)])
        _ = b.run(start: .seconds(1), [.status(503)])  // opens at 1.1 s until 31.1 s
        c.retry.maxAttempts = 3
        b.config = c
        let waited = b.run(start: .seconds(2), [.ok])
        #expect(waited.succeeded && waited.finishedAt == .milliseconds(31_200))
    }

    @Test func breakerRejectionUnderPolicyWaitUsesNoAttempt() {
        var c = base
        c.breaker = BreakerConfig(trip: .failureCount(threshold: 1, window: .seconds(60)), recoveryTimeout: .seconds(10))
        c.onBreakerOpen = .wait
        c.retry.maxAttempts = 1
        var d = Driver(c)
        _ = d.run([.status(503)])  // opens at 0.1 s until 10.1 s
        let o = d.run(start: .seconds(1), [.ok])
        #expect(o.succeeded && o.attempts == 1 && o.finishedAt == .milliseconds(10_200))
    }

    @Test func breakerTransitionsAreEmittedAsEvents() {
        var c = base
        c.breaker = BreakerConfig(trip: .failureCount(threshold: 1, window: .seconds(60)), recoveryTimeout: .seconds(10))
        c.retry.maxAttempts = 1
        var d = Driver(c)
        _ = d.run([.status(500)])
        let transitions = d.sink.events.compactMap { e -> BreakerTransition? in if case .breaker(let t) = e { return t } else { return nil } }
        #expect(transitions.count == 1 && transitions[0].to == .open && transitions[0].at == .milliseconds(100))
    }

    @Test func planRoutesAndBudgetsTheTask() throws {
        var c = StackConfig()
        c.systemPrompt = "You are terse."
        let plan = try c.plan(task: "What is 2+2?")
        #expect(plan.route.model == "llama-3.1-8b-instant")
        #expect(plan.prompt.messages.map(\.role) == ["system", "user"])
        c.tokenBudget = TokenBudget(maxTokens: 10, reserveForOutput: 8)
        c.systemPrompt = String(repeating: "x", count: 100)
        #expect(throws: TokenBudgetError.self) { try c.plan(task: "hi") }
    }
}

@Suite struct TaskFlowAbortTests {
    @Test func abortingAProbeMidAttemptFreesTheBreakerAndCountsNoFailure() {
        var c = StackConfig()
        c.breaker = BreakerConfig(trip: .failureCount(threshold: 1, window: .seconds(60)), recoveryTimeout: .seconds(10))
        c.retry.maxAttempts = 1
        var state = c.makeState()
        var rng = SquallRandom(seed: 1)
        var sink = NullEventSink()
        var first = TaskFlow(startedAt: .zero)
        _ = first.start(config: c, state: &state, now: .zero, rng: &rng, sink: &sink)
        _ = first.attemptEnded(.status(503), config: c, state: &state, now: .zero, rng: &rng, sink: &sink)
        #expect(state.breaker?.state == .open)
        var probe = TaskFlow(startedAt: .seconds(10))
        #expect(probe.start(config: c, state: &state, now: .seconds(10), rng: &rng, sink: &sink) == .attempt(number: 1, timeout: .seconds(30)))
        let o = probe.abort(cause: .shutdown, state: &state, now: .seconds(11), sink: &sink)
        #expect(o.cause == .shutdown && o.calls == 1)
        var next = TaskFlow(startedAt: .seconds(12))
        #expect(next.start(config: c, state: &state, now: .seconds(12), rng: &rng, sink: &sink) == .attempt(number: 1, timeout: .seconds(30)))
        #expect(state.breaker?.state == .halfOpen)
    }
}
