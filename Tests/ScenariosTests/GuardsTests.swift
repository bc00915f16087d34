import Foundation
import Testing
import YAMLConfig

@testable import Scenarios

/// `guards:` names the planted defects a scenario claims to catch; names are checked strictly.
@Suite struct GuardsTests {
    static let base = """
        name: t
        duration: 1h
        load: { tasks_per_day: 100 }
        stack: { breaker: { failure_threshold: 5 }, retry: { attempts: 4, jitter: full } }
        expect: { failures: 0 }

        """

    @Test func guardsAreLoadedInOrder() throws {
        let s = try scenario(Self.base + "guards: [no_jitter, no_breaker, fewer_attempts]\n")
        #expect(s.guards == [.noJitter, .noBreaker, .fewerAttempts])
        #expect(try scenario(Self.base).guards.isEmpty)
    }

    @Test func aTypoIsBadInputWithDidYouMean() throws {
        let e = try #require(loadError(Self.base + "guards: [no_jitter, no_breakr]\n"))
        #expect(e.path == "guards[1]")
        #expect(e.line == 6)
        #expect(e.message.contains("unknown defect 'no_breakr'; valid: no_jitter, half_open_flood"))
        #expect(e.suggestion == "no_breaker")
        #expect(e.description.hasSuffix("(did you mean 'no_breaker'?)"))
    }

    @Test func aGuardMustBeListedOnceAndApplyToTheStack() throws {
        #expect(loadError(Self.base + "guards: [no_jitter, no_jitter]\n")?.message.contains("listed twice") == true)
        let budget = try #require(loadError(Self.base + "guards: [retry_budget_off]\n"))
        #expect(budget.message.contains("no retry budget configured"))
        #expect(budget.path == "guards[0]")
        #expect(loadError(Self.base + "guards: no_jitter\n") != nil)
    }
}
