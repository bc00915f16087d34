import CommandFlags
import Foundation
import Reliability
import Testing

@testable import LoadGen

/// `squall load --expect`: thresholds parse strictly (exit 2 naming the flag), a target that cannot
/// observe a metric is refused, and verdicts are computed from the load summary.
struct LoadThresholdTests {
    /// A summary of `succeeded` successes (1 attempt, 1 call, 100 ms) and `failed` failures (3 attempts, 3 calls, 2 s).
    static func summary(succeeded: Int, failed: Int, dropped: Int = 0) throws -> LoadSummary {
        let recorder = try LoadRecorder()
        var i = 0
        func add(_ result: TargetResult, latency: Duration) {
            let task = LoadTask(index: i, id: "t\(i)", prompt: "p", idempotencyKey: "k\(i)", intendedStart: .zero)
            recorder.record(LoadTaskRecord(task: task, result: result, sentAt: .zero, finishedAt: latency, schedulerLag: .zero))
            i += 1
        }
        for _ in 0..<succeeded { add(TargetResult(status: .succeeded), latency: .milliseconds(100)) }
        for _ in 0..<failed { add(TargetResult(status: .failed, cause: .attemptsExhausted, attempts: 3, calls: 3), latency: .seconds(2)) }
        for _ in 0..<dropped { add(TargetResult(status: .dropped, attempts: 0, calls: 0), latency: .zero) }
        recorder.close()
        return recorder.summary(target: "stack", timeScale: 1, realElapsed: .seconds(1), offered: i, breaker: nil)
    }

    @Test func thresholdsParseMetricComparisonAndValue() throws {
        let t = try LoadThreshold.parse("success_rate>=99%")
        #expect(t.metric == .successRate && t.comparison == .atLeast && t.value == 0.99)
        let l = try LoadThreshold.parse(" latency_p99 < 2s ")
        #expect(l.metric == .latencyP99 && l.comparison == .below && l.value == 2)
        #expect(try LoadThreshold.parse("failures<=0").value == 0)
        #expect(try LoadThreshold.parse("llm_calls_per_task<=1.5").value == 1.5)
        #expect(try LoadThreshold.parse("latency_max==250ms").comparison == .equal)
    }

    @Test func aThresholdThatDoesNotParseNamesTheFlagAndWhatIsValid() {
        func message(_ text: String) -> String {
            do {
                _ = try LoadThreshold.parse(text)
                return ""
            } catch { return error.message }
        }
        #expect(message("success_rate 99%").contains("expected METRIC OP VALUE"))
        #expect(message("succes_rate>=99%").contains("unknown metric 'succes_rate'"))
        #expect(message("succes_rate>=99%").contains("success_rate, failure_rate"))
        #expect(message("success_rate>=0.99").contains("takes a percentage such as 99%"))
        #expect(message("success_rate>=120%").hasPrefix("--expect"))
        #expect(message("latency_p99<fast").contains("takes a duration"))
        #expect(message("failures<=-1").contains("takes a whole number"))
    }

    @Test func metricsATaskServiceCannotShowAreRefusedForTheTasksTarget() throws {
        for text in ["llm_calls_per_task<=2", "attempts_per_task<=2", "duplicate_executions<=0"] {
            let t = try LoadThreshold.parse(text)
            #expect(t.unobservable(on: .tasks)?.contains("--target tasks cannot observe") == true)
            #expect(t.unobservable(on: .stack) == nil)
        }
        #expect(try LoadThreshold.parse("success_rate>=99%").unobservable(on: .tasks) == nil)
        #expect(try LoadThreshold.parse("duplicate_executions<=0").unobservable(on: .raw) != nil)
    }

    @Test func verdictsComeFromTheSummary() throws {
        let s = try Self.summary(succeeded: 97, failed: 3, dropped: 2)
        let ok = try LoadThreshold.parse("success_rate>=97%").evaluate(s)
        #expect(ok.passed && ok.observed == 0.97)
        let fail = try LoadThreshold.parse("success_rate>=99%").evaluate(s)
        #expect(!fail.passed && fail.line.hasPrefix("FAIL success_rate>=99%: observed 97%"))
        #expect(try LoadThreshold.parse("failures<=3").evaluate(s).passed)
        #expect(try !LoadThreshold.parse("failures<3").evaluate(s).passed)
        #expect(try LoadThreshold.parse("dropped==2").evaluate(s).passed)
        #expect(try LoadThreshold.parse("latency_p50<200ms").evaluate(s).passed)
        #expect(try !LoadThreshold.parse("latency_max<1s").evaluate(s).passed)
        let calls = try LoadThreshold.parse("llm_calls_per_task<=1.05").evaluate(s)
        #expect(!calls.passed && abs((calls.observed ?? 0) - 1.06) < 1e-9)
    }

    @Test func aThresholdWithNothingToMeasureFailsAsNoEvidence() throws {
        let s = try Self.summary(succeeded: 0, failed: 0)
        let v = try LoadThreshold.parse("success_rate>=99%").evaluate(s)
        #expect(!v.passed && v.observed == nil && v.line.contains("no evidence"))
    }

    @Test func serviceLatencyThresholdsAreForTheTasksTargetAndJudgedFromItsProbe() throws {
        let t = try LoadThreshold.parse("accept_p99<200ms")
        #expect(t.metric == .acceptP99 && t.value == 0.2)
        #expect(t.unobservable(on: .tasks) == nil)
        #expect(t.unobservable(on: .raw)?.contains("has no task service") == true)
        #expect(t.unobservable(on: .stack) != nil)
        var s = try Self.summary(succeeded: 3, failed: 0)
        // No task service measured: no evidence, never a pass.
        #expect(t.evaluate(s).passed == false && t.evaluate(s).observed == nil)
        let probe = ServiceLatencyProbe()
        for ms in [5, 6, 7] { probe.record(.accept, elapsed: .milliseconds(ms), failure: nil) }
        probe.record(.health, elapsed: .milliseconds(1500), failure: nil)
        s.serviceLatency = probe.summary()
        #expect(t.evaluate(s).passed)
        let health = try LoadThreshold.parse("health_max<1s").evaluate(s)
        #expect(!health.passed && abs((health.observed ?? 0) - 1.5) < 0.01)
        #expect(s.render().contains("service health latency (real): n 1"))
    }

    @Test func healthSamplesAnsweredOnlyWithFailedProbesAreNoEvidence() async throws {
        // A service with no /health answers 404 in a millisecond: that is not a healthy endpoint's
        // latency, so `health_max<1s` has nothing to judge instead of passing.
        let probe = ServiceLatencyProbe()
        let notFound = FixedReplyClient(status: 404)
        for _ in 0..<3 {
            _ = await probe.timed(.health, HTTPCall(method: "GET", url: "http://h/health", timeout: .seconds(1)), client: notFound)
        }
        var s = try Self.summary(succeeded: 3, failed: 0)
        s.serviceLatency = probe.summary()
        #expect(s.serviceLatency?.health.count == 3 && s.serviceLatency?.health.unhealthy == 3)
        let health = try LoadThreshold.parse("health_max<1s").evaluate(s)
        #expect(!health.passed && health.observed == nil)
        // One healthy answer (a redirect counts, as for a Kubernetes probe): judged.
        _ = await probe.timed(.health, HTTPCall(method: "GET", url: "http://h/health", timeout: .seconds(1)), client: FixedReplyClient(status: 302))
        s.serviceLatency = probe.summary()
        #expect(try LoadThreshold.parse("health_max<1s").evaluate(s).passed)
    }
}

/// Answers every call with `status` at once.
struct FixedReplyClient: LoadHTTPClient {
    let status: Int
    func send(_ call: HTTPCall) async -> Result<HTTPReply, TransportFailureError> { .success(HTTPReply(status: status)) }
}
