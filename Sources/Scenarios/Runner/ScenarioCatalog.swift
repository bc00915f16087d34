import Foundation
import YAMLConfig

/// The bundled scenario catalog (`Catalog/*.yaml`, shipped as resources).
public enum ScenarioCatalog {
    /// One bundled scenario.
    public struct Entry: Sendable, Hashable {
        /// The name (`squall run NAME`), the file name without `.yaml`.
        public var name: String
        /// The file's location.
        public var url: URL
    }

    /// The catalog directory inside the resource bundle.
    public static var directory: URL? {
        Bundle.module.url(forResource: "Catalog", withExtension: nil)
    }

    /// Every bundled scenario, by name.
    public static var entries: [Entry] {
        guard let dir = directory,
            let files = try? FileManager.default.contentsOfDirectory(at: dir, includingPropertiesForKeys: nil)
        else { return [] }
        return files.filter { $0.pathExtension == "yaml" }.map {
            Entry(name: $0.deletingPathExtension().lastPathComponent, url: $0)
        }.sorted { $0.name < $1.name }
    }

    /// Names of the bundled scenarios.
    public static var names: [String] { entries.map(\.name) }

    /// Loads the bundled scenario `name`.
    public static func load(_ name: String) throws(ConfigError) -> Scenario {
        guard let entry = entries.first(where: { $0.name == name }) else {
            throw ConfigError(
                file: name, line: 0, column: 0, path: "",
                message: "no such file and no bundled scenario named '\(name)'; bundled: \(names.joined(separator: ", "))",
                suggestion: closestMatch(to: name, in: names))
        }
        var s = try ScenarioLoader.load(path: entry.url.path)
        s.source = "catalog:\(name)"
        return s
    }

    /// Loads a file path if it exists, else the bundled scenario of that name.
    public static func resolve(_ argument: String) throws(ConfigError) -> Scenario {
        if FileManager.default.fileExists(atPath: argument) { return try ScenarioLoader.load(path: argument) }
        return try load(argument)
    }
}
