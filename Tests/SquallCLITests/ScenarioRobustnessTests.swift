import Foundation
import Scenarios
import Testing
import YAMLConfig

/// The robustness suite for scenario files: every generated malformed file is refused with a
/// `ConfigError` naming the file (and line:column and field where there is a node), never a crash
/// or a hang; through the binary, `squall validate` exits 2 under a 1 GiB address-space limit.
@Suite struct ScenarioRobustnessTests {
    /// Writes the case into `dir` as `<category>-<label>.yaml`.
    static func file(_ c: MalformedScenarios.Case, in dir: URL) throws -> URL {
        let name = (c.category + "-" + c.label).map { $0.isLetter || $0.isNumber ? $0 : "-" }
        let url = dir.appendingPathComponent(String(name) + ".yaml")
        try Data(c.bytes).write(to: url)
        return url
    }

    @Test(.timeLimit(.minutes(1)), arguments: MalformedScenarios.all)
    func everyMalformedFileIsRefusedNamingThePlace(_ c: MalformedScenarios.Case) throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = try Self.file(c, in: dir)
        do {
            let s = try ScenarioLoader.load(path: url.path)
            Issue.record("\(c) was accepted as scenario '\(s.name)'")
        } catch {
            let text = error.description
            #expect(text.hasPrefix(url.path), "\(c): \(text)")
            if c.located { #expect(error.line > 0 && error.column > 0, "\(c) has no line:column: \(text)") }
            for fragment in c.mustSay { #expect(text.contains(fragment), "\(c): '\(fragment)' missing from: \(text)") }
            #expect(text.utf8.count < 2000, "\(c): the message should not echo the input: \(text.prefix(200))…")
        }
    }

    @Test func everyCategoryIsCovered() {
        let categories = Set(MalformedScenarios.all.map(\.category))
        #expect(categories == ["syntax", "types", "sizes", "aliases", "durations", "rates", "percentages", "names", "keys"])
        #expect(MalformedScenarios.all.count >= 40)
    }

    /// The worst inputs through the binary: exit 2 with the place named, in bounded time, and
    /// within a 1 GiB address space (the alias case allocated 3.5 GB and aborted before).
    @Test(.timeLimit(.minutes(2)))
    func validateExitsTwoWithinAMemoryBoundForTheWorstInputs() async throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let worst = MalformedScenarios.all.filter { ["sizes", "aliases", "names"].contains($0.category) }
        for c in worst {
            let url = try Self.file(c, in: dir)
            let child = try ChildProcess(
                ["-c", "ulimit -v 1048576 && exec \"$0\" validate \"$1\"", ChildProcess.binary.path, url.path], in: dir,
                executable: URL(fileURLWithPath: "/bin/bash"))
            let code = await child.exitCode(limit: .seconds(60))
            #expect(code == 2, "\(c): exit \(code), stderr: \(child.stderr.prefix(300))")
            #expect(child.stderr.contains(url.path), "\(c): \(child.stderr.prefix(300))")
        }
    }
}
