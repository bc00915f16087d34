/// A routing rule: tasks that contain one of `indicators` (case-insensitive) and have fewer than
/// `maxWords` words go to `model` with `maxTokens`.
public struct RoutingRule: Sendable, Hashable, Codable {
    /// Name for reports.
    public var name: String
    /// Indicator phrases; empty matches every task.
    public var indicators: [String]
    /// Word-count limit (exclusive); nil for none.
    public var maxWords: Int?
    /// Target model.
    public var model: String
    /// `max_tokens` for the request.
    public var maxTokens: Int

    /// Creates a rule.
    public init(name: String, indicators: [String], maxWords: Int?, model: String, maxTokens: Int) {
        self.name = name
        self.indicators = indicators
        self.maxWords = maxWords
        self.model = model
        self.maxTokens = maxTokens
    }

    /// Whether the rule applies to `task`.
    public func matches(_ task: String) -> Bool {
        if let maxWords, task.split(whereSeparator: { $0.isWhitespace }).count >= maxWords { return false }
        if indicators.isEmpty { return true }
        let lowered = task.lowercased()
        return indicators.contains { lowered.contains($0.lowercased()) }
    }
}

/// Where a task was routed.
public struct Route: Sendable, Hashable, Codable {
    /// The rule that matched, or `default`.
    public var rule: String
    /// The model.
    public var model: String
    /// `max_tokens`.
    public var maxTokens: Int
}

/// Routes tasks to models by the first matching rule, else the fallback.
public struct ModelRouter: Sendable, Hashable {
    /// Rules in order.
    public var rules: [RoutingRule]
    /// Model for tasks no rule matches.
    public var fallbackModel: String
    /// `max_tokens` for the fallback.
    public var fallbackMaxTokens: Int

    /// Indicator phrases of the default "simple" rule.
    public static let simpleIndicators = [
        "what is", "define", "summarise", "list", "classify", "yes or no", "true or false", "how many",
    ]

    /// The production default: simple questions (an indicator and under 20 words) to
    /// `llama-3.1-8b-instant` with 400 max tokens, everything else to `llama-3.3-70b-versatile` with 800.
    public init(
        rules: [RoutingRule] = [
            RoutingRule(
                name: "simple", indicators: ModelRouter.simpleIndicators, maxWords: 20, model: "llama-3.1-8b-instant",
                maxTokens: 400)
        ], fallbackModel: String = "llama-3.3-70b-versatile", fallbackMaxTokens: Int = 800
    ) {
        self.rules = rules
        self.fallbackModel = fallbackModel
        self.fallbackMaxTokens = fallbackMaxTokens
    }

    /// Routes one task.
    public func route(_ task: String) -> Route {
        if let rule = rules.first(where: { $0.matches(task) }) {
            return Route(rule: rule.name, model: rule.model, maxTokens: rule.maxTokens)
        }
        return Route(rule: "default", model: fallbackModel, maxTokens: fallbackMaxTokens)
    }
}

/// Token usage of one call.
public struct TokenUsage: Sendable, Hashable, Codable {
    /// Prompt tokens.
    public var promptTokens: Int
    /// Completion tokens.
    public var completionTokens: Int
    /// Creates usage.
    public init(promptTokens: Int, completionTokens: Int) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
    }
    /// Sum of both.
    public var totalTokens: Int { promptTokens + completionTokens }
    /// Adds two usages.
    public static func + (a: TokenUsage, b: TokenUsage) -> TokenUsage {
        TokenUsage(promptTokens: a.promptTokens + b.promptTokens, completionTokens: a.completionTokens + b.completionTokens)
    }
    /// No tokens.
    public static let zero = TokenUsage(promptTokens: 0, completionTokens: 0)
}

/// Prices in US dollars per million input and output tokens, per model.
public struct PriceTable: Sendable, Hashable {
    /// A model's price.
    public struct Price: Sendable, Hashable, Codable {
        /// $ per million input tokens.
        public var inputPerMillion: Double
        /// $ per million output tokens.
        public var outputPerMillion: Double
        /// Creates a price.
        public init(inputPerMillion: Double, outputPerMillion: Double) {
            self.inputPerMillion = inputPerMillion
            self.outputPerMillion = outputPerMillion
        }
    }
    /// Prices by model name.
    public var prices: [String: Price]

    /// Creates a table.
    public init(prices: [String: Price]) { self.prices = prices }

    /// Published list prices (USD per 1M tokens) of the models the defaults use; override per scenario.
    public static let defaults = PriceTable(prices: [
        "llama-3.1-8b-instant": Price(inputPerMillion: 0.05, outputPerMillion: 0.08),
        "llama-3.3-70b-versatile": Price(inputPerMillion: 0.59, outputPerMillion: 0.79),
        "gpt-4o-mini": Price(inputPerMillion: 0.15, outputPerMillion: 0.60),
        "gpt-4o": Price(inputPerMillion: 2.50, outputPerMillion: 10.00),
    ])

    /// The cost of `usage` on `model`; nil when the model has no price.
    public func cost(model: String, usage: TokenUsage) -> Double? {
        guard let p = prices[model] else { return nil }
        return (Double(usage.promptTokens) * p.inputPerMillion + Double(usage.completionTokens) * p.outputPerMillion) / 1e6
    }
}
