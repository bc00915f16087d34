import Foundation
import Reliability
import Testing

@testable import Scenarios

@Suite struct ArithmeticTests {
    @Test func clopperPearsonMatchesPublishedValues() {
        // 0 of 10 at 95%: upper = 1 - 0.025^(1/10) = 0.30850.
        let a = BinomialInterval.clopperPearson(successes: 0, trials: 10, confidence: 0.95)
        #expect(a.lower == 0)
        #expect(abs(a.upper - 0.308_50) < 1e-4)
        // 5 of 10 at 95%: [0.18709, 0.81291] (standard tables).
        let b = BinomialInterval.clopperPearson(successes: 5, trials: 10, confidence: 0.95)
        #expect(abs(b.lower - 0.187_09) < 1e-4)
        #expect(abs(b.upper - 0.812_91) < 1e-4)
        // 10 of 1000 at 99%: [0.0037268, 0.0212761] (binomial tails summed directly).
        let c = BinomialInterval.clopperPearson(successes: 10, trials: 1000, confidence: 0.99)
        #expect(abs(c.lower - 0.003_726_8) < 1e-6)
        #expect(abs(c.upper - 0.021_276_1) < 1e-6)
    }

    @Test func productionFramingUsesTheScenariosOwnNumbers() {
        #expect(ArithmeticReport.framing(failure: 0.01, tasksPerDay: 1000, attempts: 1)
            == "99% success at 1,000 tasks/day = 10 failures/day (1 attempt)")
        #expect(ArithmeticReport.framing(failure: 0.01, tasksPerDay: 10000, attempts: 1)
            == "99% success at 10,000 tasks/day = 100 failures/day (1 attempt)")
        #expect(ArithmeticReport.framing(failure: 1e-10, tasksPerDay: 10000, attempts: 5)
            == "99.99999999% success at 10,000 tasks/day = 1.0e-06 failures/day (one every 2,740 years) (5 attempts)")
    }

    @Test func perAttemptFailuresCompoundAsQToTheN() throws {
        let s = try scenario("""
            name: t
            duration: 1d
            load: { tasks_per_day: 1000 }
            stack: { retry: { attempts: 5 }, breaker: off, timeout: 30s }
            llm:
              latency: 1s
              faults: [ { rate: 1%, status: 500 } ]
            """)
        let m = FailureModel(scenario: s)
        #expect(abs(m.transient - 0.01) < 1e-12)
        #expect(m.permanent == 0)
        #expect(abs(m.taskFailure - 1e-10) < 1e-20)
        #expect(abs(m.singleAttemptFailure - 0.01) < 1e-12)
        #expect(m.closedForm)
    }

    @Test func permanentAndTransientFailuresSplit() throws {
        let s = try scenario("""
            name: t
            duration: 1d
            load: { tasks_per_day: 1000 }
            stack: { retry: { attempts: 3 }, breaker: off }
            llm:
              latency: 1s
              faults: [ { rate: 10%, status: 503 }, { rate: 10%, status: 400 } ]
            """)
        let m = FailureModel(scenario: s)
        #expect(abs(m.transient - 0.1) < 1e-12)
        #expect(abs(m.permanent - 0.09) < 1e-12)  // the second rule fires only when the first did not
        #expect(abs(m.exhaustion - 0.001) < 1e-12)
        #expect(abs(m.permanentFailure - 0.09 * (1 + 0.1 + 0.01)) < 1e-12)
    }

    @Test func timeoutExceedanceCountsAsATransientFailure() throws {
        let s = try scenario("""
            name: t
            duration: 1d
            load: { tasks_per_day: 1000 }
            stack: { retry: { attempts: 2 }, timeout: 2s, breaker: off }
            llm: { latency: { uniform: { min: 1s, max: 3s } } }
            """)
        let m = FailureModel(scenario: s)
        #expect(abs(m.timeout - 0.5) < 1e-12)
        #expect(abs(m.taskFailure - 0.25) < 1e-12)
    }

    @Test func theSimulatorAgreesWithTheClosedForm() throws {
        let s = try scenario("""
            name: t
            seed: 11
            duration: 7d
            load: { tasks_per_day: 2000 }
            stack: { retry: { attempts: 2, min: 1s, max: 1s }, breaker: off }
            llm:
              latency: 500ms
              faults: [ { rate: 10%, status: 500 } ]
            expect:
              failure_arithmetic: 99%
            """)
        let r = simulate(s)
        let a = try #require(r.arithmetic)
        #expect(abs(a.expectedFailureProbability - 0.01) < 1e-12)
        #expect(a.consistent)
        #expect(verdict(r, "failure_arithmetic")?.passed == true)
        #expect(a.observedFailures > 90 && a.observedFailures < 200)  // ~140 expected of 14,000
    }
}
