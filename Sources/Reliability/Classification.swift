/// How the stack treats an attempt's outcome.
public enum FailureClass: String, Sendable, Hashable, Codable, CaseIterable {
    /// 2xx: the attempt succeeded.
    case success
    /// Worth retrying after a backoff: 408, 5xx, transport failures.
    case transient
    /// The provider asked us to slow down: 429 and capacity codes such as Groq's 498.
    case throttled
    /// Retrying cannot help: 400, 401, 403, 404, 413, 422, context-length errors.
    case permanent
}

/// The configurable table that maps an `AttemptOutcome` to a `FailureClass`.
/// Order of precedence: 2xx → success; `x-should-retry` (if honoured); error codes; statuses;
/// the default for unlisted statuses.
public struct ClassificationTable: Sendable, Hashable {
    /// Statuses classed as throttled. Default: 429, 498.
    public var throttledStatuses: Set<Int> = [429, 498]
    /// Statuses classed as transient besides 5xx. Default: 408.
    public var transientStatuses: Set<Int> = [408]
    /// Whether every 5xx is transient. Default: true.
    public var serverErrorsAreTransient = true
    /// Statuses classed as permanent. Default: 400, 401, 403, 404, 413, 422.
    public var permanentStatuses: Set<Int> = [400, 401, 403, 404, 413, 422]
    /// The class of any status not listed above. Default: permanent (other 4xx cannot be fixed by retrying).
    public var unlistedStatus: FailureClass = .permanent
    /// Transport failures classed as transient (the rest are permanent). Default: all of them.
    public var transientTransport: Set<TransportFailure> = Set(TransportFailure.allCases)
    /// Error-body codes that make any status permanent. Default: context-length and quota/billing errors.
    public var permanentErrorCodes: Set<String> = [
        "context_length_exceeded", "insufficient_quota", "invalid_api_key", "model_not_found",
    ]
    /// Whether an `x-should-retry: true|false` header overrides the table (as the official SDKs do). Default: true.
    public var honorShouldRetry = true

    /// The default table from REFERENCE.md.
    public init() {}

    /// Classifies one outcome.
    public func classify(_ outcome: AttemptOutcome) -> FailureClass {
        switch outcome {
        case .transport(let failure):
            return transientTransport.contains(failure) ? .transient : .permanent
        case .response(let status, let hints):
            if (200..<300).contains(status) { return .success }
            if honorShouldRetry, let should = hints.shouldRetry {
                if !should { return .permanent }
                return throttledStatuses.contains(status) ? .throttled : .transient
            }
            if let code = hints.errorCode, permanentErrorCodes.contains(code) { return .permanent }
            if throttledStatuses.contains(status) { return .throttled }
            if transientStatuses.contains(status) { return .transient }
            if permanentStatuses.contains(status) { return .permanent }
            if serverErrorsAreTransient, (500..<600).contains(status) { return .transient }
            return unlistedStatus
        }
    }
}
