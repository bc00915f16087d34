/// What a task does when the circuit breaker rejects it.
public enum BreakerOpenPolicy: String, Sendable, Hashable, CaseIterable, Codable {
    /// Fail the task at once with cause `breaker_open` (shed load).
    case fail
    /// Treat the rejection as a failed attempt whose server hint is the breaker's come-back time, and
    /// let the retry policy decide (what tenacity around a breaker-wrapped call does). Default.
    case retry
    /// Wait until the breaker says to come back without using an attempt, bounded by the deadline.
    case wait
}

/// The client reliability stack's configuration: everything a task needs besides the transport.
public struct StackConfig: Sendable {
    /// Per-attempt timeout (the production design used a hard 30 s). Default 30 s.
    public var attemptTimeout: Duration
    /// The retry policy.
    public var retry: RetryPolicy
    /// The classification table.
    public var classification: ClassificationTable
    /// The circuit breaker; nil for none.
    public var breaker: BreakerConfig?
    /// What a rejected task does. Default retry.
    public var onBreakerOpen: BreakerOpenPolicy
    /// The retry budget; nil for none.
    public var retryBudget: RetryBudgetConfig?
    /// TTL of idempotency records; nil turns idempotency off. Default 24 h.
    public var idempotencyTTL: Duration?
    /// The prompt token budget; nil sends the task as is.
    public var tokenBudget: TokenBudget?
    /// Model routing.
    public var router: ModelRouter
    /// Prices for cost accounting.
    public var prices: PriceTable
    /// System prompt sent with every task; nil for none.
    public var systemPrompt: String?

    /// Creates a configuration with the production design's defaults.
    public init(
        attemptTimeout: Duration = .seconds(30), retry: RetryPolicy = RetryPolicy(),
        classification: ClassificationTable = ClassificationTable(), breaker: BreakerConfig? = BreakerConfig(),
        onBreakerOpen: BreakerOpenPolicy = .retry, retryBudget: RetryBudgetConfig? = nil,
        idempotencyTTL: Duration? = .seconds(86_400), tokenBudget: TokenBudget? = TokenBudget(),
        router: ModelRouter = ModelRouter(), prices: PriceTable = .defaults, systemPrompt: String? = nil
    ) {
        self.attemptTimeout = attemptTimeout
        self.retry = retry
        self.classification = classification
        self.breaker = breaker
        self.onBreakerOpen = onBreakerOpen
        self.retryBudget = retryBudget
        self.idempotencyTTL = idempotencyTTL
        self.tokenBudget = tokenBudget
        self.router = router
        self.prices = prices
        self.systemPrompt = systemPrompt
    }

    /// Routes a task and fits its prompt into the token budget. A `TokenBudgetError` is a permanent failure.
    public func plan(task: String, history: [ChatMessage] = []) throws(TokenBudgetError) -> PlannedRequest {
        let route = router.route(task)
        if let tokenBudget {
            let prompt = try tokenBudget.build(system: systemPrompt, history: history, user: task)
            return PlannedRequest(route: route, prompt: prompt)
        }
        var messages: [ChatMessage] = []
        if let systemPrompt { messages.append(ChatMessage(role: "system", content: systemPrompt)) }
        messages += history
        messages.append(ChatMessage(role: "user", content: task))
        let estimate = messages.reduce(0) { $0 + CharacterRatioEstimator().tokens($1.content) }
        return PlannedRequest(
            route: route,
            prompt: BudgetedPrompt(messages: messages, estimatedTokens: estimate, droppedHistory: 0, userTruncated: false))
    }

    /// The shared state (breaker, retry budget) a set of tasks runs against.
    public func makeState() -> StackState {
        StackState(breaker: breaker.map(CircuitBreaker.init), budget: retryBudget.map(RetryBudget.init))
    }
}

/// A routed, budgeted request, ready to send.
public struct PlannedRequest: Sendable, Hashable {
    /// Model and max_tokens.
    public var route: Route
    /// Messages that fit the budget.
    public var prompt: BudgetedPrompt
}

/// State shared by all tasks of one stack: the breaker and the retry budget.
public struct StackState: Sendable {
    /// The breaker, if configured.
    public var breaker: CircuitBreaker?
    /// The retry budget, if configured.
    public var budget: RetryBudget?
    /// Creates state.
    public init(breaker: CircuitBreaker?, budget: RetryBudget?) {
        self.breaker = breaker
        self.budget = budget
    }
}
