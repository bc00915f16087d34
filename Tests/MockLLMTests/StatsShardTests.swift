@testable import MockLLM
import Testing

/// The request series are counted per event loop (`StatsShard`) outside the shared lock and merged
/// when read: the merged stats are exactly the sum, a reset clears every shard, and the call log's
/// sequence numbers and cursor are untouched by the split.
@Suite struct StatsShardTests {
    private static let path = "/v1/chat/completions"

    private static func labels(_ model: String, _ status: String = "200", _ action: String = "ok") -> MockStats.Labels {
        MockStats.Labels(path: path, model: model, status: status, action: action)
    }

    @Test func statsMergedAcrossShardsAreTheSumOfWhatEachCounted() {
        let state = MockState(profile: FaultProfile(), profileText: "{}", seed: 1, timeScale: 1, shards: 2)
        for _ in 0..<3 { _ = state.decide(FaultRequest(model: "a", now: .zero), override: nil, shard: state.shard(0)) }
        for _ in 0..<5 { _ = state.decide(FaultRequest(model: "a", now: .zero), override: nil, shard: state.shard(1)) }
        for _ in 0..<2 { _ = state.decide(FaultRequest(model: "b", now: .zero), override: nil, shard: state.shard(1)) }
        let failing = FaultRule(outcome: .status(StatusFault(status: 503)))
        _ = state.decide(FaultRequest(model: "b", now: .zero), override: failing, shard: state.shard(0))
        state.recordOther(path: "/v1/models", model: "", status: 200, action: "models")

        let stats = state.stats
        #expect(
            stats.series == [
                Self.labels("a"): 8, Self.labels("b"): 2, Self.labels("b", "503", "status_503"): 1,
                MockStats.Labels(path: "/v1/models", model: "", status: "200", action: "models"): 1,
            ])
        #expect(stats.total == 12)
        #expect(stats.completions == 10)
        #expect(state.metricsText().contains(#"squall_mock_requests_total{path="/v1/chat/completions",model="a",status="200",action="ok"} 8"#))
    }

    @Test func keysAreCountedAcrossShardsInOneTable() {
        let state = MockState(profile: FaultProfile(), profileText: "{}", seed: 1, timeScale: 1, shards: 2)
        // The same key's two completions arrive on two event loops: still one key, one duplicate.
        _ = state.decide(FaultRequest(model: "a", idempotencyKey: "k", now: .zero), override: nil, shard: state.shard(0))
        _ = state.decide(FaultRequest(model: "a", idempotencyKey: "k", now: .zero), override: nil, shard: state.shard(1))
        let stats = state.stats
        #expect(stats.executionsByKey == ["k": 2])
        #expect(stats.duplicateExecutions == 1)
        #expect(stats.total == 2)
    }

    @Test func aResetClearsEveryShardAndALateCountOfTheOldEpochIsDropped() {
        let state = MockState(profile: FaultProfile(), profileText: "{}", seed: 1, timeScale: 1, shards: 2)
        _ = state.decide(FaultRequest(model: "a", now: .zero), override: nil, shard: state.shard(0))
        _ = state.decide(FaultRequest(model: "a", now: .zero), override: nil, shard: state.shard(1))
        #expect(state.stats.total == 2)
        state.reset()
        #expect(state.stats.total == 0)
        #expect(state.stats.series.isEmpty)
        _ = state.decide(FaultRequest(model: "b", now: .zero), override: nil, shard: state.shard(1))
        // A request decided before the reset (epoch 0) and counted after it belongs to the old epoch:
        // dropped, and the shard keeps what it counted since the reset.
        state.shard(1).record(epoch: 0, path: Self.path, model: "a", status: 200, action: "ok", executed: true)
        #expect(state.stats.series == [Self.labels("b"): 1])
        state.startRun(RunStart(run: "r2"))
        #expect(state.stats.total == 0)
    }

    @Test func twoLoopsDecidingAtOnceKeepEverySequenceNumberAndTheCursorSkipsNone() async {
        let state = MockState(profile: FaultProfile(), profileText: "{}", seed: 1, timeScale: 1, shards: 2)
        let perLoop = 5_000
        // A reader drains by cursor while both "loops" decide; it must see 1…N once each, in order.
        async let reader: [UInt64] = {
            var seen: [UInt64] = []
            var cursor: UInt64 = 0
            for _ in 0..<1_000_000 {
                let page = state.calls(after: cursor, limit: 500)
                #expect(page.dropped == 0)
                seen += page.records.map(\.seq)
                cursor = page.next
                if seen.count == 2 * perLoop { break }
                await Task.yield()
            }
            return seen
        }()
        await withTaskGroup(of: Void.self) { group in
            for loop in 0..<2 {
                group.addTask {
                    for i in 0..<perLoop {
                        _ = state.decide(
                            FaultRequest(model: loop == 0 ? "a" : "b", idempotencyKey: "k\(i % 50)", now: .zero), override: nil,
                            shard: state.shard(loop))
                    }
                }
            }
        }
        let seen = await reader
        #expect(seen == Array(1...UInt64(2 * perLoop)))
        let stats = state.stats
        #expect(stats.total == 2 * perLoop)
        #expect(stats.series == [Self.labels("a"): perLoop, Self.labels("b"): perLoop])
        #expect(stats.requestsByKey.values.reduce(0, +) == 2 * perLoop)
    }
}
