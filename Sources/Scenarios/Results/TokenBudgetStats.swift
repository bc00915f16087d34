/// What the token budget did to the prompts of executed tasks.
public struct TokenBudgetStats: Sendable, Codable, Hashable {
    /// Whether the stack had a token budget.
    public var enabled: Bool
    /// Input tokens the budget allows (max_tokens − reserve_for_output); 0 when disabled.
    public var inputBudget: Int
    /// Executed tasks whose user message was truncated to fit.
    public var truncatedPrompts: Int
    /// Executed tasks that could not be fitted at all (failed with cause `token_budget`).
    public var rejected: Int
    /// The largest prompt sent, in estimated tokens.
    public var maxPromptTokens: Int
    /// Creates stats; every field defaults to zero / disabled.
    public init(enabled: Bool = false, inputBudget: Int = 0, truncatedPrompts: Int = 0, rejected: Int = 0, maxPromptTokens: Int = 0) {
        self.enabled = enabled
        self.inputBudget = inputBudget
        self.truncatedPrompts = truncatedPrompts
        self.rejected = rejected
        self.maxPromptTokens = maxPromptTokens
    }
}
