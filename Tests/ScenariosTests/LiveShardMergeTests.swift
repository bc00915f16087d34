import Foundation
import MockLLM
import Reliability
import Testing
import Traffic

@testable import Scenarios

/// Sharded live runs in one process (issue #13): N live drivers, each given one shard, drive one
/// mock together (as N `squall run --mode live --shard I/N` processes do), and `LiveRunShard.merge`
/// adds what they recorded. Over a healthy mock the merged counts equal the unsharded run's.
@Suite(.serialized) struct LiveShardMergeTests {
    static let yaml = """
        name: live-shard-merge
        seed: 3
        duration: 5m
        load:
          tasks_per_day: 50000
          duplicates: { rate: 15%, delay: 2m..4m }
        stack:
          timeout: 10m
          retry: { attempts: 3, min: 1s, max: 4s }
          idempotency: { ttl: 1h }
        llm:
          latency: 50ms
        expect:
          success_rate: ">= 99%"
          duplicate_executions: 0
        """

    static let scale = 100.0

    static func mock() async throws -> MockServer {
        var config = MockServerConfig()
        config.port = 0
        config.threads = 1
        return try await MockServer.start(config)
    }

    /// Runs `count` shards at once (shard `late` starting `lateBy` real time after the others).
    static func shards(
        _ s: Scenario, count: Int, url: String, run: String, delay: Duration = .milliseconds(500), late: Int? = nil,
        lateBy: Duration = .zero
    ) async throws -> [LiveRunShard] {
        try await withThrowingTaskGroup(of: LiveRunShard.self) { group in
            for i in 0..<count {
                group.addTask {
                    if i == late { try await Task.sleep(for: lateBy) }
                    let shard = try Shard(index: i, count: count)
                    var options = LiveOptions(timeScale: scale, llmURL: url, runID: run)
                    options.shard = shard
                    options.startDelay = delay
                    let capture = LiveShardCapture()
                    options.capture = capture
                    _ = try await LiveScenarioDriver(options: options).run(s, seed: nil, tasksCSV: nil)
                    let kept = try #require(capture.value)
                    return LiveRunShard(
                        shard: shard, state: kept.state, end: kept.end, incompleteReason: kept.incompleteReason,
                        keys: LiveRunShard.keyCount(s, seed: s.seed), fidelity: kept.fidelity, llmLog: kept.llmLog,
                        joinedLate: capture.joinedLate)
                }
            }
            var out: [LiveRunShard] = []
            for try await r in group { out.append(r) }
            return out
        }
    }

    static func settings(_ run: String) -> LiveRunSettings {
        LiveRunSettings(runID: run, timeScale: scale, service: false, tagging: true)
    }

    @Test(arguments: [2]) func mergedShardsCountWhatTheUnshardedRunCounts(count: Int) async throws {
        let s = try scenario(Self.yaml)
        let mock = try await Self.mock()
        defer { Task { await mock.stop() } }
        let whole = try await LiveScenarioDriver(options: LiveOptions(timeScale: Self.scale, llmURL: mock.url)).run(s, seed: nil, tasksCSV: nil)
        let parts = try await Self.shards(s, count: count, url: mock.url, run: "merge\(count)aa")
        var merged = try LiveRunShard.merge(parts, scenario: s, seed: s.seed, settings: Self.settings("merge\(count)aa"))
        ExpectationEvaluator.evaluate(s, &merged)
        #expect(!whole.incomplete && !merged.incomplete, "\(merged.incompleteReason ?? "")")
        #expect(whole.totals.submitted > 100 && whole.duplicates.submitted > 5)
        #expect(merged.totals == whole.totals)
        #expect(merged.duplicates == whole.duplicates, "per-key executions, replays")
        #expect(merged.usage.llmCalls == whole.usage.llmCalls && merged.usage.promptTokens == whole.usage.promptTokens)
        #expect(merged.usage.executions == whole.usage.executions)
        #expect(merged.attempts.histogram == whole.attempts.histogram)
        #expect(merged.failuresByCause == whole.failuresByCause)
        #expect(merged.latency.count == whole.latency.count)
        let log = try #require(merged.llmLog)
        #expect(log.counted == whole.usage.llmCalls && log.attributed == log.counted && log.otherShard == nil)
        #expect(parts.allSatisfy { $0.llmLog.counted + ($0.llmLog.otherShard ?? 0) == $0.llmLog.read })
        #expect(parts.allSatisfy { $0.joinedLate == .zero }, "every shard joined before the mock's time zero")
        #expect(merged.fidelity?.lagSubmissions == whole.fidelity?.lagSubmissions)
        #expect(merged.passed, "\(merged.expectations.filter { !$0.passed })")
    }

    @Test func aShardThatJoinsLateResetsNothingAndShowsUpAsLag() async throws {
        let s = try scenario(Self.yaml)
        let mock = try await Self.mock()
        defer { Task { await mock.stop() } }
        // No start delay: shard 0 starts the run and sends at once; shard 1 joins 400 ms (40 s of
        // scenario time) later. Had its join reset the mock, shard 0's calls so far would be gone.
        let parts = try await Self.shards(
            s, count: 2, url: mock.url, run: "lateaaaa", delay: .zero, late: 1, lateBy: .milliseconds(400))
        let merged = try LiveRunShard.merge(parts, scenario: s, seed: s.seed, settings: Self.settings("lateaaaa"))
        let late = try #require(parts.first { $0.shard.index == 1 })
        #expect(late.joinedLate >= .milliseconds(300))
        #expect(merged.usage.llmCalls == mock.state.stats.completions, "every call the mock served is counted once")
        #expect(merged.totals.succeeded == merged.totals.tasks)
        #expect(merged.llmLog?.warnings.contains { $0.contains("shard 1/2 started") } == true)
        // Its first submissions were due before it started: their lag is in the fidelity figures.
        #expect((merged.fidelity?.lag.maxMs ?? 0) >= 200)
    }

    @Test func partsOfOneRunMustBeEveryShardOnce() async throws {
        let s = try scenario(Self.yaml)
        let empty = ResultRecorderStateFixture.state(s)
        let one = { (i: Int, n: Int) in
            LiveRunShard(
                shard: try Shard(index: i, count: n), state: empty, end: s.duration, incompleteReason: nil, keys: 10,
                fidelity: FidelityTally(), llmLog: LLMCallLogSummary(source: "m", run: "aaaaaaaa", tagged: true), joinedLate: .zero)
        }
        #expect(throws: RecorderStateError.self) {
            try LiveRunShard.merge([try one(0, 2), try one(0, 2)], scenario: s, seed: s.seed, settings: Self.settings("aaaaaaaa"))
        }
        // A shard that joined more than a second late was started again (a retried pod): the merge
        // is incomplete, naming it; within the limit it is only lag.
        var retried = try one(1, 2)
        retried.joinedLate = .seconds(95)
        let m = try LiveRunShard.merge([try one(0, 2), retried], scenario: s, seed: s.seed, settings: Self.settings("aaaaaaaa"))
        #expect(m.incomplete && m.incompleteReason?.contains("shard 1/2 joined 1m35s after the run's time zero") == true)
        retried.joinedLate = LiveRunShard.lateJoinLimit
        #expect(!(try LiveRunShard.merge([try one(0, 2), retried], scenario: s, seed: s.seed, settings: Self.settings("aaaaaaaa")).incomplete))
        #expect(throws: RecorderStateError.self) {
            try LiveRunShard.merge([try one(0, 3), try one(1, 3)], scenario: s, seed: s.seed, settings: Self.settings("aaaaaaaa"))
        }
        // A state recorded for another scenario's windows does not restore.
        let other = try scenario(Self.yaml.replacingOccurrences(of: "  latency: 50ms", with: "  latency: 50ms\n  faults: [ { during: 2m..3m, status: 503 } ]")
            .replacingOccurrences(of: "duplicate_executions: 0", with: "during: { success_rate: \">= 1%\" }"))
        #expect(throws: RecorderStateError.self) {
            try LiveRunShard.merge([try one(0, 1)], scenario: other, seed: s.seed, settings: Self.settings("aaaaaaaa"))
        }
    }
}

/// The empty recorder state of a live run of a scenario.
enum ResultRecorderStateFixture {
    static func state(_ s: Scenario) -> RecorderState { LiveRun.recorder(s, seed: s.seed, foreignTarget: false, breakerObserved: s.stack.breaker != nil).state }
}
