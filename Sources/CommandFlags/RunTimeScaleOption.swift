import ArgumentParser
import Foundation

/// A `--time-scale` value of `squall run`: a number K, or `auto` (choose the largest scale whose
/// timing distortion stays within 10% of the tightest timing tolerance; see docs/live.md).
public enum TimeScaleChoice: Sendable, Hashable {
    /// A fixed scale.
    case fixed(Double)
    /// Chosen before each live run from a short calibration.
    case auto

    /// Parses `auto` or a number; the number is checked like `--time-scale` (0 < K ≤ `FlagLimits.maxTimeScale`).
    public static func parse(_ text: String) throws(FlagError) -> TimeScaleChoice {
        let t = text.trimmingCharacters(in: .whitespaces)
        if t.lowercased() == "auto" { return .auto }
        guard let k = Double(t) else {
            throw FlagError("--time-scale '\(text)': expected a number above 0 and at most \(Int(FlagLimits.maxTimeScale)), or auto")
        }
        return .fixed(try FlagCheck.timeScale(k))
    }
}

/// `squall run --time-scale K|auto`: scenario time runs K times faster than real time in live
/// runs; `auto` picks K per scenario from a calibration. Absent: the scenario's `time_scale:`, else 1.
public struct RunTimeScaleOption: ParsableArguments, Sendable {
    /// The text given, if any (checked by `choice`).
    @Option(
        name: .customLong("time-scale"), parsing: .unconditional,
        help: "Live time compression K (0 < K <= 10000), or auto: the largest K whose timing distortion stays within 10% of the tightest timing tolerance.")
    public var text: String?

    /// No flag given.
    public init() {}

    /// The value given, checked; nil when absent.
    public func choice() throws(FlagError) -> TimeScaleChoice? {
        try text.map { t throws(FlagError) in try TimeScaleChoice.parse(t) }
    }
}
