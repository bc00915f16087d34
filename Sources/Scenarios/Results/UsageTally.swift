import Reliability

/// LLM usage from the stream of `LLMCallRecord`s (contract 4): calls and executions per model,
/// prompt and completion token sums per model and per route, and executions per idempotency key.
/// Integer state only; cost is derived at the end from the token sums and the prices, so merging
/// shards and then pricing gives exactly the unsharded figures.
public struct UsageTally: Sendable, Codable, Equatable {
    struct ModelCounts: Sendable, Codable, Equatable {
        var calls = 0
        var executions = 0
        var prompt = 0
        var completion = 0
    }

    struct Tokens: Sendable, Codable, Equatable {
        var prompt = 0
        var completion = 0
    }

    /// Calls sent (every record).
    var calls = 0
    /// Per model index.
    var models: [ModelCounts] = []
    /// Tokens per (route, model): `routeTokens[route * modelStride + model]`.
    var routeTokens: [Tokens] = []
    /// Models per route row of `routeTokens` (grows, re-laid out, when a model index reaches it).
    var modelStride = 4
    /// Executions per key.
    var keys: KeyExecutionTable

    /// An empty tally; executions of a key count within `ttl` of its first (nil: for the whole
    /// run); `closesKeys` when the driver will call `closeKey` for every key it submits.
    public init(ttl: Duration?, closesKeys: Bool) {
        keys = KeyExecutionTable(ttl: ttl, closesKeys: closesKeys)
    }

    /// Counts one call.
    @inline(__always)
    public mutating func record(_ c: LLMCallRecord) {
        calls += 1
        guard c.model >= 0 else { return }
        if c.model >= models.count { models.append(contentsOf: repeatElement(ModelCounts(), count: c.model - models.count + 1)) }
        models[c.model].calls += 1
        guard c.generated || c.promptTokens > 0 || c.completionTokens > 0 else { return }
        if c.generated {
            models[c.model].executions += 1
            keys.execute(c.keyID, at: c.atNanos)
        }
        models[c.model].prompt += c.promptTokens
        models[c.model].completion += c.completionTokens
        if c.route >= 0 {
            if c.model >= modelStride { widen(to: c.model + 1) }
            let i = c.route * modelStride + c.model
            if i >= routeTokens.count { routeTokens.append(contentsOf: repeatElement(Tokens(), count: i - routeTokens.count + 1)) }
            routeTokens[i].prompt += c.promptTokens
            routeTokens[i].completion += c.completionTokens
        }
    }

    /// Re-lays `routeTokens` out with room for `models` models per route.
    mutating func widen(to models: Int) {
        var stride = modelStride
        while stride < models { stride *= 2 }
        var next = [Tokens](repeating: Tokens(), count: (routeTokens.count / modelStride + 1) * stride)
        for (i, t) in routeTokens.enumerated() { next[(i / modelStride) * stride + i % modelStride] = t }
        routeTokens = next
        modelStride = stride
    }

    /// Tokens of `route` on `model`.
    func tokens(route: Int, model: Int) -> Tokens {
        let i = route * modelStride + model
        return model < modelStride && i < routeTokens.count ? routeTokens[i] : Tokens()
    }

    /// A completion generated for `keyID` at `at` that no call record carried (a live run's
    /// mock-side count of executions beyond what its clients saw).
    public mutating func recordExecution(keyID: Int, at: Duration) {
        keys.execute(keyID, at: ScenarioClock.nanoseconds(at))
    }

    /// No more calls will come for `keyID` (its original and every duplicate ended).
    @inline(__always)
    public mutating func closeKey(_ keyID: Int) { keys.close(keyID) }

    /// Adds another tally (model and route indices must refer to the same tables).
    public mutating func merge(_ o: UsageTally) {
        calls += o.calls
        if o.models.count > models.count { models.append(contentsOf: repeatElement(ModelCounts(), count: o.models.count - models.count)) }
        for (i, m) in o.models.enumerated() {
            models[i].calls += m.calls
            models[i].executions += m.executions
            models[i].prompt += m.prompt
            models[i].completion += m.completion
        }
        if o.modelStride > modelStride { widen(to: o.modelStride) }
        let routes = o.routeTokens.count / o.modelStride + 1
        for r in 0..<routes {
            for m in 0..<o.modelStride {
                let t = o.tokens(route: r, model: m)
                guard t.prompt != 0 || t.completion != 0 else { continue }
                let i = r * modelStride + m
                if i >= routeTokens.count { routeTokens.append(contentsOf: repeatElement(Tokens(), count: i - routeTokens.count + 1)) }
                routeTokens[i].prompt += t.prompt
                routeTokens[i].completion += t.completion
            }
        }
        keys.merge(o.keys)
    }

    /// Dollars for `prompt` and `completion` tokens of a model priced `price` (nil: unpriced, 0).
    static func cost(_ price: PriceTable.Price?, prompt: Int, completion: Int) -> Double {
        guard let price else { return 0 }
        return (Double(prompt) * price.inputPerMillion + Double(completion) * price.outputPerMillion) / 1e6
    }

    /// The usage summary: `modelNames` and `routes` (name, configured model) name the indices;
    /// `tasksByRoute` and `finishedTasks` come from the task outcomes.
    func summary(
        modelNames: [String], routes: [(name: String, model: String)], prices: PriceTable, tasksByRoute: [Int],
        finishedTasks: Int
    ) -> UsageSummary {
        var byModel: [ModelUsage] = []
        var prompt = 0, completion = 0, executions = 0
        var cost = 0.0
        var unpriced: [String] = []
        let order = models.indices.filter { models[$0].calls > 0 || models[$0].prompt + models[$0].completion > 0 }
            .sorted { modelNames[$0] < modelNames[$1] }
        for i in order {
            let m = models[i]
            let name = modelNames[i]
            let c = Self.cost(prices.prices[name], prompt: m.prompt, completion: m.completion)
            byModel.append(
                ModelUsage(
                    model: name, llmCalls: m.calls, executions: m.executions, promptTokens: m.prompt,
                    completionTokens: m.completion, cost: c))
            prompt += m.prompt
            completion += m.completion
            executions += m.executions
            cost += c
            if prices.prices[name] == nil { unpriced.append(name) }
        }
        var byRoute: [RouteUsage] = []
        let routeOrder = routes.indices.filter { r in
            (r < tasksByRoute.count && tasksByRoute[r] > 0)
                || (0..<modelStride).contains { tokens(route: r, model: $0) != Tokens() }
        }.sorted { routes[$0].name < routes[$1].name }
        for r in routeOrder {
            var c = 0.0
            for m in 0..<min(modelStride, modelNames.count) {
                let t = tokens(route: r, model: m)
                c += Self.cost(prices.prices[modelNames[m]], prompt: t.prompt, completion: t.completion)
            }
            let tasks = r < tasksByRoute.count ? tasksByRoute[r] : 0
            byRoute.append(
                RouteUsage(
                    route: routes[r].name, model: routes[r].model, tasks: tasks,
                    taskShare: finishedTasks == 0 ? 0 : Double(tasks) / Double(finishedTasks), cost: c,
                    costShare: cost == 0 ? 0 : c / cost))
        }
        return UsageSummary(
            llmCalls: calls, executions: executions, promptTokens: prompt, completionTokens: completion, cost: cost,
            byModel: byModel, byRoute: byRoute, unpricedModels: unpriced)
    }
}
