import Testing

@testable import Reliability

/// A scripted step against a breaker: at `at`, either ask for admission or report a result.
enum Step {
    case admit(Double, expect: Expected)
    case fail(Double)
    case succeed(Double)

    enum Expected: Equatable {
        case admitted(probe: Bool)
        case rejected(retryAt: Double)
    }
}

/// Runs steps; each result consumes the oldest admitted ticket that has not reported yet.
func run(_ config: BreakerConfig, _ steps: [Step]) -> (CircuitBreaker, [BreakerTransition]) {
    var b = CircuitBreaker(config)
    var tickets: [BreakerTicket] = []
    var transitions: [BreakerTransition] = []
    for (i, step) in steps.enumerated() {
        switch step {
        case .admit(let t, let expected):
            switch b.admit(now: s(t)) {
            case .admitted(let tk):
                tickets.append(tk)
                #expect(expected == .admitted(probe: tk.isProbe), "step \(i) at \(t)s")
            case .rejected(let retryAt):
                #expect(expected == .rejected(retryAt: retryAt.seconds), "step \(i) at \(t)s")
            }
        case .fail(let t):
            b.record(.transient, ticket: tickets.removeFirst(), now: s(t))
        case .succeed(let t):
            b.record(.success, ticket: tickets.removeFirst(), now: s(t))
        }
        transitions += b.takeTransitions()
    }
    return (b, transitions)
}

@Suite struct CircuitBreakerTests {
    let countConfig = BreakerConfig(
        trip: .failureCount(threshold: 3, window: .seconds(10)), recoveryTimeout: .seconds(30), halfOpenProbes: 2)

    @Test func opensAfterThresholdFailuresInsideWindow() {
        let (b, tr) = run(
            countConfig,
            [
                .admit(0, expect: .admitted(probe: false)), .fail(1),
                .admit(2, expect: .admitted(probe: false)), .fail(3),
                .admit(4, expect: .admitted(probe: false)), .fail(5),
                .admit(6, expect: .rejected(retryAt: 35)),
            ])
        #expect(b.state == .open)
        #expect(tr.map(\.to) == [.open])
        #expect(tr[0].at == .seconds(5))
        #expect(tr[0].cause == .failureThreshold(failures: 3))
    }

    @Test func failuresOlderThanTheWindowDoNotCount() {
        let (b, tr) = run(
            countConfig,
            [
                .admit(0, expect: .admitted(probe: false)), .fail(0),
                .admit(1, expect: .admitted(probe: false)), .fail(1),
                .admit(11, expect: .admitted(probe: false)), .fail(11),  // the 0 s failure left the window at 10 s
                .admit(11.5, expect: .admitted(probe: false)),
            ])
        #expect(b.state == .closed)
        #expect(tr.isEmpty)
    }

    @Test func halfOpenAdmitsExactlyTheConfiguredProbesThenCloses() {
        let (b, tr) = run(
            countConfig,
            [
                .admit(0, expect: .admitted(probe: false)), .fail(0),
                .admit(0, expect: .admitted(probe: false)), .fail(0),
                .admit(0, expect: .admitted(probe: false)), .fail(0),
                .admit(29.999, expect: .rejected(retryAt: 30)),
                .admit(30, expect: .admitted(probe: true)),
                .admit(30.5, expect: .admitted(probe: true)),
                .admit(31, expect: .rejected(retryAt: 61)),  // both probes out
                .succeed(32),
                .succeed(33),
                .admit(34, expect: .admitted(probe: false)),
            ])
        #expect(b.state == .closed)
        #expect(tr.map(\.to) == [.open, .halfOpen, .closed])
        #expect(tr.map(\.at) == [.zero, .seconds(30), .seconds(33)])
        #expect(tr[1].cause == .recoveryTimeoutElapsed && tr[2].cause == .probesSucceeded)
    }

    @Test func aFailedProbeReopensAndRestartsTheTimer() {
        let (b, tr) = run(
            countConfig,
            [
                .admit(0, expect: .admitted(probe: false)), .fail(0),
                .admit(0, expect: .admitted(probe: false)), .fail(0),
                .admit(0, expect: .admitted(probe: false)), .fail(0),
                .admit(40, expect: .admitted(probe: true)),
                .fail(41),
                .admit(42, expect: .rejected(retryAt: 71)),
                .admit(71, expect: .admitted(probe: true)),
            ])
        #expect(b.state == .halfOpen)
        #expect(tr.map(\.to) == [.open, .halfOpen, .open, .halfOpen])
        #expect(tr[2].at == .seconds(41) && tr[2].cause == .probeFailed)
    }

    @Test func recoveryTimeoutGrowsOnConsecutiveOpens() {
        var config = countConfig
        config.halfOpenProbes = 1
        config.recoveryMultiplier = 2
        config.maxRecoveryTimeout = .seconds(100)
        let (b, _) = run(
            config,
            [
                .admit(0, expect: .admitted(probe: false)), .fail(0),
                .admit(0, expect: .admitted(probe: false)), .fail(0),
                .admit(0, expect: .admitted(probe: false)), .fail(0),  // open 0..30
                .admit(30, expect: .admitted(probe: true)), .fail(30),  // open 30..90
                .admit(89, expect: .rejected(retryAt: 90)),
                .admit(90, expect: .admitted(probe: true)), .fail(90),  // open 90..190 (120 capped to 100)
                .admit(189, expect: .rejected(retryAt: 190)),
            ])
        #expect(b.consecutiveOpens == 3)
    }

    @Test func failureRateModeWaitsForMinimumCalls() {
        let config = BreakerConfig(
            trip: .failureRate(threshold: 0.5, minimumCalls: 4, window: .seconds(60)), recoveryTimeout: .seconds(10))
        let (b1, _) = run(
            config,
            [
                .admit(0, expect: .admitted(probe: false)), .fail(0),
                .admit(1, expect: .admitted(probe: false)), .fail(1),
                .admit(2, expect: .admitted(probe: false)), .fail(2),
            ])
        #expect(b1.state == .closed)  // 100% failures but only 3 calls
        let (b2, tr) = run(
            config,
            [
                .admit(0, expect: .admitted(probe: false)), .succeed(0),
                .admit(1, expect: .admitted(probe: false)), .fail(1),
                .admit(2, expect: .admitted(probe: false)), .succeed(2),
                .admit(3, expect: .admitted(probe: false)), .fail(3),
            ])
        #expect(b2.state == .open)
        #expect(tr.first?.cause == .failureRate(rate: 0.5, calls: 4))
    }

    @Test func resultsFromCallsAdmittedBeforeATransitionAreIgnored() {
        var b = CircuitBreaker(countConfig)
        guard case .admitted(let straggler) = b.admit(now: .zero) else { Issue.record("not admitted"); return }
        for _ in 0..<3 {
            guard case .admitted(let t) = b.admit(now: .zero) else { return }
            b.record(.transient, ticket: t, now: .zero)
        }
        #expect(b.state == .open)
        guard case .admitted(let probe) = b.admit(now: .seconds(30)) else { Issue.record("no probe"); return }
        b.record(.transient, ticket: straggler, now: .seconds(31))  // stale: must not re-open
        #expect(b.state == .halfOpen)
        b.record(.success, ticket: probe, now: .seconds(31))
        #expect(b.state == .halfOpen)  // 1 of 2 probes
    }

    @Test func forcedOpenRejectsAndDisabledAdmitsEverything() {
        var b = CircuitBreaker(countConfig)
        b.forceOpen(now: .seconds(1))
        #expect(b.admit(now: .seconds(1000)) == .rejected(retryAt: .seconds(1030)))
        b.disable(now: .seconds(2))
        for i in 0..<10 {
            guard case .admitted(let t) = b.admit(now: s(Double(i))) else { Issue.record("rejected"); return }
            b.record(.transient, ticket: t, now: s(Double(i)))
        }
        #expect(b.state == .disabled)
        b.reset(now: .seconds(3))
        #expect(b.state == .closed)
        #expect(b.takeTransitions().map(\.to) == [.forcedOpen, .disabled, .closed])
    }

    @Test func permanentErrorsDoNotTripTheBreaker() {
        var b = CircuitBreaker(countConfig)
        for _ in 0..<10 {
            guard case .admitted(let t) = b.admit(now: .zero) else { return }
            b.record(.permanent, ticket: t, now: .zero)
        }
        #expect(b.state == .closed)
    }
}

@Suite struct BreakerReleaseTests {
    @Test func anAbortedProbeGivesItsSlotBack() {
        var b = CircuitBreaker(BreakerConfig(trip: .failureCount(threshold: 1, window: .seconds(60)), recoveryTimeout: .seconds(10)))
        guard case .admitted(let t) = b.admit(now: .zero) else { Issue.record("rejected"); return }
        b.record(.transient, ticket: t, now: .zero)
        guard case .admitted(let probe) = b.admit(now: .seconds(10)) else { Issue.record("no probe"); return }
        #expect(b.admit(now: .seconds(11)) == .rejected(retryAt: .seconds(21)))  // the one probe is out
        b.release(probe)
        guard case .admitted(let second) = b.admit(now: .seconds(12)) else { Issue.record("slot not freed"); return }
        #expect(second.isProbe && b.state == .halfOpen)
        b.record(.transient, ticket: probe, now: .seconds(13))  // a late result of the released probe
        #expect(b.state == .halfOpen)
    }
}
