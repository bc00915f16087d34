/// How retries are rationed across all tasks, so a failing dependency is not hit with a retry storm.
public enum RetryBudgetConfig: Sendable, Hashable {
    /// AWS SDK standard mode: a bucket of `capacity` tokens; a retry costs `retryCost` (`timeoutCost`
    /// after a timeout); a success refunds what its retries took, or `noRetryIncrement` if it needed none.
    case tokenBucket(capacity: Int = 500, retryCost: Int = 5, timeoutCost: Int = 10, noRetryIncrement: Int = 1)
    /// Retries may be at most `ratio` of first attempts over the trailing `window`, plus a floor of
    /// `minPerSecond` retries per second (Finagle/SRE style; SRE book suggests 10%).
    case ratio(ratio: Double = 0.1, window: Duration = .seconds(10), minPerSecond: Double = 1)

    /// AWS standard-mode numbers.
    public static let awsStandard = RetryBudgetConfig.tokenBucket()
}

/// The retry budget state machine. `now` is scenario time; nothing here reads a clock.
public struct RetryBudget: Sendable {
    /// The configuration.
    public let config: RetryBudgetConfig
    private var tokens: Int
    private var firstAttempts: TimeWindowCounter
    private var retries: TimeWindowCounter

    /// A full budget.
    public init(_ config: RetryBudgetConfig) {
        self.config = config
        switch config {
        case .tokenBucket(let capacity, _, _, _):
            tokens = capacity
            firstAttempts = TimeWindowCounter(window: .seconds(1))
            retries = TimeWindowCounter(window: .seconds(1))
        case .ratio(_, let window, _):
            tokens = 0
            firstAttempts = TimeWindowCounter(window: window)
            retries = TimeWindowCounter(window: window)
        }
    }

    /// Tokens left (token-bucket mode).
    public var availableTokens: Int { tokens }

    /// Records a first attempt (ratio mode counts them).
    public mutating func recordFirstAttempt(now: Duration) {
        if case .ratio = config { firstAttempts.add(now: now) }
    }

    /// Tries to pay for one retry. Returns the cost paid (to refund on success), or nil when the
    /// budget cannot afford it (then no retry may happen).
    public mutating func withdraw(afterTimeout: Bool, now: Duration) -> Int? {
        switch config {
        case .tokenBucket(_, let retryCost, let timeoutCost, _):
            let cost = afterTimeout ? timeoutCost : retryCost
            guard tokens >= cost else { return nil }
            tokens -= cost
            return cost
        case .ratio(let ratio, let window, let minPerSecond):
            let allowed = ratio * Double(firstAttempts.count(now: now)) + minPerSecond * window.seconds
            guard Double(retries.count(now: now)) + 1 <= allowed else { return nil }
            retries.add(now: now)
            return 0
        }
    }

    /// Records a task's success; `paid` is what its retries withdrew (0 when it needed none).
    public mutating func recordSuccess(paid: Int, retried: Bool) {
        guard case .tokenBucket(let capacity, _, _, let increment) = config else { return }
        tokens = min(capacity, tokens + (retried ? paid : increment))
    }
}

/// Counts events in a trailing time window `(now − window, now]`, amortised O(1).
struct TimeWindowCounter: Sendable {
    let window: Duration
    private var times: [Duration] = []
    private var head = 0

    init(window: Duration) { self.window = window }

    mutating func add(now: Duration) {
        times.append(now)
    }

    mutating func count(now: Duration) -> Int {
        while head < times.count, times[head] <= now - window { head += 1 }
        if head > 1024, head * 2 > times.count {
            times.removeFirst(head)
            head = 0
        }
        return times.count - head
    }
}
