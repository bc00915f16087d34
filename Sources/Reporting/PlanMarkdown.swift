import Scenarios

/// `plan.md`: the capacity verdict, a table per load level, the knee found by bisection (with the
/// SLO chart), the provider limits and where each binds, tokens, cost, concurrency and replicas,
/// and how every figure was obtained and scaled.
public enum PlanMarkdown {
    /// The whole document.
    public static func render(_ r: PlanReport) -> String {
        var out = "# Capacity plan: \(Markdown.text(r.scenario))\n\n"
        if !r.description.isEmpty { out += Markdown.text(r.description) + "\n\n" }
        out += verdict(r) + "\n\n"
        if r.incomplete {
            out += "> [!WARNING]\n> **Incomplete plan.** \(Markdown.text(r.incompleteReason ?? "It stopped early."))\n\n"
        }
        out += settings(r)
        out += levels(r)
        out += knee(r)
        out += limits(r)
        out += tokens(r)
        out += cost(r)
        out += concurrency(r)
        out += method(r)
        return out
    }

    static func load(_ v: Double) -> String { PlanNumber.load(v) + "/day" }

    /// The headline.
    public static func verdict(_ r: PlanReport) -> String {
        var parts: [String] = []
        switch r.knee.position {
        case .within:
            parts.append(
                "every expectation holds on every seed up to **\(load(r.knee.highestPassing ?? 0))** and fails at \(load(r.knee.lowestFailing ?? 0))"
            )
        case .aboveRange:
            parts.append("every expectation holds on every seed across the whole range, up to **\(load(r.settings.loadUpper))**")
        case .belowRange:
            parts.append("the expectations already fail at the lowest level, **\(load(r.settings.loadLower))**")
        case .unknown:
            parts.append("the knee was not determined")
        }
        if let c = r.crossings.first {
            parts.append(
                "the first provider limit to bind is **\(c.label)** (\(NumberText.grouped(c.value, digits: 0))) at ≈ \(load(c.load))\(c.extrapolated ? " (extrapolated beyond the levels)" : "")"
            )
        } else {
            parts.append("no provider limit is set for the models used")
        }
        let capacity =
            r.capacity.map { "**Capacity ≈ \(load($0))** (peak factor \(NumberText.trimmed(r.settings.peakFactor, 2))): " }
            ?? "**Capacity: not determined**: "
        return capacity + parts.joined(separator: "; ") + "."
    }

    static func settings(_ r: PlanReport) -> String {
        let s = r.settings
        var out =
            "Scenario `\(Markdown.text(r.source))`; loads \(load(s.loadLower))..\(load(s.loadUpper)) in \(s.steps) levels (evenly spaced in the logarithm); "
        out += "peak factor \(NumberText.trimmed(s.peakFactor, 2)) (\(Markdown.text(s.peakFactorSource))); "
        out += "each level simulated over \(NumberText.timeTick(s.windowSeconds)) on seeds \(s.seeds.first ?? 1)..\(s.seeds.last ?? 1)"
        if let c = s.replicaConcurrency { out += "; \(c) tasks per replica" }
        return out + ".\n\n"
    }

    static func levels(_ r: PlanReport) -> String {
        var out = "## Load levels\n\n"
        out += "SLO figures at the **peak** (the level × the peak factor; expectations judged there), per-day figures at the **mean** "
        out += "(the window's totals × 86,400 s / \(NumberText.timeTick(r.settings.windowSeconds))). Means over seeds.\n\n"
        let rows = r.levels.map { l -> [String] in
            [
                load(l.tasksPerDay), load(l.peakTasksPerDay), (l.passed ? "✅ " : "❌ ") + "\(l.passes)/\(l.runs)",
                NumberText.percent(l.peak.successRate, digits: 3), NumberText.latency(l.peak.latencyP99),
                NumberText.grouped(l.day.failures, digits: 1),
                NumberText.trimmed(l.day.llmCallsPerTask, 3) + " / " + NumberText.trimmed(l.peak.llmCallsPerTask, 3),
                NumberText.grouped(l.peak.callsPerMinute, digits: 1),
                l.binding.map { "\(Markdown.text($0.label)) \(NumberText.percent($0.utilization, digits: 1))" } ?? "—",
                l.binding.map { NumberText.percent($0.headroom, digits: 1) } ?? "—",
                l.peak.replicas.map(String.init) ?? "—", NumberText.dollars(l.day.cost), NumberText.dollars(l.day.costPerMonth),
            ]
        }
        out += Markdown.table(
            [
                "load", "peak", "expectations (seeds)", "success @peak", "p99 @peak", "failures/day", "calls/task (mean / peak)",
                "calls/min @peak",
                "binding limit (use)", "headroom", "replicas", "cost/day", "cost/month",
            ], rows, align: [.right, .right, .right, .right, .right, .right, .right, .right, .left, .right, .right, .right, .right])
        let failing = r.levels.filter { !$0.failing.isEmpty }
        if !failing.isEmpty {
            out += "\nFailing expectations (seeds): "
            out +=
                failing.map { l in
                    "\(load(l.tasksPerDay)): " + l.failing.map { "\(Markdown.text($0.name)) (\($0.count))" }.joined(separator: ", ")
                }
                .joined(separator: "; ") + ".\n"
        }
        return out + "\n"
    }

    static func knee(_ r: PlanReport) -> String {
        var out = "## Where the expectations stop holding\n\n"
        switch r.knee.position {
        case .within:
            out +=
                "Between the last level that held and the first that did not, the load was bisected (geometric midpoints, each simulated at its peak on every seed; "
            out +=
                "a load holds only if every expectation holds on every seed) until the bracket was narrower than \(NumberText.percent(r.settings.resolution, digits: 1)) "
            out +=
                "(\(Markdown.text(r.settings.resolutionRule))). The knee lies between **\(load(r.knee.highestPassing ?? 0))** (holds) and **\(load(r.knee.lowestFailing ?? 0))** (fails).\n\n"
            if !r.knee.passingAbove.isEmpty {
                out +=
                    "Not monotonic: " + r.knee.passingAbove.map(load).joined(separator: ", ")
                    + " held again above the first failing level; the plan keeps the first boundary.\n\n"
            }
        case .aboveRange: out += "Every level held: the knee lies above \(load(r.settings.loadUpper)). Widen `--load` to find it.\n\n"
        case .belowRange:
            out += "The lowest level already failed: the knee lies below \(load(r.settings.loadLower)). Lower `--load` to find it.\n\n"
        case .unknown: out += "Not determined.\n\n"
        }
        if !r.bisection.isEmpty {
            let rows = r.bisection.enumerated().map { i, p -> [String] in
                [
                    String(i + 1), load(p.tasksPerDay), (p.passed ? "✅ " : "❌ ") + "\(p.passes)/\(p.runs)",
                    NumberText.percent(p.successRate, digits: 3), NumberText.latency(p.latencyP99),
                    Markdown.text(p.failing.map { "\($0.name) (\($0.count))" }.joined(separator: ", ")),
                ]
            }
            out += Markdown.table(
                ["probe", "load", "expectations (seeds)", "success @peak", "p99 @peak", "failing (seeds)"], rows,
                align: [.right, .right, .right, .right, .right, .left])
            out += "\n"
        }
        out += "![SLO figures against load](\(PlanFiles.chart))\n\n"
        return out
    }

    static func limits(_ r: PlanReport) -> String {
        var out = "## Provider limits\n\n"
        out += "RPM and TPM are compared with the demand per minute at the peak, RPD and TPD with the demand per day; "
        out += "demand counts every call sent (retries included, as providers count failed requests against per-minute limits), "
        out += "and tokens are counted as providers charge them up front: max(max_tokens, prompt estimate) per call.\n\n"
        out += Markdown.table(
            ["model", "RPM", "TPM", "RPD", "TPD", "tokens charged per call"],
            r.models.map { m in
                [
                    Markdown.code(m.model), m.rpm.map { NumberText.grouped($0) } ?? "—", m.tpm.map { NumberText.grouped($0) } ?? "—",
                    m.rpd.map { NumberText.grouped($0) } ?? "—", m.tpd.map { NumberText.grouped($0) } ?? "—",
                    m.chargePerCall > 0 ? NumberText.grouped(m.chargePerCall, digits: 1) : "—",
                ]
            }, align: [.left, .right, .right, .right, .right, .right])
        if !r.crossings.isEmpty {
            out +=
                "\nWhere each limit binds: the mean load at which its demand reaches it, in proportion from the highest level still below it (demand per task is constant until a limit binds; above it retries of refused calls inflate it):\n\n"
            out += Markdown.table(
                ["limit", "value", "binds at"],
                r.crossings.map { c in
                    [
                        Markdown.text(c.label), NumberText.grouped(c.value, digits: 0),
                        "≈ " + load(c.load) + (c.extrapolated ? " (extrapolated)" : ""),
                    ]
                }, align: [.left, .right, .right])
        }
        let keys = r.crossings.map(\.label)
        if !keys.isEmpty {
            out += "\nUse of each limit per level:\n\n"
            let rows = r.levels.map { l -> [String] in
                [load(l.tasksPerDay)]
                    + r.crossings.map { c in
                        l.limits.first { $0.model == c.model && $0.limit == c.limit }.map { NumberText.percent($0.utilization, digits: 1) }
                            ?? "—"
                    }
            }
            out += Markdown.table(["load"] + keys.map(Markdown.text), rows, align: Array(repeating: .right, count: keys.count + 1))
        }
        return out + "\n"
    }

    static func tokens(_ r: PlanReport) -> String {
        var out = "## Calls and tokens (retry amplification included)\n\n"
        var rows: [[String]] = []
        for l in r.levels {
            for m in l.day.models {
                let pm = l.peak.models.first { $0.model == m.model }
                rows.append([
                    load(l.tasksPerDay), Markdown.code(m.model), NumberText.grouped(m.calls, digits: 0),
                    NumberText.grouped(m.promptTokens, digits: 0), NumberText.grouped(m.completionTokens, digits: 0),
                    NumberText.grouped(m.chargedTokens, digits: 0), NumberText.grouped(pm?.calls ?? 0, digits: 1),
                    NumberText.grouped(pm?.chargedTokens ?? 0, digits: 0),
                ])
            }
        }
        out += Markdown.table(
            [
                "load", "model", "calls/day", "prompt tokens/day", "completion tokens/day", "charged tokens/day", "calls/min @peak",
                "charged tokens/min @peak",
            ],
            rows, align: [.right, .left, .right, .right, .right, .right, .right, .right])
        return out + "\n"
    }

    static func cost(_ r: PlanReport) -> String {
        var out = "## Cost (30-day month)\n\n"
        var rows: [[String]] = []
        for l in r.levels {
            for m in l.day.models {
                rows.append([
                    load(l.tasksPerDay), "model " + Markdown.code(m.model), NumberText.dollars(m.cost), NumberText.dollars(m.costPerMonth),
                ])
            }
            for route in l.day.routes {
                rows.append([
                    load(l.tasksPerDay), "route " + Markdown.code(route.route) + " → " + Markdown.code(route.model),
                    NumberText.dollars(route.cost),
                    NumberText.dollars(route.costPerMonth),
                ])
            }
            rows.append([load(l.tasksPerDay), "**total**", NumberText.dollars(l.day.cost), NumberText.dollars(l.day.costPerMonth)])
        }
        out += Markdown.table(["load", "by", "cost/day", "cost/month"], rows, align: [.right, .left, .right, .right])
        return out + "\n"
    }

    static func concurrency(_ r: PlanReport) -> String {
        var out = "## Concurrency and replicas (at the peak)\n\n"
        out += "Tasks in flight (arrived, not finished; a task holds its slot through its retries and backoff): by Little's law L = λ·W "
        out +=
            "(λ the peak's arrivals per second, W the mean latency from the intended start), and as simulated (sampled at every interval boundary of the run's time series). "
        out +=
            r.settings.replicaConcurrency.map { "Replicas = ⌈max(simulated peak, Little) / \($0)⌉." }
            ?? "Give `--replica-concurrency C` to size replicas."
        out += "\n\n"
        let rows = r.levels.map { l -> [String] in
            [
                load(l.tasksPerDay), NumberText.trimmed(l.peakTasksPerDay / 86_400, 3), NumberText.latency(l.peak.latencyMean),
                NumberText.grouped(l.peak.inFlightLittle, digits: 1), NumberText.grouped(l.peak.inFlightMean, digits: 1),
                NumberText.grouped(l.peak.inFlightMax, digits: 1), l.peak.replicas.map(String.init) ?? "—",
            ]
        }
        out += Markdown.table(
            ["load", "λ (tasks/s)", "W (mean latency)", "L = λ·W", "in flight (sim, mean)", "in flight (sim, peak)", "replicas"], rows,
            align: [.right, .right, .right, .right, .right, .right, .right])
        return out + "\n"
    }

    static func method(_ r: PlanReport) -> String {
        var out = "## How the plan was made, and its limits\n\n"
        out +=
            "- Each level's scenario is the file with the level's rate written into `load:` and loaded by the normal loader. It is simulated twice per seed over "
        out +=
            "\(NumberText.timeTick(r.settings.windowSeconds)): at the peak (rate × \(NumberText.trimmed(r.settings.peakFactor, 2))), where the expectations are judged and the per-minute demand is measured, "
        out +=
            "and at the mean, whose totals × 86,400 s / \(NumberText.timeTick(r.settings.windowSeconds)) give every per-day figure and the cost. A diurnal arrival is replaced by Poisson arrivals at those rates.\n"
        out +=
            "- Calls, tokens and failures come from the simulator, so retry amplification (retries of 429s and 5xx, breaker probes) is counted, not assumed. "
        out +=
            "The simulated provider enforces RPM and TPM as the scenario's `llm.rate_limits` set them; RPD and TPD are checked against the per-day demand only "
        out += "(a window shorter than days starts with full daily buckets and would hide them).\n"
        out +=
            "- Tokens charged per call are the prompt-weighted mean of max(max_tokens, prompt estimate) over the prompts routed to the model: exact when every prompt of a model needs as many calls, approximate otherwise.\n"
        out +=
            "- Expectations stated per day (`failures_per_day`, `llm_calls_per_day`) are judged at the peak as if it lasted all day: conservative.\n"
        out +=
            "- Little's law holds for the mean over a long window; the simulated peak in flight is what replicas must hold. Neither includes the service's own time outside the LLM calls.\n"
        return out
    }
}
