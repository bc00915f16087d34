/// Where a swept value goes in a scenario: a dotted path with list indices, as the loader names
/// fields in its errors (`stack.retry.attempts`, `llm.faults[2].rate`, indices from 0).
///
/// A sweep may vary any scalar under `stack:`, the load's rate (`load.tasks_per_day` or
/// `load.rate`) and fault rates (`llm.faults[N].rate`).
public struct ParameterPath: Sendable, Hashable, CustomStringConvertible {
    /// One step of a path.
    public enum Component: Sendable, Hashable {
        /// A mapping key.
        case key(String)
        /// A list index (from 0).
        case index(Int)
    }

    /// The steps from the scenario's root.
    public var components: [Component]

    /// Creates a path.
    public init(_ components: [Component]) { self.components = components }

    /// The path as written: `stack.retry.attempts`, `llm.faults[2].rate`.
    public var description: String {
        var out = ""
        for c in components {
            switch c {
            case .key(let k): out += out.isEmpty ? k : "." + k
            case .index(let i): out += "[\(i)]"
            }
        }
        return out
    }

    /// What a sweep may vary, for error messages.
    public static let scope =
        "a scalar under stack: (e.g. stack.retry.attempts, stack.breaker.recovery_timeout), load.tasks_per_day, load.rate or llm.faults[N].rate"

    /// Parses `a.b[2].c`; the error says what is wrong.
    public static func parse(_ text: String) throws(SweepValuesError) -> ParameterPath {
        let s = text.trimmingCharacters(in: .whitespaces)
        guard !s.isEmpty else { throw SweepValuesError("no path given; expected \(scope)") }
        var components: [Component] = []
        for part in s.split(separator: ".", omittingEmptySubsequences: false) {
            var rest = Substring(part)
            guard let name = rest.split(separator: "[", maxSplits: 1, omittingEmptySubsequences: false).first, !name.isEmpty else {
                throw SweepValuesError("'\(s)' is not a path: each step is a key, e.g. stack.retry.attempts or llm.faults[2].rate")
            }
            guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "*" }) else {
                throw SweepValuesError("'\(s)' is not a path: '\(name)' is not a key")
            }
            components.append(.key(String(name)))
            rest = rest.dropFirst(name.count)
            while !rest.isEmpty {
                guard rest.first == "[", let close = rest.firstIndex(of: "]"),
                    let i = Int(rest[rest.index(after: rest.startIndex)..<close]), i >= 0
                else {
                    throw SweepValuesError("'\(s)' is not a path: list indices are written [0], [1], …")
                }
                components.append(.index(i))
                rest = rest[rest.index(after: close)...]
            }
        }
        let path = ParameterPath(components)
        guard path.inScope else { throw SweepValuesError("cannot vary '\(s)': a sweep varies \(scope)") }
        return path
    }

    /// Whether a sweep may vary this path.
    public var inScope: Bool {
        guard case .key(let root)? = components.first else { return false }
        switch root {
        case "stack":
            return components.count >= 2
        case "load":
            return components == [.key("load"), .key("tasks_per_day")] || components == [.key("load"), .key("rate")]
        case "llm":
            guard components.count == 4, components[1] == .key("faults"), components[3] == .key("rate"),
                case .index = components[2]
            else { return false }
            return true
        default:
            return false
        }
    }
}
