import Foundation
import Testing
import Traffic

@testable import Scenarios

/// `squall run --shard I/N` in sim mode (issue #13): every shard simulates the whole schedule and
/// records its slice (keys `k % N == I`, shard 0 also the stack's events); merging the N recorder
/// states gives the unsharded `summary.json` byte for byte, and the slices' tasks.csv rows are
/// exactly the unsharded rows.
@Suite struct ShardedRunTests {
    /// Bundled scenarios that exercise every accumulator: breaker and fault windows with
    /// mechanism tallies, duplicates and idempotency, rate limits with Retry-After, the token
    /// budget, routing and cost; run in sim mode.
    static let scenarios = [
        "provider-outage-breaker", "duplicate-submissions", "duplicate-submissions-unprotected", "retry-storm-retry-after",
        "rate-limit-429-storm", "token-budget-overflow", "routing-cost-split",
    ]

    static func shards(_ s: Scenario, seed: UInt64, count: Int, tasksDir: URL? = nil) throws -> [SimulationShard] {
        try (0..<count).map { i in
            let options = SimulationOptions(seed: seed, shard: try Shard(index: i, count: count))
            return try Simulator(scenario: s, options: options).recordShard(
                tasksCSV: tasksDir.map { $0.appendingPathComponent("tasks-\(i).csv").path })
        }
    }

    @Test(arguments: scenarios)
    func mergedShardsGiveTheUnshardedSummaryByteForByte(_ name: String) throws {
        let s = try ScenarioCatalog.resolve(name)
        let seed: UInt64 = 7
        let whole = Simulator(scenario: s, options: SimulationOptions(seed: seed)).run()
        let expected = try whole.summaryJSON()
        #expect(whole.totals.submitted > 0)
        for n in [1, 2, 3, 7] {
            let parts = try Self.shards(s, seed: seed, count: n)
            // Every shard really holds only its slice (several shards: none holds every submission).
            if n > 1 { #expect(parts.allSatisfy { $0.state.totals.totals.submitted < whole.totals.submitted }, "\(name) N=\(n)") }
            #expect(Set(parts.map(\.keys)).count == 1)
            let merged = try Simulator(scenario: s, options: SimulationOptions(seed: seed)).merge(parts.reversed())
            let got = try merged.summaryJSON()
            #expect(got == expected, "\(name): \(n) shards merged differ from the unsharded summary.json")
        }
    }

    @Test func mergedSummariesSurviveTheirJSONRoundTrip() throws {
        let s = try ScenarioCatalog.resolve("provider-outage-breaker")
        let parts = try Self.shards(s, seed: 3, count: 3)
        let decoded = try parts.map { try JSONDecoder().decode(SimulationShard.self, from: JSONEncoder().encode($0)) }
        #expect(decoded == parts)
        let a = try Simulator(scenario: s, options: SimulationOptions(seed: 3)).merge(decoded).summaryJSON()
        let b = try Simulator(scenario: s, options: SimulationOptions(seed: 3)).run().summaryJSON()
        #expect(a == b)
    }

    @Test func theSlicesTasksCSVRowsAreExactlyTheUnshardedRows() throws {
        let s = try ScenarioCatalog.resolve("duplicate-submissions")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("squall-shardrun-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try Simulator(scenario: s, options: SimulationOptions(seed: 5)).run(tasksCSV: dir.appendingPathComponent("whole.csv").path)
        _ = try Self.shards(s, seed: 5, count: 3, tasksDir: dir)
        let whole = try TaskRow.read(dir.appendingPathComponent("whole.csv").path)
        var sliced: [TaskRow] = []
        for i in 0..<3 {
            let rows = try TaskRow.read(dir.appendingPathComponent("tasks-\(i).csv").path)
            #expect(!rows.isEmpty)
            sliced += rows
        }
        #expect(sliced.count == whole.count)
        #expect(Set(sliced) == Set(whole))
    }

    @Test func shardsOfAnotherCountOrAMissingShardAreRefused() throws {
        let s = try ScenarioCatalog.resolve("provider-outage-breaker")
        let parts = try Self.shards(s, seed: 1, count: 3)
        let sim = Simulator(scenario: s, options: SimulationOptions(seed: 1))
        #expect(throws: RecorderStateError.self) { try sim.merge(Array(parts.prefix(2))) }
        #expect(throws: RecorderStateError.self) { try sim.merge(parts + [parts[1]]) }
        // A state recorded with another time-series interval does not fit this scenario's recorder.
        let other = try Simulator(scenario: s, options: SimulationOptions(seed: 1, interval: .seconds(7), shard: Shard(index: 0, count: 1)))
            .recordShard()
        #expect(throws: RecorderStateError.self) { try sim.merge([other]) }
    }
}
