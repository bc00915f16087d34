import Foundation
import YAMLConfig

/// The values one swept parameter takes (the VALUES of `--vary PATH=VALUES`, or a value under
/// `sweep.vary`):
///
/// - a **list**: `none,full,equal`, `3,5,8`, `1s,2s,5s` (or a YAML list in a file);
/// - a **range with a step**: `2..8` (whole numbers step 1 unless given), `1s..10s/1s`,
///   `0.5..2/0.5`, `1%..5%/0.5%`;
/// - a **distribution** for random or Latin-hypercube sampling: `uniform(1s,10s)`,
///   `loguniform(100ms,30s)`, `int(2,8)`, `choice(none,full,equal)`.
///
/// Values are scenario text: each one is written into the scenario's YAML and decoded by the
/// normal loader, which refuses impossible values.
public enum SweepValues: Sendable, Hashable {
    /// Explicit values, in order.
    case list([String])
    /// `lower..upper/step`, enumerated.
    case range(lower: SweepQuantity, upper: SweepQuantity, step: SweepQuantity)
    /// A distribution (random and Latin-hypercube sampling only).
    case distribution(SweepDistribution)

    /// The most values a list or range may give.
    public static let maxValues = 1000

    /// The finite values (lists and ranges); nil for a distribution.
    public var values: [String]? {
        switch self {
        case .list(let items): return items
        case .range(let lower, let upper, let step):
            let n = Self.rangeCount(lower.value, upper.value, step.value)
            let kind = SweepQuantity.common(SweepQuantity.common(lower.kind, upper.kind) ?? lower.kind, step.kind) ?? lower.kind
            return (0..<n).map { i in SweepQuantity.format(lower.value + Double(i) * step.value, kind) }
        case .distribution: return nil
        }
    }

    /// The value at unit `u` (0 ≤ u < 1) under random or Latin-hypercube sampling: a list or range
    /// is a choice among its values, each equally likely.
    public func value(at u: Double) -> String {
        switch self {
        case .distribution(let d): return d.value(at: u)
        default:
            let items = values ?? []
            let u = min(max(u, 0), 1.0.nextDown)
            return items[min(items.count - 1, Int(Double(items.count) * u))]
        }
    }

    /// Values to check against the loader before anything runs.
    public var probes: [String] {
        switch self {
        case .distribution(let d): return d.probes
        default: return values ?? []
        }
    }

    /// Whether the values are words rather than numbers (charts then use categories).
    public var isCategorical: Bool {
        switch self {
        case .list(let items): return items.contains { SweepQuantity.parse($0) == nil }
        case .range: return false
        case .distribution(.choice(let items)): return items.contains { SweepQuantity.parse($0) == nil }
        case .distribution: return false
        }
    }

    /// How the values are written.
    public var text: String {
        switch self {
        case .list(let items): return items.joined(separator: ",")
        case .range(let lower, let upper, let step): return "\(lower.text)..\(upper.text)/\(step.text)"
        case .distribution(let d): return d.text
        }
    }

    static func rangeCount(_ lower: Double, _ upper: Double, _ step: Double) -> Int {
        Int(((upper - lower) / step + 1e-9).rounded(.down)) + 1
    }

    /// What valid VALUES look like, for error messages.
    public static let validForms =
        "a list (none,full,equal or 3,5,8), a range with a step (2..8, 1s..10s/1s, 0.5..2/0.5) or a distribution "
        + "(uniform(1s,10s), loguniform(100ms,30s), int(2,8), choice(none,full,equal))"

    /// Parses VALUES; the error says what is wrong (the caller adds where: a flag or file:line:column).
    public static func parse(_ text: String) throws(SweepValuesError) -> SweepValues {
        let s = text.trimmingCharacters(in: .whitespaces)
        guard !s.isEmpty else { throw SweepValuesError("no values given; expected \(validForms)") }
        if let open = s.firstIndex(of: "("), s.hasSuffix(")") {
            let name = s[..<open].trimmingCharacters(in: .whitespaces).lowercased()
            let inner = String(s[s.index(after: open)..<s.index(before: s.endIndex)])
            return .distribution(try distribution(name, arguments: inner, text: s))
        }
        if s.contains("(") || s.contains(")") {
            throw SweepValuesError("'\(s)' is not valid: a distribution is written name(a,b), e.g. uniform(1s,10s); expected \(validForms)")
        }
        if !s.contains(","), let dots = s.range(of: "..") {
            return try range(String(s[..<dots.lowerBound]), String(s[dots.upperBound...]), text: s)
        }
        return .list(try list(s.split(separator: ",", omittingEmptySubsequences: false).map(String.init), text: s))
    }

    /// Checks a list's items (non-empty, not repeated, at most `maxValues`).
    public static func list(_ raw: [String], text: String) throws(SweepValuesError) -> [String] {
        var items: [String] = []
        for r in raw {
            let item = r.trimmingCharacters(in: .whitespaces)
            guard !item.isEmpty else { throw SweepValuesError("'\(text)' has an empty value; separate values with single commas") }
            guard !items.contains(item) else { throw SweepValuesError("'\(item)' is listed twice in '\(text)'") }
            items.append(item)
        }
        guard items.count <= maxValues else {
            throw SweepValuesError("'\(text)' has \(items.count) values; at most \(maxValues)")
        }
        return items
    }

    static func range(_ a: String, _ rest: String, text: String) throws(SweepValuesError) -> SweepValues {
        let parts = rest.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let b = parts[0]
        func quantity(_ t: String, _ role: String) throws(SweepValuesError) -> SweepQuantity {
            guard let q = SweepQuantity.parse(t) else {
                throw SweepValuesError(
                    "'\(text)': the \(role) '\(t.trimmingCharacters(in: .whitespaces))' is not a number, duration or percentage; a range is written 2..8, 1s..10s/1s or 0.5..2/0.5"
                )
            }
            return q
        }
        let lower = try quantity(a, "start")
        let upper = try quantity(b, "end")
        guard let kind = SweepQuantity.common(lower.kind, upper.kind) else {
            throw SweepValuesError(
                "'\(text)': the start is \(lower.kind.named) and the end \(upper.kind.named); both ends must be the same kind")
        }
        guard lower.value <= upper.value else {
            throw SweepValuesError("'\(text)': the start \(lower.text) is above the end \(upper.text)")
        }
        let step: SweepQuantity
        if parts.count == 2 {
            step = try quantity(parts[1], "step")
            guard SweepQuantity.common(kind, step.kind) != nil else {
                throw SweepValuesError("'\(text)': the step is \(step.kind.named) but the range holds \(kind.plural)")
            }
            guard step.value > 0 else { throw SweepValuesError("'\(text)': the step must be above zero") }
        } else {
            guard kind == .integer else {
                throw SweepValuesError(
                    "'\(text)': give a step for a range of \(kind.plural), e.g. \(lower.text)..\(upper.text)/\(SweepQuantity.format((upper.value - lower.value) / 4, kind)); only whole numbers default to a step of 1"
                )
            }
            step = SweepQuantity(1, .integer)
        }
        let count = rangeCount(lower.value, upper.value, step.value)
        guard count <= maxValues else {
            throw SweepValuesError(
                "'\(text)' gives \(count) values; at most \(maxValues) (use a larger step, or a distribution with random or lhs sampling)")
        }
        return .range(lower: lower, upper: upper, step: step)
    }

    static func distribution(_ name: String, arguments: String, text: String) throws(SweepValuesError) -> SweepDistribution {
        let args = arguments.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        func two() throws(SweepValuesError) -> (SweepQuantity, SweepQuantity) {
            guard args.count == 2 else {
                throw SweepValuesError("'\(text)': \(name) takes two bounds, e.g. \(name)(1s,10s)")
            }
            guard let a = SweepQuantity.parse(args[0]), let b = SweepQuantity.parse(args[1]) else {
                throw SweepValuesError("'\(text)': \(name)'s bounds must be numbers, durations or percentages, e.g. \(name)(1s,10s)")
            }
            guard SweepQuantity.common(a.kind, b.kind) != nil else {
                throw SweepValuesError("'\(text)': the bounds are \(a.kind.named) and \(b.kind.named); both must be the same kind")
            }
            guard a.value < b.value else { throw SweepValuesError("'\(text)': the lower bound must be below the upper bound") }
            return (a, b)
        }
        switch name {
        case "uniform":
            let (a, b) = try two()
            return .uniform(a, b)
        case "loguniform":
            let (a, b) = try two()
            guard a.value > 0 else { throw SweepValuesError("'\(text)': loguniform needs a lower bound above zero") }
            return .logUniform(a, b)
        case "int":
            guard args.count == 2, let a = Int(args[0]), let b = Int(args[1]) else {
                throw SweepValuesError("'\(text)': int takes two whole numbers, e.g. int(2,8)")
            }
            guard a <= b else { throw SweepValuesError("'\(text)': the lower bound must not exceed the upper bound") }
            return .integer(a, b)
        case "choice":
            return .choice(try list(args, text: text))
        default:
            var message = "'\(text)': unknown distribution '\(name)'; expected one of \(SweepDistribution.names.joined(separator: ", "))"
            if let near = closestMatch(to: name, in: SweepDistribution.names) { message += " (did you mean '\(near)'?)" }
            throw SweepValuesError(message)
        }
    }
}

/// VALUES that do not parse: what is wrong and what would be valid (the caller adds the place).
public struct SweepValuesError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The message.
    public var message: String
    /// Creates an error.
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
