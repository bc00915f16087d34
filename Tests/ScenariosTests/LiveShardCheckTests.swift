import MockLLM
import Testing
import Traffic

@testable import Scenarios

/// What a sharded live run refuses before it runs (exit 2 in `squall run`), and the pieces a
/// shard uses: the shared run id, its share of the call log.
@Suite struct LiveShardCheckTests {
    static let base = """
        name: shard-check
        mode: live
        duration: 10m
        load: { tasks_per_day: 1000 }
        stack:
          breaker: { failure_threshold: 5, window: 30s, recovery_timeout: 15s }
        llm:
          faults: [ { during: 2m..4m, status: 503 } ]
        expect:
          success_rate: ">= 50%"
        """

    static func setup(llm: String? = "http://127.0.0.1:6405", target: String? = nil, port: Int? = nil, auto: Bool = false)
        -> LiveShardCheck.Setup
    {
        LiveShardCheck.Setup(llmURL: llm, targetURL: target, mockPort: port, autoTimeScale: auto)
    }

    @Test func aShardNeedsAnExternalMockAndAFixedTimeScale() throws {
        let s = try scenario(Self.base)
        #expect(LiveShardCheck.problem(s, Self.setup()) == nil)
        #expect(LiveShardCheck.problem(s, Self.setup(llm: nil))?.contains("needs --llm-url") == true)
        #expect(LiveShardCheck.problem(s, Self.setup(llm: nil, target: "http://127.0.0.1:9"))?.contains("--llm-url") == true)
        #expect(LiveShardCheck.problem(s, Self.setup(port: 7000))?.contains("--mock-port") == true)
        #expect(LiveShardCheck.problem(s, Self.setup(auto: true))?.contains("--time-scale auto") == true)
    }

    @Test func expectationsThatDoNotMergeAreNamedWithTheReason() throws {
        let stack = try scenario(Self.base + "\n  breaker: { opens_within: 30s }")
        let p = try #require(LiveShardCheck.problem(stack, Self.setup()))
        #expect(p.contains("breaker.opens_within") && p.contains("its own breaker"), "\(p)")
        let service = try #require(LiveShardCheck.problem(stack, Self.setup(target: "http://127.0.0.1:9")))
        #expect(service.contains("inferred at the LLM"), "\(service)")
        let latency = try scenario(Self.base + "\n  service: { accept_p99: \"< 1s\" }")
        let q = try #require(LiveShardCheck.problem(latency, Self.setup(target: "http://127.0.0.1:9")))
        #expect(q.contains("percentiles"), "\(q)")
        let calls = try scenario(Self.base + "\n  llm_calls_per_task: \"<= 3\"\n  duplicate_executions: 0")
        #expect(LiveShardCheck.problem(calls, Self.setup()) == nil, "LLM-side counts add up across shards")
    }

    @Test func aRunIDIsUsedAsGivenOrHashedTheSameEverywhere() throws {
        #expect(try LiveRunID.resolve("k3x9a0zq") == "k3x9a0zq")
        let a = try LiveRunID.resolve("pipeline-4711")
        #expect(SquallTag.isValidRunID(a))
        #expect(try LiveRunID.resolve("pipeline-4711") == a)
        #expect(try LiveRunID.resolve("pipeline-4712") != a)
        for bad in ["", "has space", String(repeating: "x", count: 129), "k3x9/a0zq"] {
            #expect(throws: ShardPartError.self, "\(bad)") { try LiveRunID.resolve(bad) }
        }
    }

    @Test func aShardCountsOnlyItsOwnKeysCallsAndShardZeroTheUntagged() throws {
        let s = try scenario(Self.base)
        var recorder = LiveRun.recorder(s, seed: 1, foreignTarget: false, breakerObserved: s.stack.breaker != nil)
        var log = CallLog()
        for key in 0..<6 {
            log.append(CallRecord(time: .seconds(1), tag: SquallTag(run: "runaaaaa", key: UInt64(key)), model: "m", path: "/v1/chat/completions", outcome: .status(200), completed: true))
        }
        log.append(CallRecord(time: .seconds(1), model: "m", path: "/v1/chat/completions", outcome: .status(200), completed: true))
        log.append(CallRecord(time: .seconds(1), tag: SquallTag(run: "otheraaa", key: 1), model: "m", path: "/v1/chat/completions", outcome: .status(200), completed: true))
        var counted: [Int] = []
        for i in 0..<3 {
            var feeder = CallLogFeeder(run: "runaaaaa", tagged: true, source: "t")
            feeder.shard = try Shard(index: i, count: 3)
            feeder.feed(log.page(after: 0, limit: 100), keys: [:], into: &recorder)
            #expect(feeder.summary.read == 8 && feeder.summary.otherRun == 1)
            #expect(feeder.summary.counted + feeder.summary.otherShard! + feeder.summary.otherRun == 8)
            #expect(feeder.summary.untagged == (i == 0 ? 1 : 0))
            counted.append(feeder.summary.counted)
        }
        #expect(counted == [3, 2, 2], "keys 0,3 + untagged; 1,4; 2,5")
        var whole = CallLogFeeder(run: "runaaaaa", tagged: true, source: "t")
        whole.feed(log.page(after: 0, limit: 100), keys: [:], into: &recorder)
        #expect(whole.summary.otherShard == nil && whole.summary.counted == counted.reduce(0, +))
    }
}

/// The periodic call-log reader of a live run (every shard runs one) is cancelled at the run's end,
/// possibly mid-request: that is not a read error (the final read continues from the cursor).
@Suite struct LiveShardCallLogReadTests {
    struct Failing: CallLogSource {
        func page(after: UInt64, limit: Int) async throws(CallLogReadError) -> CallLogPage {
            throw CallLogReadError("timeout: request cancelled by the calling task")
        }
        var label: String { "failing" }
    }

    @Test func aReadCutByCancellationEndsTheDrainQuietlyAndOtherFailuresThrow() async throws {
        let cancelled = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            do {
                _ = try await CallLogFeeder.drain(Failing(), from: 0) { _ in true }
                return true
            } catch { return false }
        }
        #expect(await cancelled.value, "cancelled: no error")
        await #expect(throws: CallLogReadError.self) { _ = try await CallLogFeeder.drain(Failing(), from: 0) { _ in true } }
    }
}

/// A library caller of the live driver gets the same refusal as `squall run` for a shard it cannot run.
@Suite struct LiveShardDriverGuardTests {
    @Test func aShardWithoutAnExternalMockIsRefusedBeforeAnythingRuns() async throws {
        let s = try scenario(LiveShardCheckTests.base)
        var options = LiveOptions(timeScale: 100)
        options.shard = try Shard(index: 0, count: 2)
        await #expect(throws: ScenarioRunError.self) {
            _ = try await LiveScenarioDriver(options: options).run(s, seed: nil, tasksCSV: nil)
        }
    }
}
