import Reliability
import Scenarios

/// Run facts that are not part of the result model but belong in the report's metadata.
public struct ReportContext: Sendable, Hashable {
    /// Squall's version string. Default `unknown`.
    public var squallVersion: String
    /// Live mode's time scale K (configured durations divided by K); nil in the simulator. Default nil.
    public var timeScale: Double?

    /// Creates a context; see each field for its default.
    public init(squallVersion: String = "unknown", timeScale: Double? = nil) {
        self.squallVersion = squallVersion
        self.timeScale = timeScale
    }
}

/// `report.md`: the verdict, the verdict table, the failure arithmetic, outcomes, latency, the
/// breaker timeline, usage per day, duplicates, charts (relative SVG links) and run metadata.
public enum ReportMarkdown {
    /// Which charts to link (those written beside the report).
    public struct Charts: Sendable, Hashable {
        /// `outcomes.svg` was written.
        public var outcomes = true
        /// `load.svg` was written.
        public var load = true
        /// `latency.svg` was written.
        public var latency = true
        /// `breaker.svg` was written.
        public var breaker = true
        /// `latency-distribution.svg` was written.
        public var distribution = true
        /// All charts.
        public static let all = Charts()
        /// No charts (for the GitHub step summary, where relative links do not resolve).
        public static let none = Charts(outcomes: false, load: false, latency: false, breaker: false, distribution: false)
    }

    /// The whole report.
    public static func render(_ r: ScenarioResult, context: ReportContext = ReportContext(), charts: Charts = .all) -> String {
        var out = header(r)
        out += "\n" + expectations(r)
        out += "\n" + fidelity(r)
        out += "\n" + arithmetic(r)
        out += "\n" + outcomes(r, chart: charts.outcomes)
        out += "\n" + load(r, chart: charts.load)
        out += "\n" + latency(r, charts: charts)
        out += "\n" + breaker(r, chart: charts.breaker)
        out += "\n" + usage(r)
        out += "\n" + duplicates(r)
        if r.service != nil { out += "\n" + service(r) }
        if r.serviceLatency != nil { out += "\n" + serviceLatency(r) }
        out += "\n" + metadata(r, context: context)
        return out
    }

    /// Title, verdict line, description and the incomplete-run warning.
    public static func header(_ r: ScenarioResult) -> String {
        let verdict = ReportVerdict(r)
        let held = r.expectations.filter(\.passed).count
        var out = "# \(Markdown.text(r.scenario.name))\n\n"
        var line = "**Verdict: \(verdict.badge)**: \(held) of \(r.expectations.count) expectations held"
        line += " · \(r.mode.rawValue), seed \(r.seed), \(NumberText.duration(r.durationSeconds)) of scenario time"
        line += ", \(NumberText.grouped(r.totals.tasks)) tasks"
        out += line + "\n"
        if r.incomplete {
            out += "\n> [!WARNING]\n> **Incomplete run.** \(Markdown.text(r.incompleteReason ?? "The run stopped early.")) "
            out += "Figures cover scenario time 0s..\(NumberText.instant(r.endSeconds)) of \(NumberText.duration(r.durationSeconds)); "
            out += "\(NumberText.grouped(r.totals.unfinished)) tasks were unfinished.\n"
        }
        for warning in r.llmLog?.warnings ?? [] {
            out += "\n> [!WARNING]\n> **LLM-side evidence.** \(Markdown.text(warning))\n"
        }
        if let log = r.llmLog {
            out += "\nLLM-side figures (calls, tokens, cost, executions per key) come from the mock's call log "
            out += "(\(Markdown.text(log.source)), run `\(log.run)`): \(NumberText.grouped(log.counted)) calls"
            out += log.tagged
                ? ", \(NumberText.grouped(log.attributed)) attributed to a key by the prompt tag"
                : "; prompts were not tagged, so per-key figures are unavailable"
            if log.untagged > 0, log.tagged { out += ", \(NumberText.grouped(log.untagged)) without a tag" }
            if log.otherRun > 0 { out += ", \(NumberText.grouped(log.otherRun)) of another run not counted" }
            if log.dropped > 0 { out += ", \(NumberText.grouped(log.dropped)) lost before they were read" }
            out += ".\n"
        }
        if !r.scenario.description.isEmpty { out += "\n" + Markdown.text(r.scenario.description) + "\n" }
        return out
    }

    /// The verdict table: one row per expectation.
    public static func expectations(_ r: ScenarioResult) -> String {
        var out = "## Expectations\n\n"
        guard !r.expectations.isEmpty else { return out + "The scenario states no expectations.\n" }
        let withDetail = r.expectations.contains { !$0.detail.isEmpty }
        // Summaries written before verdicts said where they were measured render without the column.
        let withSource = r.expectations.contains { $0.measuredFrom != nil }
        let rows = r.expectations.map { v -> [String] in
            var row = [
                Markdown.code(v.name), Markdown.text(v.expected), Markdown.text(v.observed), NumberText.grouped(v.observations),
            ]
            if withSource { row.append(Markdown.text(v.measuredFrom ?? "-")) }
            row.append(resultLabel(v.status) + (v.untrustworthy ? " ⏱ untrustworthy" : ""))
            if withDetail { row.append(Markdown.text(v.detail)) }
            return row
        }
        var header = ["expectation", "expected", "observed", "n"]
        var align: [Markdown.Align] = [.left, .left, .left, .right]
        if withSource {
            header.append("measured from")
            align.append(.left)
        }
        header.append("result")
        align.append(.left)
        if withDetail {
            header.append("detail")
            align.append(.left)
        }
        out += Markdown.table(header, rows, align: align)
        out += "\n`n` is how many observations each verdict rests on (tasks, calls, replays, breaker periods)"
        if withSource { out += "; *measured from* is the stream it was computed from (the simulator's, the mock's call log, the service's API)" }
        out += "; "
        out += "a verdict with none is **no evidence** and counts as not held.\n"
        if r.expectations.contains(where: \.untrustworthy) {
            out += "\n⏱ **untrustworthy**: the live run's timing distortion (see Timing fidelity) reached the verdict's margin, "
            out += "so it cannot pass at this time scale; the detail says which scale would be trustworthy.\n"
        }
        return out
    }

    /// The "Timing fidelity" section: a live run's scheduler lag and per-attempt real overhead, in
    /// real milliseconds and × the time scale as scenario-time distortion; the simulator's time is exact.
    public static func fidelity(_ r: ScenarioResult) -> String {
        var out = "## Timing fidelity\n\n"
        guard let f = r.fidelity else {
            return out + (r.mode == .sim
                ? "Exact: virtual time (simulator); no scheduler lag or real overhead distorts its timings.\n"
                : "Not measured (a summary written before timing fidelity was recorded).\n")
        }
        let k = NumberText.trimmed(f.timeScale, 3)
        func row(_ name: String, _ x: RealTimeFigure) -> [String] {
            [name, NumberText.grouped(x.n), ms(x.p50Ms), ms(x.p99Ms), ms(x.maxMs), NumberText.duration(x.p99ScenarioSeconds)]
        }
        out += Markdown.table(
            ["measured (real time)", "n", "p50", "p99", "max", "p99 × \(k) (scenario)"],
            [row("scheduler lag (submissions and timers)", f.lag), row("overhead per LLM attempt", f.overhead)],
            align: [.left, .right, .right, .right, .right, .right])
        out += "\nDistortion at ×\(k): (lag p99 + overhead p99) × K = **\(NumberText.duration(f.distortionSeconds))** of scenario time. "
        out += "Measured from: \(Markdown.text(f.measuredFrom)); lag over \(NumberText.grouped(f.lagSubmissions)) submissions and "
        out += "\(NumberText.grouped(f.lag.n - f.lagSubmissions)) timers; overhead \(Markdown.text(f.overheadDefinition)).\n"
        if f.overhead.n == 0 {
            out += "No attempt overhead was measured (a task service's calls are not timed by Squall): the distortion rests on lag alone.\n"
        }
        out += "\nA timing verdict (latency limit, breaker or recovery window, retry timing tolerance) whose margin this "
        out += "distortion reaches is **untrustworthy** at ×\(k) and does not pass: \(f.untrustworthy) here.\n"
        if let auto = f.auto {
            out += "\nTime scale chosen by `--time-scale auto`: \(Markdown.text(auto.reason)) "
            out += "(calibration: \(auto.calibrationTasks) tasks at ×1 against the in-process mock, no faults).\n"
        }
        return out
    }

    static func ms(_ v: Double) -> String { NumberText.trimmed(v, 3) + " ms" }

    /// `✅ pass`, `❌ fail`, `⚠️ no evidence`.
    public static func resultLabel(_ status: VerdictStatus) -> String {
        switch status {
        case .pass: return "✅ pass"
        case .fail: return "❌ fail"
        case .noEvidence: return "⚠️ no evidence"
        }
    }

    /// The failure arithmetic block.
    public static func arithmetic(_ r: ScenarioResult) -> String {
        var out = "## Failure arithmetic\n\n"
        guard let a = r.arithmetic else { return out + "Not computed for this run.\n" }
        let p = NumberText.probability
        if !a.closedForm {
            out += "The closed form does not strictly apply to this scenario (see the notes); the expected figures are for the steady state outside any fault window.\n\n"
        }
        out += "- Per attempt: transient failure t = \(p(a.perAttemptTransient)) (of which timeouts \(p(a.perAttemptTimeout))), permanent failure p = \(p(a.perAttemptPermanent)).\n"
        out += "- Per task with n = \(a.attempts) attempts: t^n + p(1 − t^n)/(1 − t) = \(p(a.expectedExhaustion)) + \(p(a.expectedPermanent)) = **\(p(a.expectedFailureProbability))** (a single attempt: \(p(a.singleAttemptFailureProbability))).\n"
        out += "- Over \(NumberText.grouped(a.tasks)) tasks: expected \(NumberText.expectedCount(a.expectedFailures)) failures, observed **\(NumberText.grouped(a.observedFailures))** (\(p(a.observedFailureProbability))).\n"
        out += "- Exact binomial (Clopper–Pearson) \(NumberText.percent(a.confidence, digits: 1)) interval of the failure probability: \(p(a.intervalLower)) .. \(p(a.intervalUpper)); "
        out += a.consistent ? "the expected \(p(a.expectedFailureProbability)) lies inside it: **consistent**.\n" : "the expected \(p(a.expectedFailureProbability)) lies outside it: **not consistent**.\n"
        out += "- Per day at \(NumberText.grouped(a.tasksPerDay, digits: 1)) tasks/day: expected \(NumberText.expectedCount(a.expectedFailuresPerDay)) failures/day, observed \(NumberText.grouped(a.observedFailuresPerDay, digits: 1)) failures/day.\n"
        out += "\n> \(Markdown.text(a.framing))  \n> Without retries: \(Markdown.text(a.singleAttemptFraming))\n"
        if !a.notes.isEmpty {
            out += "\nNotes:\n\n" + a.notes.map { "- \(Markdown.text($0))\n" }.joined()
        }
        return out
    }

    /// Task outcomes: totals, failures by cause, attempt outcomes, retries by reason.
    public static func outcomes(_ r: ScenarioResult, chart: Bool) -> String {
        var out = "## Outcomes\n\n"
        let t = r.totals
        out += Markdown.table(
            ["submitted", "executed", "succeeded", "failed", "unfinished", "success rate"],
            [[
                NumberText.grouped(t.submitted), NumberText.grouped(t.tasks), NumberText.grouped(t.succeeded),
                NumberText.grouped(t.failed), NumberText.grouped(t.unfinished), NumberText.percent(t.successRate, digits: 3),
            ]], align: Array(repeating: .right, count: 6))
        if chart { out += "\n![Task outcomes per interval](\(ReportFiles.outcomesChart))\n" }
        if !r.failuresByCause.isEmpty {
            out += "\nFailures by cause:\n\n" + countTable("cause", r.failuresByCause, total: t.failed)
        }
        if !r.attemptOutcomes.isEmpty {
            out += "\nAttempt outcomes (as the client saw them):\n\n"
            out += countTable("outcome", r.attemptOutcomes, total: r.attemptOutcomes.map(\.count).reduce(0, +))
        }
        if !r.retriesByReason.isEmpty {
            out += "\nRetries by reason:\n\n" + countTable("reason", r.retriesByReason, total: r.retriesByReason.map(\.count).reduce(0, +))
        }
        return out
    }

    static func countTable(_ label: String, _ counts: [NamedCount], total: Int) -> String {
        Markdown.table(
            [label, "count", "share"],
            counts.map { [Markdown.code($0.name), NumberText.grouped($0.count), total == 0 ? "" : NumberText.percent(Double($0.count) / Double(total), digits: 2)] },
            align: [.left, .right, .right])
    }

    /// Offered load: the fault windows with arrivals and LLM calls inside them (retry
    /// amplification), and the load chart.
    public static func load(_ r: ScenarioResult, chart: Bool) -> String {
        var out = "## Load and fault windows\n\n"
        if r.faultWindows.isEmpty {
            out += "The fault profile has no fault windows.\n"
        } else {
            out += Markdown.table(
                ["window", "from", "to", "fault", "arrivals", "LLM calls", "calls per arrival"],
                r.faultWindows.map {
                    [
                        String($0.index), NumberText.instant($0.start), NumberText.instant($0.end), Markdown.text($0.label),
                        NumberText.grouped($0.arrivals), NumberText.grouped($0.llmCalls), NumberText.fixed($0.offeredLoad, 2),
                    ]
                }, align: [.right, .right, .right, .left, .right, .right, .right])
        }
        if chart { out += "\n![Offered load, LLM calls and goodput per interval](\(ReportFiles.loadChart))\n" }
        return out
    }

    /// Latency percentiles (from the intended start), with the charts.
    public static func latency(_ r: ScenarioResult, charts: Charts) -> String {
        var out = "## Latency (from intended start)\n\n"
        out += "Measured from each task's intended start in the arrival schedule, so queueing and stalls are included (no coordinated omission).\n\n"
        func row(_ name: String, _ l: LatencySummary) -> [String] {
            guard l.count > 0 else { return [name, "0", "", "", "", "", "", "", "", ""] }
            return [name, NumberText.grouped(l.count)] + [l.min, l.mean, l.p50, l.p90, l.p95, l.p99, l.p999, l.max].map(NumberText.latency)
        }
        out += Markdown.table(
            ["tasks", "count", "min", "mean", "p50", "p90", "p95", "p99", "p99.9", "max"],
            [row("all executed", r.latency), row("succeeded", r.successLatency)],
            align: [.left] + Array(repeating: .right, count: 9))
        if charts.latency { out += "\n![Latency per interval](\(ReportFiles.latencyChart))\n" }
        if charts.distribution { out += "\n![Latency distribution](\(ReportFiles.distributionChart))\n" }
        return out
    }

    /// Where `at` lies relative to the fault windows, e.g. `window 1 +4.1s` or `12s after window 1`.
    public static func relation(_ at: Double, _ windows: [FaultWindowInfo]) -> String {
        guard let w = windows.filter({ $0.start <= at }).max(by: { $0.start < $1.start }) else {
            return windows.isEmpty ? "" : "before any fault window"
        }
        if at < w.end { return "window \(w.index) start +\(NumberText.instant(at - w.start))" }
        return "window \(w.index) end +\(NumberText.instant(at - w.end))"
    }

    /// The breaker: summary figures, the state band and the timeline of transitions.
    public static func breaker(_ r: ScenarioResult, chart: Bool) -> String {
        var out = "## Circuit breaker\n\n"
        let b = r.breaker
        if !b.configured, let f = r.aggregates.mechanisms.inferredBreaker { return out + inferredBreaker(f, r) }
        guard b.configured else { return out + "No circuit breaker in this stack.\n" }
        out += Markdown.table(
            ["opens", "closes", "open/close cycles", "time open", "calls while open", "half-open calls (max per period)", "rejections", "final state"],
            [[
                String(b.opens), String(b.closes), String(b.cycles), NumberText.instant(b.secondsOpen), String(b.callsWhileOpen),
                "\(b.halfOpenCalls) (\(b.maxCallsPerHalfOpen))", NumberText.grouped(b.rejections), b.finalState,
            ]], align: Array(repeating: .right, count: 8))
        if chart { out += "\n![Circuit breaker state](\(ReportFiles.breakerChart))\n" }
        out += "\nTimeline:\n\n"
        if b.transitions.isEmpty { return out + "The breaker never changed state.\n" }
        return out + transitionTable(b.transitions, causeHeader: "cause", r)
    }

    /// A breaker's transitions, numbered, with each one's place relative to the fault windows.
    static func transitionTable(_ transitions: [BreakerTransitionRecord], causeHeader: String, _ r: ScenarioResult) -> String {
        Markdown.table(
            ["#", "at", "transition", causeHeader, "relative to fault windows"],
            transitions.enumerated().map { i, t in
                [String(i + 1), NumberText.instant(t.at), "\(t.from) → \(t.to)", Markdown.text(t.cause), relation(t.at, r.faultWindows)]
            }, align: [.right, .right, .left, .left, .left])
    }

    /// The breaker of a target Squall cannot see, inferred at the LLM (docs/live.md "Breaker inferred at the LLM").
    static func inferredBreaker(_ f: InferredBreakerFigures, _ r: ScenarioResult) -> String {
        var out = "Inferred at the LLM (mock call log): the target's own breaker is not visible to Squall, so these figures "
            + "come from when its calls stopped and resumed while tasks kept arriving (\(NumberText.grouped(f.arrivals)) arrivals, "
            + "\(NumberText.grouped(f.calls)) calls read).\n\n"
        out += Markdown.table(
            ["opens", "closes", "time open", "probes (max per burst)", "stalls withdrawn", "final state"],
            [[
                String(f.opens), String(f.closes), NumberText.instant(f.secondsOpen), "\(f.probes) (\(f.maxProbeBurst))", String(f.stalls),
                f.finalState + (f.undecidedAtEnd ? " (undecided at the end)" : ""),
            ]], align: Array(repeating: .right, count: 6))
        if f.truncated { out += "\nThe inference stopped recording at \(NumberText.grouped(f.arrivals + f.calls)) events: not trustworthy.\n" }
        out += "\nTimeline (inferred):\n\n"
        if f.transitions.isEmpty { return out + "No opening was inferred.\n" }
        return out + transitionTable(f.transitions, causeHeader: "evidence", r)
    }

    /// Attempts, calls, tokens and cost, for the run and per day.
    public static func usage(_ r: ScenarioResult) -> String {
        var out = "## Attempts, calls, tokens and cost\n\n"
        let u = r.usage
        let d = r.perDay
        let g = { (v: Double) in NumberText.grouped(v, digits: 1) }
        out += Markdown.table(
            ["", "this run", "per day"],
            [
                ["tasks executed", NumberText.grouped(r.totals.tasks), g(d.tasks)],
                ["failures", NumberText.grouped(r.totals.failed), g(d.failures)],
                ["LLM calls", NumberText.grouped(u.llmCalls), g(d.llmCalls)],
                ["completions generated", NumberText.grouped(u.executions), ""],
                ["tokens (prompt + completion)", "\(NumberText.grouped(u.totalTokens)) (\(NumberText.grouped(u.promptTokens)) + \(NumberText.grouped(u.completionTokens)))", g(d.tokens)],
                ["cost", NumberText.dollars(u.cost), NumberText.dollars(d.cost)],
            ], align: [.left, .right, .right])
        out += "\nMean attempts per task \(NumberText.fixed(r.attempts.meanAttempts, 3)), mean LLM calls per task \(NumberText.fixed(r.attempts.meanCalls, 3)), most attempts \(r.attempts.maxAttempts).\n"
        if !r.attempts.histogram.isEmpty {
            let total = r.attempts.histogram.map(\.tasks).reduce(0, +)
            out += "\n" + Markdown.table(
                ["attempts", "tasks", "share"],
                r.attempts.histogram.map { [String($0.attempts), NumberText.grouped($0.tasks), NumberText.percent(Double($0.tasks) / Double(max(total, 1)), digits: 3)] },
                align: [.right, .right, .right])
        }
        if !u.byModel.isEmpty {
            out += "\nBy model:\n\n" + Markdown.table(
                ["model", "calls", "completions", "prompt tokens", "completion tokens", "cost"],
                u.byModel.map {
                    [Markdown.code($0.model), NumberText.grouped($0.llmCalls), NumberText.grouped($0.executions), NumberText.grouped($0.promptTokens), NumberText.grouped($0.completionTokens), NumberText.dollars($0.cost)]
                }, align: [.left, .right, .right, .right, .right, .right])
        }
        if !u.byRoute.isEmpty {
            out += "\nBy route (the routing cost split):\n\n" + Markdown.table(
                ["route", "model", "tasks", "task share", "cost", "cost share"],
                u.byRoute.map {
                    [Markdown.code($0.route), Markdown.code($0.model), NumberText.grouped($0.tasks), NumberText.percent($0.taskShare, digits: 1), NumberText.dollars($0.cost), NumberText.percent($0.costShare, digits: 1)]
                }, align: [.left, .left, .right, .right, .right, .right])
        }
        let b = r.tokenBudget
        if b.enabled {
            out += "\nToken budget: \(NumberText.grouped(b.inputBudget)) input tokens; \(NumberText.grouped(b.truncatedPrompts)) prompts truncated to fit, \(NumberText.grouped(b.rejected)) tasks rejected as too large, largest prompt sent \(NumberText.grouped(b.maxPromptTokens)) tokens.\n"
        }
        if !u.unpricedModels.isEmpty {
            out += "\nNo price configured for \(u.unpricedModels.map(Markdown.code).joined(separator: ", ")); their cost counts as $0.\n"
        }
        return out
    }

    /// Duplicate submissions and idempotency.
    public static func duplicates(_ r: ScenarioResult) -> String {
        var out = "## Duplicates\n\n"
        let d = r.duplicates
        if d.submitted == 0 && d.duplicateExecutions == 0 {
            return out + "No duplicate submissions in this run (idempotency \(d.idempotencyEnabled ? "on" : "off")).\n"
        }
        out += "Idempotency \(d.idempotencyEnabled ? "on" : "off"); executions counted at the LLM (completions generated per key).\n\n"
        out += Markdown.table(
            ["", "count"],
            [
                ["duplicate submissions", NumberText.grouped(d.submitted)],
                ["sent while the original was in flight", NumberText.grouped(d.concurrent)],
                ["replayed from the stored result", NumberText.grouped(d.replayed)],
                ["rejected as in flight (409)", NumberText.grouped(d.conflicts)],
                ["re-executed after the TTL (allowed)", NumberText.grouped(d.reexecutedAfterTTL)],
                ["re-executed within the TTL", NumberText.grouped(d.reexecutedWithinTTL)],
                ["keys executed more than once (duplicate executions)", NumberText.grouped(d.duplicateExecutions)],
                ["most executions of one key", NumberText.grouped(d.maxExecutionsPerKey)],
                ["replays differing from the original", NumberText.grouped(d.replayMismatches)],
            ], align: [.left, .right])
        return out
    }

    /// The task service a `service:` run went through: replicas, tasks accepted and lost, the drain.
    public static func service(_ r: ScenarioResult) -> String {
        guard let s = r.service else { return "" }
        var out = "## Task service\n\n"
        if let command = s.command {
            out += "Started by Squall: `\(command)`; every task id the service answered with was polled until it was seen "
            out += "complete or failed (lost: never seen so, e.g. the process exited first).\n\n"
        } else {
            out += "\(s.replicas) replica\(s.replicas == 1 ? "" : "s")\(s.redis ? " sharing Redis" : ", in-memory stores"); "
            out += "every id accepted with 202 was read back from the store after the run.\n\n"
        }
        var rows = [
            ["tasks accepted with 202", NumberText.grouped(s.accepted)],
            ["lost (missing or never finished)", NumberText.grouped(s.lost)],
            ["ended failed with cause shutdown", NumberText.grouped(s.endedByShutdown)],
            ["submissions sent to another replica (503 or refused)", NumberText.grouped(s.failovers)],
        ]
        if let replica = s.sigtermReplica, let at = s.sigtermAtSeconds {
            rows.append([s.command == nil ? "SIGTERM to replica \(replica) at" : "SIGTERM to the service at", DurationFormat.short(.fromSeconds(at))])
            rows.append(["drain time (scenario time)", s.drainSeconds.map { DurationFormat.short(.fromSeconds($0)) } ?? "not measured"])
        }
        if !s.lostIDs.isEmpty { rows.append(["lost ids (first 10)", s.lostIDs.joined(separator: ", ")]) }
        out += Markdown.table(["", "value"], rows, align: [.left, .right])
        return out
    }

    /// The task service's latency as Squall measured it through the service's API (real time).
    public static func serviceLatency(_ r: ScenarioResult) -> String {
        guard let s = r.serviceLatency else { return "" }
        var out = "## Service latency\n\n"
        out += "Measured from: service API — each submission, each poll and a `/health` sample every "
        out += "\(DurationFormat.short(.fromSeconds(s.healthIntervalSeconds))), timed by Squall from sending the request to the "
        out += "service's answer, in **real time** (not scaled by the time scale; it includes waiting for a free connection). "
        out += "A request that timed out counts at the time waited (a lower bound); refused or reset ones are not counted; "
        out += "a health sample answered outside 200–399 is a failed probe (its latency still counts).\n\n"
        let rows = [("accept (submit → answer)", s.accept, false), ("poll", s.poll, false), ("health", s.health, true)].map {
            label, f, isHealth -> [String] in
            let t = { (v: Double) in f.count == 0 ? "-" : DurationFormat.short(.fromSeconds(v)) }
            return [
                label, NumberText.grouped(f.count), NumberText.grouped(f.timeouts), NumberText.grouped(f.failures),
                isHealth ? NumberText.grouped(f.unhealthy) : "-", t(f.p50), t(f.p90), t(f.p99), t(f.max),
            ]
        }
        out += Markdown.table(
            ["request", "n", "timed out", "refused/reset", "failed probe", "p50", "p90", "p99", "max"], rows,
            align: [.left, .right, .right, .right, .right, .right, .right, .right, .right])
        return out
    }

    /// Run metadata and the files beside the report.
    public static func metadata(_ r: ScenarioResult, context: ReportContext) -> String {
        var out = "## Run\n\n"
        let s = r.scenario
        var rows: [[String]] = [
            ["scenario file", Markdown.code(s.file)],
            ["mode", r.mode.rawValue],
            ["seed", String(r.seed)],
            ["duration", "\(NumberText.duration(r.durationSeconds)) (last task finished at \(NumberText.instant(r.endSeconds)))"],
            ["time scale", context.timeScale.map { "\(NumberText.trimmed($0, 3))× (reported in scenario time)" } ?? (r.mode == .sim ? "virtual time" : "1×")],
            ["load", "\(NumberText.grouped(s.tasksPerDay, digits: 1)) tasks/day, \(Markdown.text(s.arrival)) arrivals" + (s.concurrency.map { ", concurrency \($0)" } ?? "")],
            ["stack", Markdown.text(s.stackSummary)],
            ["time-series interval", NumberText.duration(r.timeSeries.intervalSeconds)],
            ["Squall version", context.squallVersion],
            ["result schema", String(r.schemaVersion)],
        ]
        if r.incomplete { rows.append(["incomplete", Markdown.text(r.incompleteReason ?? "yes")]) }
        out += Markdown.table(["run", "value"], rows)
        out += "\nData: [\(ReportFiles.summary)](\(ReportFiles.summary)) · [\(ReportFiles.junit)](\(ReportFiles.junit)) · "
        out += "[\(ReportFiles.tasks)](\(ReportFiles.tasks)) · [\(ReportFiles.timeseries)](\(ReportFiles.timeseries))\n"
        return out
    }
}
