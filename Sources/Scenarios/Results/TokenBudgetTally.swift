extension TokenBudgetStats {
    /// Adds another shard's counts (the largest prompt is the larger of the two).
    public mutating func merge(_ o: TokenBudgetStats) {
        enabled = enabled || o.enabled
        inputBudget = max(inputBudget, o.inputBudget)
        truncatedPrompts += o.truncatedPrompts
        rejected += o.rejected
        maxPromptTokens = max(maxPromptTokens, o.maxPromptTokens)
    }
}
