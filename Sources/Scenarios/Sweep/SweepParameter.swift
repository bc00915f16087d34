import YAMLConfig

/// One swept parameter: where it goes, its values, and where it was given (for errors).
public struct SweepParameter: Sendable, Hashable {
    /// Where a parameter was given.
    public enum Source: Sendable, Hashable {
        /// `--vary PATH=VALUES` on the command line (the argument as given).
        case flag(String)
        /// A `sweep.vary` entry of a scenario file, at file:line:column.
        case file(file: String, line: Int, column: Int)
    }

    /// Where the values go.
    public var path: ParameterPath
    /// The values.
    public var values: SweepValues
    /// Where it was given.
    public var source: Source

    /// Creates a parameter.
    public init(path: ParameterPath, values: SweepValues, source: Source) {
        self.path = path
        self.values = values
        self.source = source
    }

    /// Parses `--vary PATH=VALUES`; the error names the flag.
    public static func parseFlag(_ argument: String) throws(ConfigError) -> SweepParameter {
        let label = "--vary \(argument)"
        guard let eq = argument.firstIndex(of: "=") else {
            throw ConfigError(
                file: label, line: 0, column: 0, path: "",
                message: "expected PATH=VALUES, e.g. --vary stack.retry.attempts=3,5,8 or --vary stack.retry.min=uniform(100ms,2s)")
        }
        let source = Source.flag(argument)
        do {
            let path = try ParameterPath.parse(String(argument[..<eq]))
            let values = try SweepValues.parse(String(argument[argument.index(after: eq)...]))
            return SweepParameter(path: path, values: values, source: source)
        } catch {
            throw ConfigError(file: label, line: 0, column: 0, path: "", message: error.message)
        }
    }

    /// An error about this parameter at its source: the flag (`--vary PATH=VALUES: …`) or the
    /// `sweep.vary` entry's file:line:column.
    public func error(_ message: String, suggestion: String? = nil, path fieldPath: String = "") -> ConfigError {
        switch source {
        case .flag(let argument):
            return ConfigError(file: "--vary \(argument)", line: 0, column: 0, path: fieldPath, message: message, suggestion: suggestion)
        case .file(let file, let line, let column):
            let subject = fieldPath.isEmpty ? path.description : fieldPath
            return ConfigError(
                file: file, line: line, column: column, path: "sweep.vary", message: "\(subject): \(message)", suggestion: suggestion)
        }
    }

    /// Short form for reports: `stack.retry.min = 500ms..4s/500ms`.
    public var label: String { "\(path) = \(values.text)" }
}
