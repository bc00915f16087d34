import Reliability
import YAMLConfig

/// Decodes the `expect:` section into `Expectation`s, checking window references against the profile.
enum ExpectDecoding {
    static let metricKeys = [
        "success_rate", "failures", "failures_per_day", "latency_p50", "latency_p90", "latency_p95", "latency_p99",
        "latency_p999", "latency_max", "attempts_per_task", "llm_calls_per_task", "llm_calls", "llm_calls_per_day", "tokens_per_day",
        "cost_per_day", "duplicate_executions", "offered_load", "failures_by_cause", "routes",
    ]
    static let scopeKeys = ["before", "during", "after", "before_outage", "during_outage", "after_outage"]
    static let keys = metricKeys + ["failure_arithmetic", "breaker", "duplicates", "shutdown", "service", "retry_clustering", "retry_after_early"]
        + scopeKeys

    static func decode(_ node: ConfigNode, scenario: Scenario) throws(ConfigError) -> [Expectation] {
        let m = try node.mapping(allowed: keys)
        let windows = scenario.faultWindows.count
        var out: [Expectation] = []
        for key in m.keys {
            let n = m[key]
            if n.isNull { continue }
            switch key {
            case "failure_arithmetic":
                var confidence = 0.99
                if n.isScalar {
                    let text = try n.string().lowercased()
                    if !["true", "yes", "on"].contains(text) { confidence = try n.percent() }
                } else {
                    let am = try n.mapping(allowed: ["confidence"])
                    if let c = am.optional("confidence") { confidence = try c.percent() }
                }
                guard confidence > 0.5, confidence < 1 else {
                    throw n.error("the confidence must lie between 50% and 100% (exclusive), e.g. 99%")
                }
                out.append(.arithmetic(name: "failure_arithmetic", confidence: confidence))
            case "breaker":
                // A stack without a breaker runs, and these fail with "no breaker configured".
                out += try decodeBreaker(n, windows: windows, scenario: scenario)
            case "retry_clustering":
                out.append(try MechanismDecoding.retryClustering(n))
            case "retry_after_early":
                out.append(try MechanismDecoding.retryAfterEarly(n))
            case "duplicates":
                out += try decodeDuplicates(n, scenario: scenario)
            case "shutdown":
                out += try ShutdownExpectation.decode(n, scenario: scenario)
            case "service":
                out += try ServiceLatencyExpectation.decode(n)
            case "before", "during", "after", "before_outage", "during_outage", "after_outage":
                out += try decodeScope(n, kind: String(key.prefix { $0 != "_" }), windows: windows, scenario: scenario)
            default:
                out += try decodeMetric(key, n, scope: .run, scenario: scenario)
            }
        }
        return out
    }

    static func decodeMetric(
        _ key: String, _ n: ConfigNode, scope: ExpectationScope, scenario: Scenario
    ) throws(ConfigError) -> [Expectation] {
        let name = scope.prefix + key
        func one(_ metric: Metric) throws(ConfigError) -> [Expectation] {
            let t = try Threshold.decode(
                n, unit: metric.unit, defaultComparison: metric.defaultComparison, allowsConfidence: metric.allowsConfidence)
            return [.threshold(name: name, metric: metric, threshold: t, scope: scope)]
        }
        switch key {
        case "success_rate": return try one(.successRate)
        case "failures": return try one(.failures)
        case "failures_per_day": return try one(.failuresPerDay)
        case "latency_p50": return try one(.latency(percentile: 50))
        case "latency_p90": return try one(.latency(percentile: 90))
        case "latency_p95": return try one(.latency(percentile: 95))
        case "latency_p99": return try one(.latency(percentile: 99))
        case "latency_p999": return try one(.latency(percentile: 99.9))
        case "latency_max": return try one(.latency(percentile: 100))
        case "attempts_per_task": return try one(.attemptsPerTask)
        case "llm_calls_per_task": return try one(.llmCallsPerTask)
        case "llm_calls": return try one(.llmCalls)
        case "llm_calls_per_day": return try one(.llmCallsPerDay)
        case "tokens_per_day": return try one(.tokensPerDay)
        case "cost_per_day": return try one(.costPerDay)
        case "duplicate_executions": return try one(.duplicateExecutions)
        case "offered_load": return try one(.offeredLoad)
        case "failures_by_cause":
            var out: [Expectation] = []
            for (cause, value) in try n.dictionary() {
                guard let c = FailureCause(rawValue: cause) else {
                    let valid = FailureCause.allCases.map(\.rawValue)
                    throw value.error(
                        "unknown failure cause '\(cause)'; valid causes: \(valid.joined(separator: ", "))",
                        suggestion: closestMatch(to: cause, in: valid))
                }
                let metric = Metric.failuresByCause(c)
                let t = try Threshold.decode(value, unit: metric.unit, defaultComparison: .atMost, allowsConfidence: true)
                out.append(.threshold(name: "\(name).\(cause)", metric: metric, threshold: t, scope: scope))
            }
            return out
        case "routes":
            var out: [Expectation] = []
            let known = scenario.stack.router.rules.map(\.name) + ["default"]
            for (rule, value) in try n.dictionary() {
                guard known.contains(rule) else {
                    throw value.error(
                        "no routing rule named '\(rule)'; rules: \(known.joined(separator: ", "))",
                        suggestion: closestMatch(to: rule, in: known))
                }
                let rm = try value.mapping(allowed: ["task_share", "cost_share"])
                for k in rm.keys {
                    let metric: Metric = k == "task_share" ? .routeTaskShare(rule) : .routeCostShare(rule)
                    let t = try Threshold.decode(rm[k], unit: .percent, defaultComparison: .atMost)
                    out.append(.threshold(name: "\(name).\(rule).\(k)", metric: metric, threshold: t, scope: scope))
                }
            }
            return out
        default:
            throw n.error("unknown expectation '\(key)'", suggestion: closestMatch(to: key, in: metricKeys))
        }
    }

    static func window(_ m: ConfigMapping, windows: Int, owner: ConfigNode) throws(ConfigError) -> Int {
        guard windows > 0 else {
            throw owner.error("the profile has no fault window (a rule with 'during: A..B') to refer to")
        }
        guard let n = m.optional("window") else { return 1 }
        return try n.int(in: 1...windows)
    }

    /// Strips `"15s of outage start"` to `15s`.
    static func limit(_ n: ConfigNode) throws(ConfigError) -> Duration {
        var s = try n.string().trimmingCharacters(in: .whitespaces)
        for p in ["<=", "<", "≤"] where s.hasPrefix(p) { s = String(s.dropFirst(p.count)).trimmingCharacters(in: .whitespaces) }
        if let r = s.range(of: " of ") { s = String(s[..<r.lowerBound]) }
        do { return try DurationFormat.parse(s) } catch {
            throw n.error("'\(try n.string())' is not valid: expected a duration such as 15s (optionally '15s of outage start')")
        }
    }

    static func decodeBreaker(_ n: ConfigNode, windows: Int, scenario: Scenario) throws(ConfigError) -> [Expectation] {
        let m = try n.mapping(allowed: [
            "window", "opens_after", "opens_within", "closes_within", "calls_while_open", "half_open_probes", "cycles",
        ])
        var out: [Expectation] = []
        let opensAfter = try m.optional("opens_after").map { v throws(ConfigError) in try MechanismDecoding.failures(v) }
        for key in m.keys where key != "window" {
            let v = m[key]
            switch key {
            case "opens_after":
                let t = try MechanismDecoding.threshold(failures: opensAfter, stack: scenario.stack, owner: v)
                out.append(.breakerOpensAfter(name: "breaker.opens_after", threshold: t))
            case "opens_within":
                switch try MechanismDecoding.reference(v, opening: true) {
                case .thresholdCrossing:
                    let t = try MechanismDecoding.threshold(failures: opensAfter, stack: scenario.stack, owner: v)
                    out.append(.breakerOpensWithinCrossing(name: "breaker.opens_within", threshold: t, limit: try limit(v)))
                default:
                    out.append(.breakerOpensWithin(name: "breaker.opens_within", window: try window(m, windows: windows, owner: v), limit: try limit(v)))
                }
            case "closes_within":
                let w = try window(m, windows: windows, owner: v)
                switch try MechanismDecoding.reference(v, opening: false) {
                case .firstRequest:
                    out.append(.breakerClosesWithinFirstRequest(name: "breaker.closes_within", window: w, limit: try limit(v)))
                default:
                    out.append(.breakerClosesWithin(name: "breaker.closes_within", window: w, limit: try limit(v)))
                }
            case "calls_while_open":
                out.append(.breakerCallsWhileOpen(name: "breaker.calls_while_open", threshold: try Threshold.decode(v, unit: .number, defaultComparison: .atMost)))
            case "half_open_probes":
                out.append(.breakerHalfOpenProbes(name: "breaker.half_open_probes", threshold: try Threshold.decode(v, unit: .number, defaultComparison: .atMost)))
            default:
                out.append(.breakerCycles(name: "breaker.cycles", threshold: try Threshold.decode(v, unit: .number, defaultComparison: .atMost)))
            }
        }
        return out
    }

    static func decodeDuplicates(_ n: ConfigNode, scenario: Scenario) throws(ConfigError) -> [Expectation] {
        let m = try n.mapping(allowed: ["executions_per_key", "replays_identical", "reexecution_after_ttl", "reexecution_within"])
        var out: [Expectation] = []
        for key in m.keys {
            let v = m[key]
            switch key {
            case "executions_per_key":
                out.append(.executionsPerKey(name: "duplicates.executions_per_key", threshold: try Threshold.decode(v, unit: .number, defaultComparison: .atMost)))
            case "reexecution_within":
                out.append(.reexecutionWithin(name: "duplicates.reexecution_within", horizon: try MechanismDecoding.horizon(v)))
            case "replays_identical":
                guard try v.bool() else { throw v.error("only 'true' can be expected here") }
                out.append(.replaysIdentical(name: "duplicates.replays_identical"))
            default:
                _ = try v.oneOf(["allowed"])
                // Without idempotency this fails at evaluation ("idempotency off"), like a missing breaker.
                out.append(.reexecutionAfterTTL(name: "duplicates.reexecution_after_ttl"))
            }
        }
        return out
    }

    static func decodeScope(
        _ n: ConfigNode, kind: String, windows: Int, scenario: Scenario
    ) throws(ConfigError) -> [Expectation] {
        let allowed = ["window", "recovers_within", "tolerance"] + metricKeys
        let m = try n.mapping(allowed: allowed)
        let w = try window(m, windows: windows, owner: n)
        let scope: ExpectationScope
        switch kind {
        case "before": scope = .before(window: w)
        case "during": scope = .during(window: w)
        default: scope = .after(window: w)
        }
        var out: [Expectation] = []
        let tolerance = try m.optional("tolerance")?.percent() ?? 0.01
        if let t = m.optional("tolerance"), m.optional("recovers_within") == nil {
            throw t.error("'tolerance' applies to 'recovers_within' only")
        }
        for key in m.keys where key != "window" && key != "tolerance" {
            let v = m[key]
            if key == "recovers_within" {
                guard kind == "after" else { throw v.error("'recovers_within' belongs under 'after' (the window's end)") }
                out.append(.recoversWithin(name: "\(scope.prefix)recovers_within", window: w, limit: try limit(v), tolerance: tolerance))
                continue
            }
            if ["failures_per_day", "llm_calls_per_day", "tokens_per_day", "cost_per_day", "routes"].contains(key) {
                throw v.error("'\(key)' is a whole-run figure; within a window use failures, llm_calls, success_rate, latency_pXX, attempts_per_task, llm_calls_per_task or offered_load")
            }
            out += try decodeMetric(key, v, scope: scope, scenario: scenario)
        }
        return out
    }
}
