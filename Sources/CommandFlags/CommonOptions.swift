import ArgumentParser
import Logging

/// `--time-scale K`, shared by `squall run`, `load` and `serve`: scenario time runs K times faster
/// than real time. Absent, each command uses its own default (`run`: the scenario's `time_scale:`,
/// else 1; `load` and `serve`: 1).
public struct TimeScaleOption: ParsableArguments, Sendable {
    /// The value given, if any.
    @Option(
        name: .customLong("time-scale"), parsing: .unconditional,
        help: "Time compression K: scenario durations are divided by K in real time (0 < K <= 10000).")
    public var timeScale: Double?

    /// No flag given.
    public init() {}

    /// The given scale checked (finite, above 0, at most `FlagLimits.maxTimeScale`), or `fallback`.
    public func value(default fallback: Double = 1) throws(FlagError) -> Double {
        guard let timeScale else { return fallback }
        return try FlagCheck.timeScale(timeScale)
    }
}

/// `--log-level`, shared by `squall load` and `serve`; absent, each command's own default.
public struct LogLevelOption: ParsableArguments, Sendable {
    /// The level given, if any.
    @Option(name: .customLong("log-level"), help: "Log level on stderr: trace, debug, info, notice, warning, error, critical.")
    public var logLevel: String?

    /// No flag given.
    public init() {}

    /// The given level, or `fallback`.
    public func value(default fallback: Logger.Level) throws(FlagError) -> Logger.Level {
        guard let logLevel else { return fallback }
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw FlagError("--log-level \(logLevel): expected trace, debug, info, notice, warning, error or critical")
        }
        return level
    }
}
