/// A chat message (role + content), as sent to an OpenAI-compatible API.
public struct ChatMessage: Sendable, Hashable, Codable {
    /// `system`, `user` or `assistant`.
    public var role: String
    /// The text.
    public var content: String
    /// Creates a message.
    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}

/// Estimates how many tokens a text costs. Pluggable; the default is 1 token ≈ 4 characters.
public protocol TokenEstimator: Sendable {
    /// Estimated tokens for `text`.
    func tokens(_ text: String) -> Int
}

/// 1 token per `charactersPerToken` characters, rounded up (the production design's rule of thumb).
public struct CharacterRatioEstimator: TokenEstimator, Hashable {
    /// Characters per token. Default 4.
    public var charactersPerToken: Int
    /// Creates an estimator.
    public init(charactersPerToken: Int = 4) { self.charactersPerToken = max(1, charactersPerToken) }
    public func tokens(_ text: String) -> Int { (text.count + charactersPerToken - 1) / charactersPerToken }
}

/// Errors from building a prompt within the budget. Both are permanent failures.
public enum TokenBudgetError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The system prompt alone needs more than the input budget.
    case systemPromptTooLarge(tokens: Int, budget: Int)
    /// The budget leaves no room at all for the user message.
    case noRoomForUserMessage(budget: Int)
    public var description: String {
        switch self {
        case .systemPromptTooLarge(let t, let b): return "system prompt needs \(t) tokens but the input budget is \(b)"
        case .noRoomForUserMessage(let b): return "no room for the user message within the input budget of \(b) tokens"
        }
    }
}

/// The message list that fits, with what had to give.
public struct BudgetedPrompt: Sendable, Hashable {
    /// System prompt, kept history (oldest first) and the user message.
    public var messages: [ChatMessage]
    /// Estimated input tokens of `messages`.
    public var estimatedTokens: Int
    /// History messages that did not fit (the oldest ones).
    public var droppedHistory: Int
    /// Whether the user message was cut to fit.
    public var userTruncated: Bool
}

/// Fits a conversation into `maxTokens − reserveForOutput`: always the system prompt, then the
/// newest history that fits, then the user message (truncated if it alone does not fit).
public struct TokenBudget: Sendable {
    /// The model's context size in tokens. Default 6000.
    public var maxTokens: Int
    /// Tokens kept free for the reply. Default 800.
    public var reserveForOutput: Int
    /// The estimator. Default 4 characters per token.
    public var estimator: any TokenEstimator

    /// Creates a budget.
    public init(maxTokens: Int = 6000, reserveForOutput: Int = 800, estimator: any TokenEstimator = CharacterRatioEstimator()) {
        self.maxTokens = maxTokens
        self.reserveForOutput = reserveForOutput
        self.estimator = estimator
    }

    /// Tokens available for input.
    public var inputBudget: Int { max(0, maxTokens - reserveForOutput) }

    /// Builds the message list.
    public func build(system: String?, history: [ChatMessage], user: String) throws(TokenBudgetError) -> BudgetedPrompt {
        let budget = inputBudget
        var used = 0
        var head: [ChatMessage] = []
        if let system, !system.isEmpty {
            let t = estimator.tokens(system)
            guard t <= budget else { throw .systemPromptTooLarge(tokens: t, budget: budget) }
            used += t
            head.append(ChatMessage(role: "system", content: system))
        }
        let userTokens = estimator.tokens(user)
        var userText = user
        var truncated = false
        if used + userTokens > budget {
            let room = budget - used
            guard room > 0 else { throw .noRoomForUserMessage(budget: budget) }
            userText = truncate(user, toTokens: room)
            truncated = true
        }
        let userCost = estimator.tokens(userText)
        used += userCost
        var kept: [ChatMessage] = []
        var dropped = 0
        if !truncated {
            var stop = false
            for message in history.reversed() {
                if stop { dropped += 1; continue }
                let t = estimator.tokens(message.content)
                if used + t <= budget {
                    used += t
                    kept.append(message)
                } else {
                    stop = true  // keep a contiguous run of the newest messages
                    dropped += 1
                }
            }
            kept.reverse()
        } else {
            dropped = history.count
        }
        return BudgetedPrompt(
            messages: head + kept + [ChatMessage(role: "user", content: userText)], estimatedTokens: used,
            droppedHistory: dropped, userTruncated: truncated)
    }

    /// The longest prefix of `text` whose estimate is at most `tokens` (binary search over characters).
    func truncate(_ text: String, toTokens tokens: Int) -> String {
        let chars = Array(text)
        var lo = 0
        var hi = chars.count
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if estimator.tokens(String(chars[0..<mid])) <= tokens { lo = mid } else { hi = mid - 1 }
        }
        return String(chars[0..<lo])
    }
}
