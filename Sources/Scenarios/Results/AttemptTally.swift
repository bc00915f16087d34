import Reliability

/// Attempt outcomes as the client saw them and scheduled retries by reason, from the stack events.
public struct AttemptTally: Sendable, Codable, Equatable {
    /// HTTP statuses by code (0…599), then transport failures, then breaker rejections.
    var outcomes = [Int](repeating: 0, count: 600 + TransportFailure.allCases.count + 1)
    /// Retries by `AttemptTally.reasons` index.
    var retries = [Int](repeating: 0, count: AttemptTally.reasons.count)

    static let reasons: [RetryReason] = [.backoff, .throttledBackoff, .retryAfter, .breakerOpen]
    static let rejectedIndex = 600 + TransportFailure.allCases.count
    static let transportIndex: [TransportFailure: Int] = Dictionary(
        uniqueKeysWithValues: TransportFailure.allCases.enumerated().map { ($1, 600 + $0) })

    /// An empty tally.
    public init() {}

    /// Counts one stack event.
    @inline(__always)
    public mutating func record(_ event: TaskEvent) {
        switch event {
        case .attemptEnded(_, let outcome, _, _, _):
            switch outcome {
            case .response(let status, _): outcomes[min(599, max(0, status))] += 1
            case .transport(let f): outcomes[Self.transportIndex[f]!] += 1
            }
        case .retryScheduled(_, _, let reason, _, _):
            switch reason {
            case .backoff: retries[0] += 1
            case .throttledBackoff: retries[1] += 1
            case .retryAfter: retries[2] += 1
            case .breakerOpen: retries[3] += 1
            }
        case .breakerRejected:
            outcomes[Self.rejectedIndex] += 1
        default:
            break
        }
    }

    /// Adds another tally's counts.
    public mutating func merge(_ o: AttemptTally) {
        for i in outcomes.indices { outcomes[i] += o.outcomes[i] }
        for i in retries.indices { retries[i] += o.retries[i] }
    }

    /// Outcomes by label, largest first.
    var attemptOutcomes: [NamedCount] {
        var out: [String: Int] = [:]
        for (i, c) in outcomes.enumerated() where c > 0 {
            if i < 600 {
                out[String(i)] = c
            } else if i == Self.rejectedIndex {
                out["breaker_rejected"] = c
            } else {
                out[TransportFailure.allCases[i - 600].rawValue] = c
            }
        }
        return NamedCount.sorted(out)
    }

    /// Retries by reason, largest first.
    var retriesByReason: [NamedCount] {
        var out: [String: Int] = [:]
        for (i, c) in retries.enumerated() where c > 0 { out[Self.reasons[i].rawValue] = c }
        return NamedCount.sorted(out)
    }
}
