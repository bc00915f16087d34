import Foundation
import Reliability
import YAMLConfig

/// Decodes the mechanism-relative expectations: the breaker's threshold (`opens_after: 5 failures`)
/// and what a breaker timing is measured from (`"2s of the threshold crossing"`, `"45s of the first
/// call after the outage"`), retry clustering, Retry-After compliance and the re-execution horizon.
enum MechanismDecoding {
    /// What a breaker timing (`opens_within`, `closes_within`) is measured from.
    enum Reference: Sendable, Hashable {
        /// The fault window's start (opening) or end (closing): `"15s of outage start"`, or no phrase.
        case windowEdge
        /// The instant the breaker had seen enough failures to trip: `"2s of the threshold crossing"`.
        case thresholdCrossing
        /// The first request after the window's end: `"45s of the first call after the outage"`.
        case firstRequest
    }

    /// The phrases accepted after `of`, for messages.
    static let openingPhrases = ["outage start", "window start", "the threshold crossing"]
    static let closingPhrases = ["outage end", "window end", "the first call after the outage", "the first request after the window"]

    /// The reference named after ` of ` in `"2s of the threshold crossing"`; `.windowEdge` when no phrase.
    static func reference(_ n: ConfigNode, opening: Bool) throws(ConfigError) -> Reference {
        let text = try n.string().lowercased()
        guard let r = text.range(of: " of ") else { return .windowEdge }
        let phrase = text[r.upperBound...].trimmingCharacters(in: .whitespaces)
        let words = phrase.hasPrefix("the ") ? String(phrase.dropFirst(4)) : phrase
        if opening {
            if ["outage start", "window start", "fault start"].contains(words) { return .windowEdge }
            if ["threshold crossing", "threshold", "crossing"].contains(words) { return .thresholdCrossing }
        } else {
            if ["outage end", "window end", "fault end"].contains(words) { return .windowEdge }
            if words.hasPrefix("first call after") || words.hasPrefix("first request after") { return .firstRequest }
        }
        let valid = opening ? openingPhrases : closingPhrases
        throw n.error(
            "'\(phrase)' is not a reference this timing can be measured from; write e.g. '2s of \(valid.last!)' (valid: \(valid.joined(separator: ", ")))",
            suggestion: closestMatch(to: phrase, in: valid))
    }

    /// `5 failures` or `5`: a positive count.
    static func failures(_ n: ConfigNode) throws(ConfigError) -> Int {
        var text = try n.string().trimmingCharacters(in: .whitespaces).lowercased()
        for suffix in [" failures", " failure"] where text.hasSuffix(suffix) { text = String(text.dropLast(suffix.count)) }
        guard let v = Int(text.trimmingCharacters(in: .whitespaces)), v >= 1, v <= 1_000_000 else {
            throw n.error("'\(try n.string())' is not a failure count: expected e.g. '5 failures' (1 to 1000000)")
        }
        return v
    }

    /// The breaker threshold an opening is judged against: `failures` (from `opens_after`) or the
    /// stack's own failure-count threshold, with the stack's window and counted classes. Resolved
    /// from the stack as written, so a planted defect in the stack does not move it.
    static func threshold(failures: Int?, stack: StackConfig, owner: ConfigNode) throws(ConfigError) -> BreakerThreshold {
        let b = stack.breaker
        var window = Duration.seconds(60)
        var stackThreshold: Int?
        switch b?.trip {
        case .failureCount(let t, let w)?:
            window = w
            stackThreshold = t
        case .failureRate(_, _, let w)?:
            window = w
        case nil:
            break
        }
        guard let n = failures ?? stackThreshold else {
            throw owner.error(
                b == nil
                    ? "the stack has no breaker to take a failure threshold from; state it with 'opens_after: N failures'"
                    : "the stack's breaker trips on a failure rate, not a count; state the count with 'opens_after: N failures'")
        }
        return BreakerThreshold(failures: n, window: window, counted: b?.countedFailures ?? [.transient, .throttled])
    }

    /// `retry_clustering: "<= 30%"`, or `{ share: "<= 30%", window: 100ms, min_retries: 5 }`.
    static func retryClustering(_ n: ConfigNode) throws(ConfigError) -> Expectation {
        var spec = RetryClusterSpec()
        let value: ConfigNode
        if n.isScalar {
            value = n
        } else {
            let m = try n.mapping(allowed: ["share", "window", "min_retries"])
            guard let v = m.optional("share") else { throw n.error("'retry_clustering' needs 'share', e.g. share: \"<= 30%\"") }
            value = v
            if let w = m.optional("window") {
                spec.window = try w.duration(min: .milliseconds(1))
                guard spec.window <= .seconds(60) else { throw w.error("the window must be at most 60s") }
            }
            if let r = m.optional("min_retries") { spec.minRetries = try r.int(in: 2...100_000) }
        }
        let t = try Threshold.decode(value, unit: .percent, defaultComparison: .atMost)
        return .retryClustering(name: "retry_clustering", threshold: t, spec: spec)
    }

    /// `retry_after_early: 0`, or `{ max: 0, tolerance: 5ms }`.
    static func retryAfterEarly(_ n: ConfigNode) throws(ConfigError) -> Expectation {
        var tolerance = Duration.milliseconds(1)
        let value: ConfigNode
        if n.isScalar {
            value = n
        } else {
            let m = try n.mapping(allowed: ["max", "tolerance"])
            guard let v = m.optional("max") else { throw n.error("'retry_after_early' needs 'max', e.g. max: 0") }
            value = v
            if let t = m.optional("tolerance") {
                tolerance = try t.duration()
                guard tolerance <= .seconds(60) else { throw t.error("the tolerance must be at most 60s") }
            }
        }
        let t = try Threshold.decode(value, unit: .number, defaultComparison: .atMost)
        return .retryAfterEarly(name: "retry_after_early", threshold: t, tolerance: tolerance)
    }

    /// `reexecution_within: 24h`: a positive horizon of at most 30 days.
    static func horizon(_ n: ConfigNode) throws(ConfigError) -> Duration {
        let h = try n.duration(min: .milliseconds(1))
        guard h <= .seconds(30 * 86_400) else { throw n.error("the horizon must be at most 30 days (720h)") }
        return h
    }
}
