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
    /// Tokens per route index, per model index (`routeTokens[route][model]`).
    var routeTokens: [[Tokens]] = []
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
            keys.execute(c.keyID, at: ScenarioClock.nanoseconds(c.at))
        }
        models[c.model].prompt += c.promptTokens
        models[c.model].completion += c.completionTokens
        if c.route >= 0 {
            if c.route >= routeTokens.count { routeTokens.append(contentsOf: repeatElement([], count: c.route - routeTokens.count + 1)) }
            if c.model >= routeTokens[c.route].count {
                routeTokens[c.route].append(contentsOf: repeatElement(Tokens(), count: c.model - routeTokens[c.route].count + 1))
            }
            routeTokens[c.route][c.model].prompt += c.promptTokens
            routeTokens[c.route][c.model].completion += c.completionTokens
        }
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
        if o.routeTokens.count > routeTokens.count {
            routeTokens.append(contentsOf: repeatElement([], count: o.routeTokens.count - routeTokens.count))
        }
        for (r, perModel) in o.routeTokens.enumerated() {
            if perModel.count > routeTokens[r].count {
                routeTokens[r].append(contentsOf: repeatElement(Tokens(), count: perModel.count - routeTokens[r].count))
            }
            for (m, t) in perModel.enumerated() {
                routeTokens[r][m].prompt += t.prompt
                routeTokens[r][m].completion += t.completion
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
            (r < tasksByRoute.count && tasksByRoute[r] > 0) || (r < routeTokens.count && !routeTokens[r].isEmpty)
        }.sorted { routes[$0].name < routes[$1].name }
        for r in routeOrder {
            var c = 0.0
            if r < routeTokens.count {
                for (m, t) in routeTokens[r].enumerated() {
                    c += Self.cost(prices.prices[modelNames[m]], prompt: t.prompt, completion: t.completion)
                }
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
