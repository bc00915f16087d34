import Foundation
import Reliability

/// How a timing expectation's verdict can be moved by distortion.
public enum TimingBound: Sendable, Hashable {
    /// A limit in scenario seconds the observed duration is compared with (latency thresholds,
    /// breaker opening/closing windows, recovery within): the margin is |observed − limit|.
    case limit(Double)
    /// A tolerance in scenario seconds that is not the verdict's own figure (retry clustering's
    /// bucket): the margin is the tolerance itself.
    case tolerance(Double)

    /// The stated bound, scenario seconds: what `--time-scale auto` compares with.
    public var seconds: Double {
        switch self {
        case .limit(let s), .tolerance(let s): return s
        }
    }

    /// The verdict's margin, scenario seconds: how far distortion may move it before it could flip.
    /// For a limit, |observed − limit| (nil when the verdict has no observed value).
    public func margin(observed: Double?) -> Double? {
        switch self {
        case .limit(let limit): return observed.map { abs($0 - limit) }
        case .tolerance(let t): return t
        }
    }
}

/// The timing-fidelity rule of live runs (docs/live.md "Timing fidelity"), as pure functions of
/// explicit numbers: distortion, margins, untrustworthy verdicts, the safe scale K′ and the scale
/// `--time-scale auto` picks.
public enum FidelityRule {
    /// `--time-scale auto` keeps the distortion at most this share of the tightest timing tolerance.
    public static let autoShare = 0.1
    /// The scale `--time-scale auto` uses when the scenario has no timing expectation.
    public static let defaultAutoScale = 60.0

    /// (lag p99 + overhead p99) × K, scenario seconds, from real milliseconds.
    public static func distortion(lagP99Ms: Double, overheadP99Ms: Double, scale: Double) -> Double {
        (lagP99Ms + overheadP99Ms) / 1000 * scale
    }

    /// The timing bound of `e`, or nil when its verdict does not rest on scenario-time durations.
    public static func timingBound(_ e: Expectation) -> TimingBound? {
        switch e {
        case .threshold(_, let metric, let t, _):
            if case .latency = metric { return .limit(t.value) }
            return nil
        case .breakerOpensWithin(_, _, let limit), .breakerClosesWithin(_, _, let limit),
            .recoversWithin(_, _, let limit, _), .breakerOpensWithinCrossing(_, _, let limit),
            .breakerClosesWithinFirstRequest(_, _, let limit):
            return .limit(limit.seconds)
        case .shutdown(_, _, let t):
            return t.unit == .seconds ? .limit(t.value) : nil
        case .retryClustering(_, _, let spec):
            return .tolerance(spec.window.seconds)
        // Not `retryAfterEarly`: both of its instants (the 429's answer, the task's next call) are
        // read at the mock, and Squall's lag can only delay a retry, never make one early; a foreign
        // service's retries are not timed by Squall at all. Its 1 ms default tolerance would
        // otherwise make every live pass "untrustworthy" and drive `--time-scale auto` to ×1.
        default:
            return nil
        }
    }

    /// The tightest timing bound among `expectations` (its seconds and its name), nil when none has one.
    public static func tightest(_ expectations: [Expectation]) -> (seconds: Double, name: String)? {
        var best: (seconds: Double, name: String)?
        for e in expectations {
            guard let b = timingBound(e), b.seconds > 0 else { continue }
            if best == nil || b.seconds < best!.seconds { best = (b.seconds, e.name) }
        }
        return best
    }

    /// Whether a verdict with `margin` cannot be trusted under `distortion` (both scenario seconds):
    /// the distortion reaches the margin.
    public static func untrustworthy(distortion: Double, margin: Double) -> Bool {
        distortion >= margin
    }

    /// The largest scale at which `realDistortionMs` (lag p99 + overhead p99, real ms) stays below
    /// `margin` scenario seconds, rounded down to two significant digits; nil when nothing was
    /// measured (no distortion: any scale).
    public static func safeScale(realDistortionMs: Double, margin: Double) -> Double? {
        guard realDistortionMs > 0 else { return nil }
        return floorTwoDigits(margin / (realDistortionMs / 1000))
    }

    /// The scale `--time-scale auto` picks: the largest K ≤ `maxScale` whose distortion
    /// (`realDistortionMs` × K) is at most `autoShare` of `tightest` seconds, rounded down to two
    /// significant digits, and at least 1 (below that a live run is slower than real time; the
    /// reason then says the tolerance is too tight for this machine). No timing expectation:
    /// `defaultAutoScale` (at most `maxScale`).
    public static func autoScale(tightest: Double?, realDistortionMs: Double, maxScale: Double) -> (scale: Double, reason: String) {
        let ms = String(format: "%.3f", realDistortionMs)
        guard let tightest else {
            let k = min(defaultAutoScale, maxScale)
            return (k, "no timing expectation: the default ×\(format(k)) (calibration distortion \(ms) ms real)")
        }
        guard realDistortionMs > 0 else {
            return (maxScale, "no measurable distortion in the calibration: the largest scale ×\(format(maxScale))")
        }
        let budget = autoShare * tightest
        let raw = budget / (realDistortionMs / 1000)
        let k = min(maxScale, floorTwoDigits(raw))
        if k < 1 {
            return (
                1,
                "×1: even in real time the calibration distortion \(ms) ms is more than 10% of the tightest timing tolerance \(format(tightest))s; loosen it or expect untrustworthy verdicts"
            )
        }
        let capped = k == maxScale && raw > maxScale ? " (capped at the largest allowed scale)" : ""
        return (
            k,
            "×\(format(k)): calibration distortion \(ms) ms real (lag p99 + overhead p99) × K stays within 10% of the tightest timing tolerance \(format(tightest))s\(capped)"
        )
    }

    /// The scenario's peak submission rate, tasks per scenario second: the arrival schedule's peak
    /// with its duplicates (what a live run must send at ×1).
    public static func peakSubmissionRate(_ s: Scenario) -> Double {
        s.load.arrival.peakRate * (1 + (s.load.duplicates?.rate ?? 0))
    }

    /// The largest scale `--time-scale auto` may choose for `s`: `maxScale`, and no more than a
    /// sender of `maxRealRate` tasks per real second can honour at the scenario's peak rate.
    public static func scaleCap(_ s: Scenario, maxScale: Double, maxRealRate: Double) -> Double {
        let peak = peakSubmissionRate(s)
        return peak > 0 ? min(maxScale, maxRealRate / peak) : maxScale
    }

    /// `x` rounded down to two significant digits (216.6 → 210, 0.347 → 0.34).
    public static func floorTwoDigits(_ x: Double) -> Double {
        guard x > 0, x.isFinite else { return x.isFinite ? 0 : x }
        let magnitude = pow(10, floor(log10(x)) - 1)
        return floor(x / magnitude + 1e-9) * magnitude
    }

    /// A scale or a number of seconds, compactly (`1440`, `0.34`).
    public static func format(_ x: Double) -> String {
        if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        return String(format: "%.3g", x)
    }

    /// Marks every timing verdict of `result` whose margin the run's distortion reaches as
    /// untrustworthy: a pass becomes a fail, a failing verdict keeps failing; both get the note.
    /// Does nothing without `result.fidelity` (simulator runs: exact virtual time). Verdicts are
    /// matched to `scenario.expectations` by position (the evaluator keeps the order).
    public static func apply(_ scenario: Scenario, _ result: inout ScenarioResult) {
        guard var fidelity = result.fidelity else { return }
        let k = fidelity.timeScale
        let d = fidelity.distortionSeconds
        var count = 0
        for (i, e) in scenario.expectations.enumerated() where i < result.expectations.count {
            guard let bound = timingBound(e) else { continue }
            var v = result.expectations[i]
            guard v.status != .noEvidence, let margin = bound.margin(observed: v.value) else { continue }
            guard untrustworthy(distortion: d, margin: margin) else { continue }
            v.untrustworthy = true
            if v.status == .pass { v.status = .fail }
            let advice: String
            if let safe = safeScale(realDistortionMs: fidelity.realDistortionMs, margin: margin), safe > 0 {
                advice = "rerun at --time-scale ≤ \(format(safe))"
            } else {
                advice = "the margin is too small to measure live"
            }
            let note =
                "untrustworthy at ×\(format(k)): distortion \(DurationFormat.short(.seconds(d))) exceeds margin \(DurationFormat.short(.seconds(margin))); \(advice)"
            v.detail = v.detail.isEmpty ? note : v.detail + "; " + note
            result.expectations[i] = v
            count += 1
        }
        fidelity.untrustworthy = count
        result.fidelity = fidelity
    }
}
