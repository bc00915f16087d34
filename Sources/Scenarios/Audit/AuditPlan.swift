import Foundation
import YAMLConfig

/// Which mutants an audit plants (a scenario's `guards:` are always planted too, so its bar can be judged).
public enum MutantSelection: Sendable, Hashable {
    /// Every mutant (those that do not apply to a stack are reported as not applicable).
    case all
    /// Only the scenario's own `guards:`.
    case listed
    /// These, plus the scenario's guards.
    case named([Mutant])

    /// Parses `all`, `listed` or a comma-separated list of mutant names (the `--mutants` flag);
    /// an unknown name is an error naming it, with the valid names and a "did you mean".
    public static func parse(_ text: String, label: String = "--mutants") throws(ConfigError) -> MutantSelection {
        let t = text.trimmingCharacters(in: .whitespaces)
        if t == "all" { return .all }
        if t == "listed" { return .listed }
        var out: [Mutant] = []
        for part in t.split(separator: ",", omittingEmptySubsequences: false) {
            let name = part.trimmingCharacters(in: .whitespaces)
            guard let m = Mutant(rawValue: name) else {
                throw ConfigError(
                    file: label, line: 0, column: 0, path: "",
                    message: "'\(name)' is not valid: expected all, listed or a comma-separated list of: \(Mutant.names.joined(separator: ", "))",
                    suggestion: closestMatch(to: name, in: Mutant.names + ["all", "listed"]))
            }
            if !out.contains(m) { out.append(m) }
        }
        return .named(out)
    }

    /// The mutants to plant in `scenario`, in declaration order.
    public func mutants(for scenario: Scenario) -> [Mutant] {
        switch self {
        case .all: return Mutant.allCases
        case .listed: return Mutant.allCases.filter { scenario.guards.contains($0) }
        case .named(let list): return Mutant.allCases.filter { list.contains($0) || scenario.guards.contains($0) }
        }
    }
}

/// What an audit runs and the bar it holds scenarios to.
public struct AuditPlan: Sendable, Hashable {
    /// Seeds 1…`seeds` of each scenario as written (false fails). Default 200.
    public var seeds: Int
    /// Seeds 1…`mutantSeeds` of each planted mutant (detection). Default 20; at most `seeds`.
    public var mutantSeeds: Int
    /// Which mutants to plant. Default all.
    public var mutants: MutantSelection
    /// The most false fails a scenario may have, as a share of its seeds (point estimate). Default
    /// 0.5%: at most 1 in 200.
    public var maxFalseFailRate: Double
    /// The least share of mutant seeds in which each guard must be caught. Default 95%.
    public var minDetection: Double
    /// Confidence of the exact (Clopper–Pearson) intervals reported. Default 95%.
    public var confidence: Double

    /// Creates a plan; see each field for its default.
    public init(
        seeds: Int = 200, mutantSeeds: Int = 20, mutants: MutantSelection = .all, maxFalseFailRate: Double = 0.005,
        minDetection: Double = 0.95, confidence: Double = 0.95
    ) {
        self.seeds = seeds
        self.mutantSeeds = mutantSeeds
        self.mutants = mutants
        self.maxFalseFailRate = maxFalseFailRate
        self.minDetection = minDetection
        self.confidence = confidence
    }
}
