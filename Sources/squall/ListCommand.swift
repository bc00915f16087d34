import ArgumentParser
import Scenarios

/// `squall list`: the bundled scenario catalog, one line each.
struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the bundled scenarios.")

    func run() throws {
        let entries = ScenarioCatalog.entries
        let width = entries.map(\.name.count).max() ?? 0
        for entry in entries {
            let description: String
            do {
                description = try ScenarioLoader.load(path: entry.url.path).description
            } catch {
                description = "(invalid: \(error))"
            }
            print(entry.name.padding(toLength: width + 2, withPad: " ", startingAt: 0) + description)
        }
        print("\nRun one with `squall run NAME`, or all with `squall run --catalog`.")
    }
}
