import ArgumentParser
import Scenarios

/// `squall list`: the bundled scenario catalog, one line each (`--names` for bare names, `--mode`
/// to keep the scenarios that run in that mode).
struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the bundled scenarios.")

    @Flag(help: "Print only the names, one per line (for scripts).")
    var names = false

    @Option(help: "Only scenarios whose 'mode:' is sim or live.")
    var mode: RunMode?

    func run() throws {
        print(CatalogListing.render(names: names, mode: mode), terminator: "")
    }
}

extension RunMode: ExpressibleByArgument {}

/// What `squall list` prints.
enum CatalogListing {
    static func render(names: Bool, mode: RunMode?) -> String {
        var rows: [(name: String, description: String)] = []
        for entry in ScenarioCatalog.entries {
            do {
                let s = try ScenarioLoader.load(path: entry.url.path)
                if let mode, s.mode != mode { continue }
                rows.append((entry.name, s.description))
            } catch {
                if mode != nil { continue }
                rows.append((entry.name, "(invalid: \(error))"))
            }
        }
        if names { return rows.map { $0.name + "\n" }.joined() }
        let width = rows.map(\.name.count).max() ?? 0
        var out = ""
        for row in rows { out += row.name.padding(toLength: width + 2, withPad: " ", startingAt: 0) + row.description + "\n" }
        return out + "\nRun one with `squall run NAME`, or all with `squall run --catalog`.\n"
    }

}
