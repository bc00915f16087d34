import Reliability
import Testing

@testable import Scenarios

/// The breaker inferred at the LLM (`InferredBreakerMachine`, issue #9 item 4), with explicit instants.
@Suite struct InferredBreakerTests {
    /// Feeds `arrivals` (seconds) and `calls` (received at, answered after, 2xx?) through the tally.
    static func infer(
        arrivals: [Double], calls: [(at: Double, delay: Double, ok: Bool)], end: Double = 100,
        windows: [FaultWindowInfo] = [FaultWindowInfo(index: 1, start: 10, end: 40, label: "status 503")]
    ) -> InferredBreakerFigures {
        var t = InferredBreakerTally(rule: InferredBreakerRule())
        // Out of order on purpose: the tally sorts (a live run reads the call log in pages).
        for c in calls.reversed() {
            t.call(
                LLMCallRecord(
                    at: .fromSeconds(c.at), taskID: 0, keyID: -1, attempt: 1, outcome: .status(c.ok ? 200 : 503),
                    generated: c.ok, model: 0, route: -1, delay: .fromSeconds(c.delay)))
        }
        for a in arrivals { t.arrival(ScenarioClock.nanoseconds(.fromSeconds(a))) }
        return t.finish(endNanos: ScenarioClock.nanoseconds(.fromSeconds(end)), windows: windows)
    }

    /// One arrival every `gap` seconds in `[from, to)`.
    static func steady(_ from: Double, _ to: Double, gap: Double) -> [Double] {
        stride(from: from, to: to, by: gap).map { $0 }
    }

    /// A service with a breaker: each arrival calls at once until the outage's 5th failure, then
    /// nothing until a probe every 10 s; the probe after the outage succeeds and traffic resumes.
    static func withBreaker() -> InferredBreakerFigures {
        let arrivals = steady(0, 60, gap: 0.5)
        var calls: [(at: Double, delay: Double, ok: Bool)] = []
        var failures = 0
        var openUntil: Double?
        for a in arrivals {
            let outage = a >= 10 && a < 40
            if let until = openUntil {
                guard a >= until else { continue }
                // The probe.
                calls.append((a, 0.1, !outage))
                if outage { openUntil = a + 10 } else { openUntil = nil }
                continue
            }
            calls.append((a, 0.1, !outage))
            if outage { failures += 1 }
            if failures == 5 {
                openUntil = a + 0.1 + 10
                failures = 0
            }
        }
        return infer(arrivals: arrivals, calls: calls)
    }

    @Test func anOpenIsInferredAtTheLastFailedAnswerWhenArrivalsGetNoCalls() {
        let f = Self.withBreaker()
        let open = f.transitions.first
        #expect(open?.to == "open")
        // The 5th failure was the call at t=12.0 (arrivals at 10, 10.5, 11, 11.5, 12), answered at 12.1.
        #expect(abs((open?.at ?? 0) - 12.1) < 1e-6)
        #expect(f.opens == 1)
    }

    @Test func isolatedProbesDuringTheOutageKeepItOpenAndASuccessfulProbeWithTrafficClosesIt() {
        let f = Self.withBreaker()
        #expect(f.transitions.map(\.to) == ["open", "closed"], "\(f.transitions)")
        guard f.transitions.count == 2 else { return }
        // Probes at 22.5 and 32.5 failed; the one at 42.5 succeeded (answered 42.6), and traffic followed.
        #expect(abs(f.transitions[1].at - 42.6) < 1e-6)
        #expect(f.probes == 2)
        #expect(f.maxProbeBurst == 1)
        #expect(f.finalState == "closed")
    }

    @Test func aServiceWithoutABreakerIsNeverInferredOpen() {
        // Every arrival calls and retries twice, whatever the outcome.
        let arrivals = Self.steady(0, 60, gap: 0.5)
        var calls: [(at: Double, delay: Double, ok: Bool)] = []
        for a in arrivals {
            let ok = !(a >= 10 && a < 40)
            calls.append((a, 0.1, ok))
            if !ok { calls += [(a + 1.3, 0.1, false), (a + 3.1, 0.1, false)] }
        }
        let f = Self.infer(arrivals: arrivals, calls: calls)
        #expect(f.opens == 0)
        #expect(f.transitions.isEmpty)
        #expect(f.windows[0].calls > f.windows[0].arrivals)
    }

    @Test func aServiceWithoutABreakerIsNeverInferredOpenWhenFaultsAreAnsweredAtOnce() {
        // The same service, every 503 answered at the instant it arrived (delay 0): the candidates
        // made at the calls' own instants must not add up to an opening.
        let arrivals = Self.steady(0, 60, gap: 0.5)
        var calls: [(at: Double, delay: Double, ok: Bool)] = []
        for a in arrivals {
            let ok = !(a >= 10 && a < 40)
            calls.append((a, ok ? 0.1 : 0, ok))
            if !ok { calls += [(a + 1.3, 0, false), (a + 3.1, 0, false)] }
        }
        let f = Self.infer(arrivals: arrivals, calls: calls)
        #expect(f.opens == 0)
        #expect(f.transitions.isEmpty)
    }

    @Test func aStallThatCatchesUpWithFailingCallsIsNotAnOpening() {
        // No breaker; the service stalls from 20 s to 22 s, then calls for every task that waited.
        let arrivals = Self.steady(0, 60, gap: 0.5)
        var calls: [(at: Double, delay: Double, ok: Bool)] = []
        for a in arrivals {
            let at = a >= 20 && a < 22 ? 22 + (a - 20) / 10 : a
            calls.append((at, 0.1, !(a >= 10 && a < 40)))
        }
        let f = Self.infer(arrivals: arrivals, calls: calls)
        #expect(f.opens == 0, "\(f.transitions)")
        #expect(f.stalls == 1)
        #expect(f.transitions.isEmpty)
    }

    @Test func aBurstOfArrivalsWhoseCallsLagIsNotAnOpening() {
        // A failure, 8 s of quiet, then three arrivals within 0.2 s whose calls come 0.3 s later.
        let f = Self.infer(
            arrivals: [12, 20, 20.1, 20.2, 30],
            calls: [(12, 0.1, false), (20.3, 0.1, true), (20.4, 0.1, true), (20.5, 0.1, true), (30, 0.1, true)])
        #expect(f.opens == 0, "\(f.transitions)")
    }

    @Test func lowTrafficAloneNeverLooksOpen() {
        // Two arrivals 20 s apart after a failed call: a long silence, but too few arrivals to judge.
        let f = Self.infer(arrivals: [5, 12, 32], calls: [(5, 0.1, true), (12, 0.1, false), (32, 0.1, true)])
        #expect(f.opens == 0)
        // One arrival after the failure got its call at once: the service was still calling.
        let g = Self.infer(arrivals: [12, 20, 40, 60], calls: [(12, 0.1, false), (20, 0.1, true), (40, 0.1, true), (60, 0.1, true)])
        #expect(g.opens == 0)
    }

    @Test func aRetryBeforeAnyArrivalWasRefusedMovesTheCandidateToTheLaterFailure() {
        // Failure at 11, its retry at 14 (no arrival in between) fails too, then arrivals get no call.
        let arrivals: [Double] = [11, 16, 17, 18, 19]
        let f = Self.infer(arrivals: arrivals, calls: [(11, 0.1, false), (14, 0.1, false)])
        #expect(f.opens == 1)
        #expect(abs((f.transitions.first?.at ?? 0) - 14.1) < 1e-6)
    }

    @Test func aLateFailureAnsweredAtOnceAfterTheOpeningStillMarksIt() {
        // Failures answered at once (delay 0) at 10.0–10.2 open the breaker; one more call admitted
        // before it opened arrives at 10.5 (inside the 1 s silence) and fails at once; then arrivals
        // get no call. The opening is at that last failure, not at the next probe's.
        let arrivals = Self.steady(10, 40, gap: 0.1)
        let calls: [(at: Double, delay: Double, ok: Bool)] =
            [(10.0, 0, false), (10.1, 0, false), (10.2, 0, false), (10.5, 0, false), (20.5, 0, false)]
        let f = Self.infer(arrivals: arrivals, calls: calls)
        #expect(f.transitions.first?.to == "open")
        #expect(abs((f.transitions.first?.at ?? 0) - 10.5) < 1e-6)
    }

    @Test func foreignTargetsCanObserveTheInferableBreakerExpectationsOnly() throws {
        let s = try scenario(
            """
            name: inferred
            duration: 1m
            load: { rate: 1/s }
            stack: { breaker: { failure_threshold: 5 } }
            llm: { faults: [ { during: 10s..40s, status: 503 } ] }
            expect:
              breaker:
                opens_within: 5s
                closes_within: 10s
                cycles: "<= 1"
                half_open_probes: "<= 1"
                calls_while_open: 0
                opens_after: 5 failures
            """)
        let missing = ObservabilityCheck.unobservable(s.expectations, provided: LiveScenarioDriver.foreignTargetEvidence)
        #expect(Set(missing.map(\.name)) == ["breaker.calls_while_open", "breaker.opens_after"])
        #expect(s.expectations.filter(\.breakerInferable).count == 4)
    }

    static func result(_ f: InferredBreakerFigures) throws -> ScenarioResult {
        let s = try scenario(
            """
            name: inferred
            duration: 1m
            load: { rate: 2/s }
            stack: { breaker: off }
            llm: { faults: [ { during: 10s..40s, status: 503 } ] }
            expect:
              breaker: { opens_within: 5s, closes_within: 5s, cycles: "<= 1", half_open_probes: "<= 1" }
            """)
        var r = ScenarioRunner.simulate(s)
        r.aggregates.mechanisms.inferredBreaker = f
        ExpectationEvaluator.evaluate(s, &r)
        return r
    }

    @Test func breakerVerdictsOfAForeignTargetJudgeTheInferredBreaker() throws {
        let r = try Self.result(Self.withBreaker())
        let opens = try #require(verdict(r, "breaker.opens_within"))
        #expect(opens.passed)
        #expect(opens.measuredFrom == "inferred at the LLM (mock call log)")
        #expect(opens.observations == 60)
        #expect(abs((opens.value ?? 0) - 2.1) < 1e-6)
        let closes = try #require(verdict(r, "breaker.closes_within"))
        #expect(closes.passed)
        #expect(abs((closes.value ?? 0) - 2.6) < 1e-6)
        #expect(verdict(r, "breaker.cycles")?.passed == true)
        #expect(verdict(r, "breaker.half_open_probes")?.passed == true)
    }

    @Test func aServiceThatKeepsCallingFailsOpensWithinWithTheCallsItSent() throws {
        let arrivals = Self.steady(0, 60, gap: 0.5)
        let calls = arrivals.flatMap { a -> [(at: Double, delay: Double, ok: Bool)] in
            let ok = !(a >= 10 && a < 40)
            return ok ? [(a, 0.1, true)] : [(a, 0.1, false), (a + 1, 0.1, false)]
        }
        let r = try Self.result(Self.infer(arrivals: arrivals, calls: calls))
        let opens = try #require(verdict(r, "breaker.opens_within"))
        #expect(!opens.passed)
        #expect(opens.status != .noEvidence)
        #expect(opens.observed == "never opened")
        #expect(opens.detail.contains("118 calls (118 failed) for 60 arrivals"), "\(opens.detail)")
        #expect(verdict(r, "breaker.closes_within")?.status == .noEvidence)
        #expect(verdict(r, "breaker.half_open_probes")?.status == .noEvidence)
    }

    @Test func tooFewArrivalsInTheWindowIsNoEvidenceNeverAPass() throws {
        let r = try Self.result(Self.infer(arrivals: [5, 12, 30], calls: [(5, 0.1, true), (12, 0.1, false), (30, 0.1, false)]))
        let opens = try #require(verdict(r, "breaker.opens_within"))
        #expect(opens.status == .noEvidence)
        #expect(opens.observed == "too few arrivals")
    }

    @Test func theInferenceIsKeptOnlyForAForeignTargetWithAnInferableBreakerExpectation() throws {
        let inferable = try scenario(
            """
            name: n
            duration: 1m
            load: { rate: 2/s }
            llm: { faults: [ { during: 10s..40s, status: 503 } ] }
            expect: { breaker: { opens_within: 5s } }
            """)
        let other = try scenario(
            """
            name: n
            duration: 1m
            load: { rate: 2/s }
            expect: { success_rate: ">= 50%" }
            """)
        #expect(ResultNeeds(scenario: inferable, foreignTarget: true).mechanisms.inferredBreaker == InferredBreakerRule())
        #expect(ResultNeeds(scenario: inferable).mechanisms.inferredBreaker == nil)
        #expect(ResultNeeds(scenario: other, foreignTarget: true).mechanisms.inferredBreaker == nil)
    }
}
