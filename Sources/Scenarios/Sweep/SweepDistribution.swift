import Foundation

/// A distribution a parameter is drawn from under random or Latin-hypercube sampling. Every form
/// maps a unit value `u` in [0, 1) to a value (its inverse CDF), so random sampling draws `u`
/// uniformly and Latin-hypercube sampling draws it from one stratum per configuration.
public enum SweepDistribution: Sendable, Hashable {
    /// `uniform(a,b)`: uniform between two numbers, durations or percentages.
    case uniform(SweepQuantity, SweepQuantity)
    /// `loguniform(a,b)`: uniform in the logarithm, for scales (`loguniform(100ms,30s)`); a > 0.
    case logUniform(SweepQuantity, SweepQuantity)
    /// `int(a,b)`: a whole number from a to b inclusive, each equally likely.
    case integer(Int, Int)
    /// `choice(x,y,…)`: one of the words or values, each equally likely.
    case choice([String])

    /// The value at unit `u` (0 ≤ u < 1), as scenario text.
    public func value(at u: Double) -> String {
        let u = min(max(u, 0), 1.0.nextDown)
        switch self {
        case .uniform(let a, let b):
            return SweepQuantity.format(a.value + (b.value - a.value) * u, a.kind == .integer ? .number : a.kind)
        case .logUniform(let a, let b):
            let v = exp(log(a.value) + (log(b.value) - log(a.value)) * u)
            return SweepQuantity.format(v, a.kind == .integer ? .number : a.kind)
        case .integer(let a, let b):
            return String(a + min(b - a, Int(Double(b - a + 1) * u)))
        case .choice(let items):
            return items[min(items.count - 1, Int(Double(items.count) * u))]
        }
    }

    /// Values worth checking against the loader before anything runs: both ends and the middle,
    /// or every choice.
    public var probes: [String] {
        switch self {
        case .choice(let items): return items
        default: return [value(at: 0), value(at: 0.5), value(at: 1)]
        }
    }

    /// How it is written.
    public var text: String {
        switch self {
        case .uniform(let a, let b): return "uniform(\(a.text),\(b.text))"
        case .logUniform(let a, let b): return "loguniform(\(a.text),\(b.text))"
        case .integer(let a, let b): return "int(\(a),\(b))"
        case .choice(let items): return "choice(\(items.joined(separator: ",")))"
        }
    }

    /// The distribution names, as written.
    public static let names = ["uniform", "loguniform", "int", "choice"]
}
