import Foundation
import Scenarios
import Testing

import Reporting

@Suite struct ReportMarkdownTests {
    let text = ReportMarkdown.render(Fixture.result(), context: ReportContext(squallVersion: "0.1.0"))

    func lines() -> [String] { text.components(separatedBy: "\n") }

    @Test func startsWithTitleAndVerdictLine() {
        let l = lines()
        #expect(l[0] == "# breaker-outage")
        #expect(l[2] == "**Verdict: ❌ FAIL**: 2 of 3 expectations held · sim, seed 42, 30m of scenario time, 210 tasks")
    }

    @Test func verdictTableHasOneRowPerExpectationWithEscapedText() {
        let l = lines()
        #expect(l.contains("| expectation | expected | observed | n | result | detail |"))
        #expect(l.contains("| `success_rate` | >= 85% | 88.095% | 210 | ✅ pass |  |"))
        #expect(l.contains("| `breaker.opens_within` | <= 15s after window 1 start | 4.25s | 91 | ✅ pass |  |"))
        #expect(l.contains(#"| `latency_p99` | < 5s | 12.5s | 210 | ❌ fail | p99 of 210 tasks > limit; note \<b>&"quotes"\</b> \| pipe |"#))
    }

    @Test func eachVerdictSaysWhereItWasMeasuredWhenTheSummaryKnows() {
        var r = Fixture.result()
        for i in r.expectations.indices { r.expectations[i].measuredFrom = "simulator · task outcomes" }
        r.expectations[1].measuredFrom = "simulator · stack events"
        let table = ReportMarkdown.expectations(r).components(separatedBy: "\n")
        #expect(table.contains("| expectation | expected | observed | n | measured from | result | detail |"))
        #expect(table.contains("| `breaker.opens_within` | <= 15s after window 1 start | 4.25s | 91 | simulator · stack events | ✅ pass |  |"))
    }

    @Test func noEvidenceVerdictsAreMarkedAsSuch() {
        var r = Fixture.result()
        r.expectations.append(.noEvidence(name: "duplicates.replays_identical", expected: "e", observed: "no replays", detail: "d"))
        let table = ReportMarkdown.expectations(r)
        #expect(table.contains("| `duplicates.replays_identical` | e | no replays | 0 | ⚠️ no evidence | d |"))
        #expect(ReportMarkdown.header(r).contains("2 of 4 expectations held"))
    }

    @Test func passingRunSaysPass() {
        var r = Fixture.result()
        r.expectations.removeLast()
        let first = ReportMarkdown.header(r).components(separatedBy: "\n")[2]
        #expect(first == "**Verdict: ✅ PASS**: 2 of 2 expectations held · sim, seed 42, 30m of scenario time, 210 tasks")
    }

    @Test func failureArithmeticStatesFormulaIntervalAndFraming() {
        let l = lines()
        #expect(l.contains("- Per attempt: transient failure t = 1% (of which timeouts 0.1%), permanent failure p = 0.2%."))
        #expect(l.contains("- Per task with n = 5 attempts: t^n + p(1 − t^n)/(1 − t) = 1.00e-10 + 0.202% = **0.202%** (a single attempt: 1.2%)."))
        #expect(l.contains("- Over 210 tasks: expected 0.4 failures, observed **25** (11.9%)."))
        #expect(l.contains("- Exact binomial (Clopper–Pearson) 99% interval of the failure probability: 7% .. 18.4%; the expected 0.202% lies outside it: **not consistent**."))
        #expect(l.contains("- Per day at 10,000 tasks/day: expected 20.2 failures/day, observed 1,200 failures/day."))
        #expect(l.contains("> 99.8% success at 10,000 tasks/day = 20.2 failures/day  "))
        #expect(l.contains("> Without retries: 98.8% success at 10,000 tasks/day = 120 failures/day"))
    }

    @Test func tinyExpectedFailuresPrintInScientificForm() throws {
        var r = Fixture.result()
        var a = try #require(r.arithmetic)
        a.expectedFailures = 6.9e-8
        a.observedFailures = 0
        a.observedFailureProbability = 0
        r.arithmetic = a
        #expect(ReportMarkdown.arithmetic(r).contains("- Over 210 tasks: expected 6.90e-08 failures, observed **0** (0%).\n"))
    }

    @Test func breakerTimelineListsTransitionsRelativeToFaultWindows() {
        let l = lines()
        #expect(l.contains("| 1 | 10m4.25s | closed → open | 5 failures in window | window 1 start +4.25s |"))
        #expect(l.contains("| 3 | 10m34.5s | half_open → open | probe failed | window 1 start +34.5s |"))
        #expect(l.contains("| 5 | 15m1.75s | half_open → closed | probes succeeded | window 1 end +1.75s |"))
        #expect(l.contains("| 2 | 1 | 1 | 4m56.5s | 0 | 2 (1) | 20 | closed |"))
    }

    @Test func faultWindowsShowOfferedLoad() {
        let l = lines()
        #expect(l.contains("| window | from | to | fault | arrivals | LLM calls | calls per arrival |"))
        #expect(l.contains("| 1 | 10m0s | 15m0s | status 503 | 35 | 91 | 2.60 |"))
        var r = Fixture.result()
        r.faultWindows = []
        #expect(ReportMarkdown.load(r, chart: false) == "## Load and fault windows\n\nThe fault profile has no fault windows.\n")
    }

    @Test func tokenBudgetLineAppearsWhenEnabled() {
        #expect(text.contains("\nToken budget: 5,200 input tokens; 2 prompts truncated to fit, 1 tasks rejected as too large, largest prompt sent 5,199 tokens.\n"))
        var r = Fixture.result()
        r.tokenBudget = TokenBudgetStats()
        #expect(!ReportMarkdown.usage(r).contains("Token budget"))
    }

    @Test func latencyPercentilesAndUsagePerDay() {
        let l = lines()
        #expect(l.contains("| all executed | 210 | 120ms | 1.38s | 800ms | 2.1s | 3.3s | 12.5s | 31.5s | 40s |"))
        #expect(l.contains("| LLM calls | 231 | 11,088 |"))
        #expect(l.contains("| tokens (prompt + completion) | 46,567 (12,000 + 34,567) | 2,235,216 |"))
        #expect(l.contains("| cost | $0.0123 | $0.5904 |"))
        #expect(l.contains("| keys executed more than once (duplicate executions) | 0 |"))
    }

    @Test func chartsAreRelativeSVGLinks() {
        for file in ["outcomes.svg", "load.svg", "latency.svg", "latency-distribution.svg", "breaker.svg"] {
            #expect(text.contains("](\(file))"))
        }
        let plain = ReportMarkdown.render(Fixture.result(), charts: .none)
        #expect(!plain.contains(".svg)"))
    }

    @Test func metadataNamesSeedModeDurationScaleAndVersion() {
        let l = lines()
        #expect(l.contains("| seed | 42 |"))
        #expect(l.contains("| mode | sim |"))
        #expect(l.contains("| duration | 30m (last task finished at 30m12.5s) |"))
        #expect(l.contains("| time scale | virtual time |"))
        #expect(l.contains("| Squall version | 0.1.0 |"))
        let live = ReportMarkdown.metadata(Fixture.result(), context: ReportContext(squallVersion: "9", timeScale: 60))
        #expect(live.contains("| time scale | 60× (reported in scenario time) |"))
    }

    @Test func incompleteRunIsMarkedAtTheTop() {
        let r = Fixture.result(incomplete: true)
        let head = ReportMarkdown.header(r)
        #expect(head.contains("**Verdict: ⚠️ INCOMPLETE**"))
        #expect(head.contains("> **Incomplete run.** interrupted by SIGINT at 23m Figures cover scenario time 0s..30m12.5s of 30m; 3 tasks were unfinished."))
    }

    @Test func stackWithoutBreakerSaysSo() {
        let out = ReportMarkdown.breaker(Fixture.result(breaker: false), chart: false)
        #expect(out == "## Circuit breaker\n\nNo circuit breaker in this stack.\n")
    }

    @Test func relationToWindowsBeforeInsideAndAfter() {
        let w = [FaultWindowInfo(index: 1, start: 600, end: 900, label: "x"), FaultWindowInfo(index: 2, start: 1200, end: 1260, label: "y")]
        #expect(ReportMarkdown.relation(10, w) == "before any fault window")
        #expect(ReportMarkdown.relation(612.5, w) == "window 1 start +12.5s")
        #expect(ReportMarkdown.relation(960, w) == "window 1 end +1m0s")
        #expect(ReportMarkdown.relation(1201, w) == "window 2 start +1s")
        #expect(ReportMarkdown.relation(5, []) == "")
    }
}

@Suite struct InferredBreakerReportTests {
    @Test func aForeignTargetsBreakerSectionSaysItWasInferredAtTheLLM() {
        var r = Fixture.result()
        r.breaker.configured = false
        r.aggregates.mechanisms.inferredBreaker = InferredBreakerFigures(
            rule: InferredBreakerRule(),
            transitions: [
                BreakerTransitionRecord(at: 302.1, from: "closed", to: "open", cause: "no call for 3 arrivals after a failed call"),
                BreakerTransitionRecord(at: 610.5, from: "open", to: "closed", cause: "calls track arrivals again (2 calls within 1 arrivals)"),
            ],
            opens: 1, closes: 1, probes: 9, maxProbeBurst: 1, secondsOpen: 308.4, finalState: "closed", undecidedAtEnd: false,
            stalls: 0, arrivals: 600, calls: 640, truncated: false, windows: [])
        let text = ReportMarkdown.breaker(r, chart: false)
        #expect(text.contains("Inferred at the LLM (mock call log)"), "\(text)")
        #expect(!text.contains("No circuit breaker in this stack"))
        #expect(text.contains("closed → open"))
        #expect(text.contains("9 (1)"))
        r.aggregates.mechanisms.inferredBreaker = nil
        #expect(ReportMarkdown.breaker(r, chart: false).contains("No circuit breaker in this stack"))
    }
}
