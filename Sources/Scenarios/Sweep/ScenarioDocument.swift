import Foundation
import YAMLConfig

/// A scenario together with its YAML document, for commands that derive configurations from the
/// file (`squall sweep`, `squall plan`): a path if the file exists, else a bundled scenario's name.
public struct ScenarioDocument: Sendable {
    /// The parsed document.
    public let node: ConfigNode
    /// The scenario it decodes to.
    public let scenario: Scenario

    /// Loads `argument` strictly (errors name file:line:column); a scenario without expectations is bad input.
    public static func load(_ argument: String) throws(ConfigError) -> ScenarioDocument {
        let path: String
        let source: String
        if FileManager.default.fileExists(atPath: argument) {
            path = argument
            source = argument
        } else {
            guard let entry = ScenarioCatalog.entries.first(where: { $0.name == argument }) else {
                _ = try ScenarioCatalog.load(argument)  // throws the catalog's "no such file" error
                throw ConfigError(file: argument, line: 0, column: 0, path: "", message: "no such scenario")
            }
            path = entry.url.path
            source = "catalog:\(argument)"
        }
        let node = try ConfigNode.load(path: path)
        var scenario = try ScenarioLoader.decode(node)
        scenario.source = source
        try ExpectationPresence.require(scenario)
        return ScenarioDocument(node: node, scenario: scenario)
    }

    /// Parses scenario `text` recorded from `source` (a path or `catalog:NAME`; errors name it), as
    /// `squall merge` does with the text a shard's part recorded.
    public static func parse(_ text: String, source: String) throws(ConfigError) -> ScenarioDocument {
        let node = try ConfigNode.parse(text, file: source)
        var scenario = try ScenarioLoader.decode(node)
        scenario.source = source
        try ExpectationPresence.require(scenario)
        return ScenarioDocument(node: node, scenario: scenario)
    }
}
