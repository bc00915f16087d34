import Foundation
import Reliability
import Reporting
import Scenarios

/// A purpose-built result: 30 minutes, one 503 window 10m..15m, a breaker that opens, probes,
/// re-opens and closes, three expectations (one failing, with XML/Markdown specials in its text),
/// and the per-interval outcomes of its tasks.
enum Fixture {
    static let interval = 60.0

    static func result(incomplete: Bool = false, breaker: Bool = true, name: String = "breaker-outage") -> ScenarioResult {
        var points: [TimeSeriesPoint] = []
        for i in 0..<30 {
            let inWindow = i >= 10 && i < 15
            points.append(
                TimeSeriesPoint(
                    start: Double(i) * interval, arrivals: 7, llmCalls: inWindow ? 3 : 8, attemptFailures: inWindow ? 3 : 1,
                    throttled: i == 3 ? 1 : 0, rejected: inWindow ? 4 : 0, succeeded: inWindow ? 2 : 7, failed: inWindow ? 5 : 0,
                    latencyP50: inWindow ? 2.5 : 0.8, latencyP99: inWindow ? 31.5 : 4.25, latencyMax: inWindow ? 40 : 6,
                    breakerState: !breaker ? "none" : (inWindow ? "open" : "closed"), breakerOpenFraction: inWindow ? 1 : 0))
        }
        let latency = LatencySummary(
            count: 210, min: 0.12, mean: 1.375, p50: 0.8, p90: 2.1, p95: 3.3, p99: 12.5, p999: 31.5, max: 40,
            buckets: [
                LatencyBucket(lower: 0, upper: 0.128, count: 3), LatencyBucket(lower: 0.512, upper: 1.024, count: 150),
                LatencyBucket(lower: 1.024, upper: 2.048, count: 40), LatencyBucket(lower: 32.768, upper: 65.536, count: 17),
            ])
        let transitions = [
            BreakerTransitionRecord(at: 604.25, from: "closed", to: "open", cause: "5 failures in window"),
            BreakerTransitionRecord(at: 634.25, from: "open", to: "half_open", cause: "recovery timeout elapsed"),
            BreakerTransitionRecord(at: 634.5, from: "half_open", to: "open", cause: "probe failed"),
            BreakerTransitionRecord(at: 901, from: "open", to: "half_open", cause: "recovery timeout elapsed"),
            BreakerTransitionRecord(at: 901.75, from: "half_open", to: "closed", cause: "probes succeeded"),
        ]
        var r = ScenarioResult(
            scenario: ScenarioInfo(
                name: name, description: "The provider returns 503 for five minutes; the breaker must open and close.",
                file: "Catalog/breaker-outage.yaml", tasksPerDay: 10_000, arrival: "poisson", concurrency: nil,
                stackSummary: "5 attempts, backoff 1s..60s full jitter, breaker 5 in 60s"),
            mode: .sim, seed: 42, durationSeconds: 1800, endSeconds: 1812.5,
            totals: TaskTotals(submitted: 214, tasks: 210, succeeded: 185, failed: 25, unfinished: incomplete ? 3 : 0),
            failuresByCause: [NamedCount(name: "breaker_open", count: 20), NamedCount(name: "attempts_exhausted", count: 5)],
            attemptOutcomes: [NamedCount(name: "200", count: 185), NamedCount(name: "503", count: 30), NamedCount(name: "breaker_rejected", count: 20)],
            retriesByReason: [NamedCount(name: "backoff", count: 30)],
            attempts: AttemptsSummary(
                histogram: [AttemptsBucket(attempts: 1, tasks: 180), AttemptsBucket(attempts: 2, tasks: 25), AttemptsBucket(attempts: 5, tasks: 5)],
                meanAttempts: 1.2, meanCalls: 1.1, maxAttempts: 5),
            usage: UsageSummary(
                llmCalls: 231, executions: 190, promptTokens: 12_000, completionTokens: 34_567, cost: 0.0123,
                byModel: [ModelUsage(model: "llama-3.1-8b-instant", llmCalls: 231, executions: 190, promptTokens: 12_000, completionTokens: 34_567, cost: 0.0123)],
                byRoute: [RouteUsage(route: "default", model: "llama-3.1-8b-instant", tasks: 210, taskShare: 1, cost: 0.0123, costShare: 1)],
                unpricedModels: []),
            perDay: PerDayFigures(tasks: 10_080, failures: 1_200, llmCalls: 11_088, tokens: 2_235_216, cost: 0.5904),
            latency: latency, successLatency: latency,
            breaker: BreakerSummary(
                configured: breaker, transitions: breaker ? transitions : [], opens: breaker ? 2 : 0, closes: breaker ? 1 : 0,
                cycles: breaker ? 1 : 0, secondsOpen: breaker ? 296.5 : 0, callsWhileOpen: 0, halfOpenCalls: breaker ? 2 : 0,
                maxCallsPerHalfOpen: breaker ? 1 : 0, rejections: breaker ? 20 : 0, finalState: breaker ? "closed" : "none"),
            timeSeries: TimeSeries(intervalSeconds: interval, points: points),
            duplicates: DuplicateStats(
                idempotencyEnabled: true, submitted: 4, concurrent: 1, replayed: 3, conflicts: 1, reexecutedAfterTTL: 0,
                reexecutedWithinTTL: 0, duplicateExecutions: 0, maxExecutionsPerKey: 1, replayMismatches: 0),
            faultWindows: [FaultWindowInfo(index: 1, start: 600, end: 900, label: "status 503")])
        r.expectations = [
            ExpectationVerdict(name: "success_rate", expected: ">= 85%", observed: "88.095%", passed: true, observations: 210),
            ExpectationVerdict(
                name: "breaker.opens_within", expected: "<= 15s after window 1 start", observed: "4.25s", passed: true,
                observations: 91),
            ExpectationVerdict(
                name: "latency_p99", expected: "< 5s", observed: "12.5s", passed: false, observations: 210,
                detail: "p99 of 210 tasks > limit; note <b>&\"quotes\"</b> | pipe"),
        ]
        r.arithmetic = FailureArithmetic(
            closedForm: true, perAttemptTransient: 0.01, perAttemptPermanent: 0.002, perAttemptTimeout: 0.001, attempts: 5,
            expectedExhaustion: 1e-10, expectedPermanent: 0.00202, expectedFailureProbability: 0.0020201,
            singleAttemptFailureProbability: 0.012, tasks: 210, observedFailures: 25, expectedFailures: 0.424,
            observedFailureProbability: 0.119, confidence: 0.99, intervalLower: 0.07, intervalUpper: 0.184, consistent: false,
            tasksPerDay: 10_000, expectedFailuresPerDay: 20.2, observedFailuresPerDay: 1_200,
            framing: "99.8% success at 10,000 tasks/day = 20.2 failures/day",
            singleAttemptFraming: "98.8% success at 10,000 tasks/day = 120 failures/day",
            notes: ["The fault window 10m..15m is outside the closed form."])
        r.faultWindows[0].arrivals = 35
        r.faultWindows[0].llmCalls = 91
        r.tokenBudget = TokenBudgetStats(enabled: true, inputBudget: 5200, truncatedPrompts: 2, rejected: 1, maxPromptTokens: 5199)
        if incomplete {
            r.incomplete = true
            r.incompleteReason = "interrupted by SIGINT at 23m"
        }
        // Tasks finished per interval by outcome, consistent with the time series: one task of
        // interval 15 succeeded after a retry; in the window, 4 failures a minute were shed by the
        // breaker and 1 exhausted its attempts.
        var first = points.map(\.succeeded)
        first[15] -= 1
        r.aggregates.intervalOutcomes = IntervalOutcomes(
            succeededFirstAttempt: first,
            failedByCause: [
                "breaker_open": (0..<30).map { $0 >= 10 && $0 < 15 ? 4 : 0 },
                "attempts_exhausted": (0..<30).map { $0 >= 10 && $0 < 15 ? 1 : 0 },
            ])
        return r
    }

    /// A fresh empty directory under the system temporary directory.
    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "squall-reporting-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func read(_ url: URL) throws -> String {
        String(decoding: try Data(contentsOf: url), as: UTF8.self)
    }

    /// Options that never touch the real environment's step summary.
    static let quiet = ReportWriter.Options(context: ReportContext(squallVersion: "0.1.0"), environment: [:])
}
