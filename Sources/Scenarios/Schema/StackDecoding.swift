import Reliability
import YAMLConfig

/// Decodes the `stack:` section into `Reliability.StackConfig` (absent → the production defaults).
enum StackDecoding {
    static let keys = [
        "timeout", "retry", "breaker", "on_open", "retry_budget", "idempotency", "budget", "routing", "prices",
        "system_prompt", "classification",
    ]

    static func decode(_ node: ConfigNode) throws(ConfigError) -> StackConfig {
        var s = StackConfig()
        if node.isNull { return s }
        let m = try node.mapping(allowed: keys)
        if let t = m.optional("timeout") { s.attemptTimeout = try t.duration(min: .milliseconds(1)) }
        if let r = m.optional("retry") { s.retry = try decodeRetry(r) }
        if let b = m.optional("breaker") {
            if try isOff(b) {
                s.breaker = nil
            } else {
                let (config, onOpen) = try decodeBreaker(b)
                s.breaker = config
                if let onOpen { s.onBreakerOpen = onOpen }
            }
        }
        if let o = m.optional("on_open") {
            guard s.breaker != nil else { throw o.error("'on_open' needs a breaker") }
            s.onBreakerOpen = BreakerOpenPolicy(rawValue: try o.oneOf(BreakerOpenPolicy.allCases.map(\.rawValue)))!
        }
        if let b = m.optional("retry_budget") { s.retryBudget = try isOff(b) ? nil : try decodeRetryBudget(b) }
        if let i = m.optional("idempotency") {
            if try isOff(i) {
                s.idempotencyTTL = nil
            } else {
                let im = try i.mapping(allowed: ["ttl"])
                s.idempotencyTTL = try im.required("ttl").duration(min: .milliseconds(1))
            }
        }
        if let b = m.optional("budget") {
            if try isOff(b) {
                s.tokenBudget = nil
            } else {
                let bm = try b.mapping(allowed: ["max_tokens", "reserve_for_output", "chars_per_token"])
                var budget = TokenBudget()
                if let n = bm.optional("max_tokens") { budget.maxTokens = try n.int(in: 1...10_000_000) }
                if let n = bm.optional("reserve_for_output") { budget.reserveForOutput = try n.int(in: 0...10_000_000) }
                if let n = bm.optional("chars_per_token") {
                    budget.estimator = CharacterRatioEstimator(charactersPerToken: try n.int(in: 1...100))
                }
                guard budget.reserveForOutput < budget.maxTokens else {
                    throw bm["reserve_for_output"].error(
                        "reserve_for_output (\(budget.reserveForOutput)) must be below max_tokens (\(budget.maxTokens)), or no input fits")
                }
                s.tokenBudget = budget
            }
        }
        if let sp = m.optional("system_prompt") { s.systemPrompt = try sp.string() }
        if let r = m.optional("routing") { s.router = try decodeRouting(r) }
        if let p = m.optional("prices") {
            for (model, value) in try p.dictionary() {
                let pm = try value.mapping(allowed: ["input", "output"])
                s.prices.prices[model] = PriceTable.Price(
                    inputPerMillion: try pm.required("input").double(in: 0...1e6),
                    outputPerMillion: try pm.required("output").double(in: 0...1e6))
            }
        }
        if let c = m.optional("classification") { s.classification = try decodeClassification(c) }
        return s
    }

    /// `off`, `false`, `none` (or `enabled: false`) turn a section off.
    static func isOff(_ node: ConfigNode) throws(ConfigError) -> Bool {
        guard node.isScalar else { return false }
        let v = try node.string().lowercased()
        if ["off", "false", "none", "no"].contains(v) { return true }
        throw node.error("'\(v)' is not valid: expected a mapping of settings, or off")
    }

    static let backoffKeys = ["multiplier", "base", "min", "max", "jitter"]

    static func decodeBackoff(_ m: ConfigMapping, into b: inout Backoff) throws(ConfigError) {
        if let n = m.optional("multiplier") { b.multiplier = try n.double(in: 0...1e6) }
        if let n = m.optional("base") { b.base = try n.double(in: 1...100) }
        if let n = m.optional("min") { b.min = try n.duration() }
        if let n = m.optional("max") { b.max = try n.duration() }
        if let n = m.optional("jitter") { b.jitter = Jitter(rawValue: try n.oneOf(Jitter.allCases.map(\.rawValue)))! }
        guard b.min <= b.max else {
            throw m["min"].error("min (\(DurationFormat.short(b.min))) must not exceed max (\(DurationFormat.short(b.max)))")
        }
    }

    static func decodeRetry(_ node: ConfigNode) throws(ConfigError) -> RetryPolicy {
        if try isOffRetry(node) { return RetryPolicy(maxAttempts: 1) }
        let m = try node.mapping(
            allowed: ["attempts"] + backoffKeys + [
                "retry_after", "retry_after_cap", "over_cap", "deadline", "throttled", "retry_on",
            ])
        var p = RetryPolicy()
        if let n = m.optional("attempts") { p.maxAttempts = try n.int(in: 1...1000) }
        try decodeBackoff(m, into: &p.backoff)
        if let n = m.optional("retry_after") { p.honorRetryAfter = try n.bool() }
        if let n = m.optional("retry_after_cap") { p.retryAfterCap = try n.duration() }
        if let n = m.optional("over_cap") {
            p.overCap = RetryAfterOverCap(rawValue: try n.oneOf(RetryAfterOverCap.allCases.map(\.rawValue)))!
        }
        if let n = m.optional("deadline") { p.deadline = try n.duration(min: .milliseconds(1)) }
        if let n = m.optional("throttled") {
            let tm = try n.mapping(allowed: backoffKeys)
            var b = p.backoff
            try decodeBackoff(tm, into: &b)
            p.throttledBackoff = b
        }
        if let n = m.optional("retry_on") {
            var set = Set<FailureClass>()
            for item in try n.sequence() {
                set.insert(FailureClass(rawValue: try item.oneOf(["transient", "throttled", "permanent"]))!)
            }
            p.retryOn = set
        }
        return p
    }

    static func isOffRetry(_ node: ConfigNode) throws(ConfigError) -> Bool {
        node.isScalar ? try isOff(node) : false
    }

    static func decodeBreaker(_ node: ConfigNode) throws(ConfigError) -> (BreakerConfig, BreakerOpenPolicy?) {
        let m = try node.mapping(allowed: [
            "failure_threshold", "failure_rate", "minimum_calls", "window", "recovery_timeout", "recovery_multiplier",
            "max_recovery_timeout", "half_open_probes", "on_open", "counts",
        ])
        var c = BreakerConfig()
        let window = try m.optional("window")?.duration(min: .milliseconds(1)) ?? .seconds(60)
        let threshold = m.optional("failure_threshold")
        let rate = m.optional("failure_rate")
        if let threshold, rate != nil {
            throw threshold.error("give either 'failure_threshold' (count mode) or 'failure_rate' (rate mode), not both")
        }
        if let rate {
            let r = try rate.percent()
            guard r > 0 else { throw rate.error("a failure rate of 0 would open on the first call") }
            let minimum = try m.optional("minimum_calls")?.int(in: 1...1_000_000) ?? 10
            c.trip = .failureRate(threshold: r, minimumCalls: minimum, window: window)
        } else {
            if let mc = m.optional("minimum_calls") { throw mc.error("'minimum_calls' applies to 'failure_rate' mode only") }
            let n = try threshold?.int(in: 1...1_000_000) ?? 5
            c.trip = .failureCount(threshold: n, window: window)
        }
        if let n = m.optional("recovery_timeout") { c.recoveryTimeout = try n.duration(min: .milliseconds(1)) }
        if let n = m.optional("recovery_multiplier") { c.recoveryMultiplier = try n.double(in: 1...100) }
        if let n = m.optional("max_recovery_timeout") {
            c.maxRecoveryTimeout = try n.duration()
            guard c.maxRecoveryTimeout >= c.recoveryTimeout else {
                throw n.error("must be at least recovery_timeout (\(DurationFormat.short(c.recoveryTimeout)))")
            }
        }
        if let n = m.optional("half_open_probes") { c.halfOpenProbes = try n.int(in: 1...10_000) }
        if let n = m.optional("counts") {
            var set = Set<FailureClass>()
            for item in try n.sequence() {
                set.insert(FailureClass(rawValue: try item.oneOf(["transient", "throttled", "permanent"]))!)
            }
            guard !set.isEmpty else { throw n.error("list at least one failure class the breaker counts") }
            c.countedFailures = set
        }
        var onOpen: BreakerOpenPolicy?
        if let n = m.optional("on_open") {
            onOpen = BreakerOpenPolicy(rawValue: try n.oneOf(BreakerOpenPolicy.allCases.map(\.rawValue)))!
        }
        return (c, onOpen)
    }

    static func decodeRetryBudget(_ node: ConfigNode) throws(ConfigError) -> RetryBudgetConfig {
        let m = try node.mapping(allowed: ["token_bucket", "ratio"])
        guard m.keys.count == 1 else { throw node.error("give exactly one of 'token_bucket' or 'ratio'") }
        if let t = m.optional("token_bucket") {
            if t.isScalar, try t.string() == "aws" { return .awsStandard }
            let tm = try t.mapping(allowed: ["capacity", "retry_cost", "timeout_cost", "no_retry_increment"])
            return .tokenBucket(
                capacity: try tm.optional("capacity")?.int(in: 1...1_000_000_000) ?? 500,
                retryCost: try tm.optional("retry_cost")?.int(in: 0...1_000_000) ?? 5,
                timeoutCost: try tm.optional("timeout_cost")?.int(in: 0...1_000_000) ?? 10,
                noRetryIncrement: try tm.optional("no_retry_increment")?.int(in: 0...1_000_000) ?? 1)
        }
        let r = m["ratio"]
        if r.isScalar { return .ratio(ratio: try r.percent()) }
        let rm = try r.mapping(allowed: ["ratio", "window", "min_per_second"])
        return .ratio(
            ratio: try rm.optional("ratio")?.percent() ?? 0.1,
            window: try rm.optional("window")?.duration(min: .milliseconds(1)) ?? .seconds(10),
            minPerSecond: try rm.optional("min_per_second")?.double(in: 0...1e9) ?? 1)
    }

    static func decodeRouting(_ node: ConfigNode) throws(ConfigError) -> ModelRouter {
        let m = try node.mapping(allowed: ["rules", "fallback"])
        var router = ModelRouter()
        if let r = m.optional("rules") {
            router.rules = []
            var names = Set<String>()
            for item in try r.sequence() {
                let im = try item.mapping(allowed: ["name", "indicators", "max_words", "model", "max_tokens"])
                let nameNode = try im.required("name")
                let name = try nameNode.nonEmptyString()
                guard name != "default" else { throw nameNode.error("'default' names the fallback; pick another rule name") }
                guard names.insert(name).inserted else { throw nameNode.error("duplicate rule name '\(name)'") }
                var indicators: [String] = []
                if let i = im.optional("indicators") {
                    for x in try i.sequence() { indicators.append(try x.nonEmptyString()) }
                }
                router.rules.append(
                    RoutingRule(
                        name: name, indicators: indicators, maxWords: try im.optional("max_words")?.int(in: 1...1_000_000),
                        model: try im.required("model").nonEmptyString(),
                        maxTokens: try im.optional("max_tokens")?.int(in: 1...10_000_000) ?? 800))
            }
        }
        if let f = m.optional("fallback") {
            let fm = try f.mapping(allowed: ["model", "max_tokens"])
            router.fallbackModel = try fm.required("model").nonEmptyString()
            if let n = fm.optional("max_tokens") { router.fallbackMaxTokens = try n.int(in: 1...10_000_000) }
        }
        return router
    }

    static func decodeClassification(_ node: ConfigNode) throws(ConfigError) -> ClassificationTable {
        let m = try node.mapping(allowed: ["throttled", "transient", "permanent", "should_retry"])
        var t = ClassificationTable()
        func statuses(_ n: ConfigNode) throws(ConfigError) -> Set<Int> {
            var out = Set<Int>()
            for x in try n.sequence() { out.insert(try x.int(in: 100...599)) }
            return out
        }
        if let n = m.optional("throttled") { t.throttledStatuses = try statuses(n) }
        if let n = m.optional("transient") { t.transientStatuses = try statuses(n) }
        if let n = m.optional("permanent") { t.permanentStatuses = try statuses(n) }
        if let n = m.optional("should_retry") { t.honorShouldRetry = try n.bool() }
        return t
    }
}
