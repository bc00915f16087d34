import Reliability

/// What the server does with one request, decided by `FaultPlan.decide`. The live server acts it
/// out on the wire; the simulator maps it to what the client observes with `observed(…)`.
public struct FaultDecision: Sendable, Hashable {
    /// Time before the first response byte: base latency (streams: time to first token) plus the
    /// latency of every latency rule that fired.
    public var delay: Duration
    /// What the response is.
    public var action: Action
    /// Rate-limit headers to send (nil when the model has no limits or no check was made).
    public var rateLimitHeaders: RateLimitHeaders?
    /// Index of the rule whose outcome ended the request (nil: healthy or the rate limiter).
    public var rule: Int?
    /// Indices of every rule that fired (latency rules included), in order.
    public var firedRules: [Int]

    /// The response.
    public enum Action: Sendable, Hashable {
        /// A normal completion.
        case healthy(ReplyPlan)
        /// An error status (injected, rate-limited or too large).
        case status(StatusFault)
        /// A connection fault. Truncation, drip, malformed and stream errors also carry the reply
        /// that was being sent.
        case connection(ConnectionFault, ReplyPlan)
    }

    /// The action label used by stats: `ok`, `status_503`, `rate_limited`, `too_large`, `reset`, …
    public var label: String {
        switch action {
        case .healthy: return "ok"
        case .status(let s):
            if rule == nil { return s.status == 413 ? "too_large" : "rate_limited" }
            return "status_\(s.status)"
        case .connection(let c, _): return c.name
        }
    }

    /// The status the server puts on the wire, nil when none is sent (reset, hang).
    public var wireStatus: Int? {
        switch action {
        case .healthy: return 200
        case .status(let s): return s.status
        case .connection(let c, _):
            switch c {
            case .reset, .hang: return nil
            default: return 200
            }
        }
    }
}

/// The generated reply: how many tokens, why it stopped, the text seed and the stream's gaps.
public struct ReplyPlan: Sendable, Hashable {
    /// Completion tokens (after the `max_tokens` cap).
    public var completionTokens: Int
    /// Prompt tokens reported in `usage`.
    public var promptTokens: Int
    /// `length` when capped by `max_tokens`, else `stop`.
    public var finishReason: String
    /// Seed for `ReplyText` (the words of the reply).
    public var textSeed: UInt64
    /// Streaming: the delay before each content chunk after the first (count `completionTokens - 1`);
    /// empty when inter-token latency is zero.
    public var gaps: [Duration]

    /// Creates a reply plan.
    public init(completionTokens: Int, promptTokens: Int, finishReason: String, textSeed: UInt64, gaps: [Duration] = []) {
        self.completionTokens = completionTokens
        self.promptTokens = promptTokens
        self.finishReason = finishReason
        self.textSeed = textSeed
        self.gaps = gaps
    }

    /// The sum of the stream gaps.
    public var streamDuration: Duration { gaps.reduce(.zero, +) }
    /// The gaps before content chunk `index` (0-based; chunk 0 has no gap) summed up to and including it.
    public func gapsThrough(chunk index: Int) -> Duration {
        guard index > 0, !gaps.isEmpty else { return .zero }
        return gaps.prefix(min(index, gaps.count)).reduce(.zero, +)
    }
}

/// What a client observes for one attempt: the outcome its classifier sees and how long it took.
public struct ObservedAttempt: Sendable, Hashable {
    /// The outcome (status with hints, or transport failure).
    public var outcome: AttemptOutcome
    /// Time from sending the request until the outcome was known.
    public var duration: Duration
    /// Prompt tokens of a completed reply (0 otherwise).
    public var promptTokens: Int
    /// Completion tokens of a completed reply (0 otherwise).
    public var completionTokens: Int

    /// Creates an observation.
    public init(outcome: AttemptOutcome, duration: Duration, promptTokens: Int = 0, completionTokens: Int = 0) {
        self.outcome = outcome
        self.duration = duration
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
    }
}

extension FaultDecision {
    /// The error-body `code` a client would read for a status fault (what `ResponseHints.errorCode` gets).
    public static func errorCode(for fault: StatusFault) -> String? {
        ErrorBody.fields(status: fault.status, kind: fault.body).code
    }

    /// What a client with `clientTimeout` observes when the server acts out this decision — the
    /// simulator's model of the live wire, so sim and live agree:
    /// - healthy → 200 after `delay` (+ stream gaps, streaming) (+ drip time is not applicable);
    /// - status → that status with `retry-after(-ms)`, `x-should-retry` and the body's error code as
    ///   hints, after `delay`;
    /// - reset → `.transport(.reset)` after `delay`; hang → `.transport(.timeout)` after `clientTimeout`;
    /// - truncate → `.transport(.truncated)` after `delay` (+ the gaps of the chunks sent, streaming);
    /// - drip → 200 after `delay + responseBytes / bytesPerSecond` (+ gaps);
    /// - malformed, empty → `.transport(.malformed)` after `delay`;
    /// - stream_error → `.transport(.truncated)` after `delay` + the gaps of the chunks sent.
    /// Anything that would take longer than `clientTimeout` becomes `.transport(.timeout)` at `clientTimeout`.
    /// `responseBytes` is the size of the body the drip sends (use `MockWire.approximateBodyBytes`).
    public func observed(clientTimeout: Duration, stream: Bool, responseBytes: Int = 400) -> ObservedAttempt {
        var result: ObservedAttempt
        switch action {
        case .healthy(let reply):
            let d = delay + (stream ? reply.streamDuration : .zero)
            result = ObservedAttempt(
                outcome: .ok, duration: d, promptTokens: reply.promptTokens, completionTokens: reply.completionTokens)
        case .status(let s):
            let hints = ResponseHints(
                retryAfter: s.advertisedRetryAfter, shouldRetry: s.shouldRetry, errorCode: Self.errorCode(for: s))
            result = ObservedAttempt(outcome: .response(status: s.status, headers: hints), duration: delay)
        case .connection(let fault, let reply):
            switch fault {
            case .reset:
                result = ObservedAttempt(outcome: .transport(.reset), duration: delay)
            case .hang:
                result = ObservedAttempt(outcome: .transport(.timeout), duration: clientTimeout)
            case .truncate(_, let chunks):
                let d = delay + (stream ? reply.gapsThrough(chunk: chunks - 1) : .zero)
                result = ObservedAttempt(outcome: .transport(.truncated), duration: d)
            case .drip(let bps):
                let d = delay + (stream ? reply.streamDuration : .zero)
                    + .fromSeconds(Double(responseBytes) / Double(max(1, bps)))
                result = ObservedAttempt(
                    outcome: .ok, duration: d, promptTokens: reply.promptTokens, completionTokens: reply.completionTokens)
            case .malformed, .empty:
                result = ObservedAttempt(outcome: .transport(.malformed), duration: delay)
            case .streamError(let chunks):
                result = ObservedAttempt(
                    outcome: .transport(.truncated), duration: delay + reply.gapsThrough(chunk: chunks - 1))
            }
        }
        if result.duration > clientTimeout {
            return ObservedAttempt(outcome: .transport(.timeout), duration: clientTimeout)
        }
        return result
    }
}

extension FaultDecision {
    /// Whether the response delivers a complete reply (healthy, or dripped slowly).
    public var generatesCompletion: Bool {
        switch action {
        case .healthy, .connection(.drip, _): return true
        default: return false
        }
    }

    /// The outcome as the call log records it.
    public var callOutcome: CallOutcome {
        switch action {
        case .healthy: return .status(200)
        case .status(let s): return .status(s.status)
        case .connection(let c, _): return .drop(DropKind(rawValue: c.name) ?? .reset)
        }
    }

    /// The `retry-after` the response gives (seconds, or the HTTP-date's distance), nil when none.
    public var retryAfterGiven: Duration? {
        guard case .status(let s) = action else { return nil }
        return s.retryAfter ?? s.retryAfterDate
    }

    /// The `retry-after-ms` the response gives, nil when none.
    public var retryAfterMsGiven: Duration? {
        guard case .status(let s) = action else { return nil }
        return s.retryAfterMs
    }

    /// Completion tokens of the reply the response carries (all of it or a part): 0 for status faults
    /// and for `reset` / `hang`, which send no reply.
    public var completionTokensSent: Int {
        switch action {
        case .healthy(let r): return r.completionTokens
        case .status, .connection(.reset, _), .connection(.hang, _): return 0
        case .connection(_, let r): return r.completionTokens
        }
    }
}
