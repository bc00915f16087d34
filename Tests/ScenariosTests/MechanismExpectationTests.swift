import Foundation
import Reliability
import Testing
import YAMLConfig

@testable import Scenarios

/// The mechanism-relative expectations: breaker timing against its own threshold and the first
/// request after an outage, retry clustering, Retry-After compliance and re-executions within a
/// horizon. Each passes on a run of a correct stack and fails on a run purpose-built to break it.
@Suite struct MechanismExpectationTests {
    static let outage = """
        name: outage
        seed: 7
        duration: 20m
        load: { tasks_per_day: 20000, arrival: poisson }
        stack:
          timeout: 10s
          retry: { attempts: 3, multiplier: 1, min: 1s, max: 10s, jitter: full }
          breaker: { failure_threshold: 5, window: 60s, recovery_timeout: 30s, half_open_probes: 1 }
        llm:
          latency: { lognormal: { median: 300ms, p99: 2s } }
          faults:
            - { during: 5m..10m, status: 503 }
        expect:
          breaker:
            opens_after: 5 failures
            opens_within: 1s of the threshold crossing
            closes_within: 60s of the first call after the outage
        """

    @Test func aBreakerThatTripsOnItsThresholdPassesTheMechanismTimings() throws {
        let s = try scenario(Self.outage)
        let r = simulate(s)
        for name in ["breaker.opens_after", "breaker.opens_within", "breaker.closes_within"] {
            let v = try #require(verdict(r, name))
            #expect(v.status == .pass, "\(name): \(v.observed) — \(v.detail)")
            #expect(v.observations > 0)
        }
        let f = try #require(r.aggregates.mechanisms.breakerCrossing)
        #expect(f.opens >= 1)
        #expect(f.opensAtThreshold == f.opens)
        #expect(f.unopenedCrossings == 0)
        #expect(r.aggregates.mechanisms.windowEdges.count == 1)
    }

    @Test func aBreakerThatNeverTripsFailsOpensAfterAndOpensWithinTheCrossing() throws {
        let s = try #require(Mutant.breakerNeverTrips.apply(to: try scenario(Self.outage)).scenario)
        let r = simulate(s)
        let after = try #require(verdict(r, "breaker.opens_after"))
        #expect(after.status == .fail, "\(after.observed)")
        #expect(after.observed.contains("stayed closed"))
        let within = try #require(verdict(r, "breaker.opens_within"))
        #expect(within.status == .fail)
        #expect(within.observed == "never opened")
    }

    @Test func aThresholdBelowTheStacksFailsOpensAfter() throws {
        let yaml = Self.outage.replacingOccurrences(of: "opens_after: 5 failures", with: "opens_after: 3 failures")
        let r = simulate(try scenario(yaml))
        let v = try #require(verdict(r, "breaker.opens_after"))
        #expect(v.status == .fail, "\(v.observed)")
        // opens_within takes N from opens_after: the crossing at 3 is never followed by an opening in time.
        #expect(verdict(r, "breaker.opens_within")?.passed == false)
    }

    @Test func aBreakerThatNeedsEveryCallToSucceedFailsClosesWithinTheFirstCallAfterTheOutage() throws {
        // half_open_flood: a million probes must all succeed before it closes.
        let s = try #require(Mutant.halfOpenFlood.apply(to: try scenario(Self.outage)).scenario)
        let v = try #require(verdict(simulate(s), "breaker.closes_within"))
        #expect(v.status == .fail, "\(v.observed) — \(v.detail)")
        #expect(v.observed == "never closed")
    }

    @Test func closingIsMeasuredFromTheFirstCallAfterTheOutageNotFromItsEnd() throws {
        // A 4m recovery timeout keeps the breaker open until about 13m, three minutes after the
        // window: the first call after the outage is its probe, and the breaker closes on it.
        let yaml = Self.outage.replacingOccurrences(of: "recovery_timeout: 30s", with: "recovery_timeout: 4m")
        let r = simulate(try scenario(yaml))
        let v = try #require(verdict(r, "breaker.closes_within"))
        #expect(v.status == .pass, "\(v.observed) — \(v.detail)")
        let edge = try #require(r.aggregates.mechanisms.windowEdges.first?.firstCallSeconds)
        #expect(edge > 600 + 60)
    }

    @Test func theStacksThresholdIsResolvedWhenTheScenarioLoads() throws {
        let yaml = Self.outage.replacingOccurrences(of: "    opens_after: 5 failures\n", with: "")
        let s = try scenario(yaml)
        guard case .breakerOpensWithinCrossing(_, let t, let limit)? = s.expectations.first(where: { $0.name == "breaker.opens_within" })
        else {
            Issue.record("expected opens_within of the threshold crossing")
            return
        }
        #expect(t.failures == 5)
        #expect(t.window == .seconds(60))
        #expect(limit == .seconds(1))
    }

    @Test func breakerReferencesThatCannotBeMeasuredAreBadInput() throws {
        let phrase = loadError(Self.outage.replacingOccurrences(of: "of the threshold crossing", with: "of lunch"))
        #expect(phrase?.message.contains("not a reference") == true)
        #expect(phrase?.path.contains("opens_within") == true)
        let noBreaker = loadError(
            Self.outage.replacingOccurrences(
                of: "  breaker: { failure_threshold: 5, window: 60s, recovery_timeout: 30s, half_open_probes: 1 }",
                with: "  breaker: off"
            ).replacingOccurrences(of: "    opens_after: 5 failures\n", with: ""))
        #expect(noBreaker?.message.contains("opens_after: N failures") == true)
        let count = loadError(Self.outage.replacingOccurrences(of: "5 failures", with: "five failures"))
        #expect(count?.message.contains("not a failure count") == true)
    }

    static func bursts(jitter: String) -> String {
        """
        name: bursts
        seed: 3
        duration: 10m
        load:
          arrival: { bursts: { every: 5m, size: 100 } }
          process: even
          prompts: [ "What is the capital of France?" ]
        stack:
          timeout: 30s
          retry: { attempts: 8, multiplier: 1, min: 0s, max: 32s, jitter: \(jitter), retry_after: false }
          breaker: off
        llm:
          latency: { lognormal: { median: 400ms, p99: 2s } }
          rate_limits: { llama-3.1-8b-instant: { rpm: 30 } }
        expect:
          retry_clustering: "<= 50%"
        """
    }

    @Test func fullJitterMeetsARetryClusteringLimitThatNoJitterFails() throws {
        let jittered = simulate(try scenario(Self.bursts(jitter: "full")))
        let j = try #require(verdict(jittered, "retry_clustering"))
        #expect(j.status == .pass, "\(j.observed) — \(j.detail)")
        #expect(j.observations >= 5)
        let synchronised = simulate(try scenario(Self.bursts(jitter: "none")))
        let n = try #require(verdict(synchronised, "retry_clustering"))
        #expect(n.status == .fail, "\(n.observed) — \(n.detail)")
        #expect((n.value ?? 0) > 0.9)
    }

    @Test func retryClusteringWithoutCorrelatedFailuresHasNoEvidence() throws {
        let yaml = Self.bursts(jitter: "full").replacingOccurrences(of: "rpm: 30", with: "rpm: 100000")
        let v = try #require(verdict(simulate(try scenario(yaml)), "retry_clustering"))
        #expect(v.status == .noEvidence)
    }

    static func throttled(honour: Bool) -> String {
        """
        name: throttled
        seed: 5
        duration: 10m
        load: { tasks_per_day: 30000, arrival: poisson }
        stack:
          timeout: 30s
          retry: { attempts: 5, multiplier: 1, min: 100ms, max: 1s, jitter: full, retry_after: \(honour) }
          breaker: off
        llm:
          latency: { lognormal: { median: 300ms, p99: 2s } }
          faults:
            - { rate: 30%, status: 429, retry_after: 2s }
        expect:
          retry_after_early: 0
        """
    }

    @Test func honouringRetryAfterPassesAndIgnoringItFails() throws {
        let honoured = try #require(verdict(simulate(try scenario(Self.throttled(honour: true))), "retry_after_early"))
        #expect(honoured.status == .pass, "\(honoured.observed) — \(honoured.detail)")
        #expect(honoured.observations > 10)
        let ignored = try #require(verdict(simulate(try scenario(Self.throttled(honour: false))), "retry_after_early"))
        #expect(ignored.status == .fail, "\(ignored.observed) — \(ignored.detail)")
        #expect((ignored.value ?? 0) > 10)
    }

    static func duplicated(ttl: String) -> String {
        """
        name: duplicated
        seed: 11
        duration: 10m
        load:
          tasks_per_day: 30000
          duplicates: { rate: 30%, delay: 5s..60s }
        stack:
          timeout: 30s
          retry: { attempts: 3, multiplier: 1, min: 1s, max: 5s, jitter: full }
          idempotency: \(ttl)
        llm:
          latency: { lognormal: { median: 300ms, p99: 2s } }
        expect:
          duplicates: { reexecution_within: 24h }
        """
    }

    @Test func reexecutionWithinTheHorizonCatchesATTLShorterThanTheDuplicateDelay() throws {
        let kept = try #require(verdict(simulate(try scenario(Self.duplicated(ttl: "{ ttl: 10m }"))), "duplicates.reexecution_within"))
        #expect(kept.status == .pass, "\(kept.observed) — \(kept.detail)")
        #expect(kept.observations > 100)
        let short = try #require(verdict(simulate(try scenario(Self.duplicated(ttl: "{ ttl: 1s }"))), "duplicates.reexecution_within"))
        #expect(short.status == .fail, "\(short.observed) — \(short.detail)")
        let off = try #require(verdict(simulate(try scenario(Self.duplicated(ttl: "off"))), "duplicates.reexecution_within"))
        #expect(off.status == .fail)
    }

    @Test func theRecorderKeepsOnlyWhatTheExpectationsAskFor() throws {
        let plain = try scenario(Self.duplicated(ttl: "{ ttl: 10m }").replacingOccurrences(
            of: "duplicates: { reexecution_within: 24h }", with: "success_rate: \">= 99%\""))
        #expect(ResultNeeds(scenario: plain).mechanisms.isEmpty)
        let r = simulate(plain)
        #expect(r.aggregates.mechanisms == MechanismFigures())
        let asked = ResultNeeds(scenario: try scenario(Self.duplicated(ttl: "{ ttl: 10m }"))).mechanisms
        #expect(asked.reexecutionHorizon == .seconds(86_400))
        #expect(asked.breakerThreshold == nil && asked.retryClustering == nil && asked.retryAfterTolerance == nil)
    }
}
