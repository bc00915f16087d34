import YAMLConfig

/// Decodes `guards:`, the planted defects (`Mutant` names) a scenario claims to catch.
enum GuardsDecoding {
    static func decode(_ node: ConfigNode, scenario: Scenario) throws(ConfigError) -> [Mutant] {
        var out: [Mutant] = []
        for item in try node.sequence() {
            let name = try item.string()
            guard let m = Mutant(rawValue: name) else {
                throw item.error(
                    "unknown defect '\(name)'; valid: \(Mutant.names.joined(separator: ", "))",
                    suggestion: closestMatch(to: name, in: Mutant.names))
            }
            guard !out.contains(m) else { throw item.error("'\(name)' is listed twice") }
            if case .notApplicable(let why) = m.apply(to: scenario) {
                throw item.error("'\(name)' cannot be guarded by this scenario: \(why), so the defect cannot be planted")
            }
            out.append(m)
        }
        return out
    }
}
