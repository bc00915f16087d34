@testable import MockLLM
import Testing

/// The last-series and last-model shortcuts of the per-request counting keep every count exact.
@Suite struct StatsSeriesTests {
    @Test func seriesCountsStayExactWhateverTheOrderOfLabels() {
        var stats = MockStats()
        let sequence = ["a", "a", "b", "a", "c", "c", "a", "b", "b"]
        for model in sequence {
            stats.record(path: "/v1/chat/completions", model: model, status: 200, action: "ok", idempotencyKey: nil, executed: true)
        }
        stats.record(path: "/v1/chat/completions", model: "a", status: 503, action: "status_503", idempotencyKey: nil, executed: false)
        var expected: [MockStats.Labels: Int] = [:]
        for model in sequence {
            expected[MockStats.Labels(path: "/v1/chat/completions", model: model, status: "200", action: "ok"), default: 0] += 1
        }
        expected[MockStats.Labels(path: "/v1/chat/completions", model: "a", status: "503", action: "status_503")] = 1
        #expect(stats.series == expected)
        #expect(stats.total == 10)
        // A copy keeps counting on its own.
        var copy = stats
        copy.record(path: "/v1/chat/completions", model: "a", status: 503, action: "status_503", idempotencyKey: nil, executed: false)
        #expect(stats.series[MockStats.Labels(path: "/v1/chat/completions", model: "a", status: "503", action: "status_503")] == 1)
        #expect(copy.series[MockStats.Labels(path: "/v1/chat/completions", model: "a", status: "503", action: "status_503")] == 2)
    }

    @Test func foldedModelsAreCountedEveryTimeAndAProfileCanNameThemLater() throws {
        var labels = ModelLabels(profile: FaultProfile())
        for i in 0..<ModelLabels.maxExtra { #expect(labels.label("m\(i)") == "m\(i)") }
        #expect(labels.label("late") == ModelLabels.other)
        #expect(labels.label("late") == ModelLabels.other)
        #expect(labels.label("m0") == "m0")
        #expect(labels.label("m0") == "m0")
        #expect(labels.folded == 2)
        var profile = FaultProfile()
        profile.models = ["late"]
        labels.addKnown(profile)
        #expect(labels.label("late") == "late")
        #expect(labels.folded == 2)
    }
}
