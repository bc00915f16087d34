import ArgumentParser
import Foundation
import LoadGen
import Reporting
import Scenarios

/// `squall merge PARTS… --out DIR`: puts the parts of a sharded command together (issue #13),
/// checks that they belong together, and writes the report the unsharded command writes; the exit
/// code is the verdict, as it would have been unsharded.
struct MergeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Put the parts of a sharded command together and write its report (the exit code is the verdict).",
        discussion: """
            Each argument is a part directory (part-I-of-N) written by a command run with --shard I/N or --shards N, \
            e.g. `squall merge OUT/part-*-of-4 --out Reports`. The parts must come from one sharded command (same \
            command, inputs and shard count) and every shard must be given exactly once; a part without its \
            manifest (a shard that did not finish) is refused. Today: squall audit (writes OUT/audit/), squall sweep \
            (writes OUT/sweep/<scenario>/) and squall run in sim or live mode (writes OUT/<scenario>/, the report set of the unsharded run). Exit 0 when the merged verdict holds (a sweep: a configuration passes), 1 when it does not, 2 when the parts are wrong (the message names the part), \
            3 when the report cannot be written, 4 when a part was interrupted (report written, marked incomplete).
            """)

    @Argument(help: "The part directories (part-I-of-N) the shards wrote.")
    var parts: [String] = []

    @Option(help: "Directory the merged report is written under.")
    var out: String = "Reports"

    func run() async throws {
        let set: PartSet
        do { set = try PartSet.open(parts) } catch { throw UsageError(message: error.message) }
        switch set.command {
        case .audit: try writeAudit(set)
        case .sweep: try writeSweep(set)
        case .run, .liveRun: try writeRun(set)
        case .load: try writeLoad(set)
        }
    }

    func writeLoad(_ set: PartSet) throws {
        let merged: MergedLoad
        do { merged = try PartMerge.load(set) } catch { throw UsageError(message: error.message) }
        let dir = URL(fileURLWithPath: out, isDirectory: true).appendingPathComponent("load", isDirectory: true)
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let e = JSONEncoder()
            e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            try e.encode(merged.summary).write(to: dir.appendingPathComponent("load.json"), options: .atomic)
        } catch {
            throw RunFailure(message: "cannot write the merged load under \(dir.path): \(error)")
        }
        print("squall merge: \(set.parts.count) parts of squall load, \(set.total) originals scheduled; merged summary in \(dir.path)/load.json")
        print(merged.summary.render())
        if !merged.verdicts.isEmpty {
            print("expectations:")
            for v in merged.verdicts { print("  " + v.line) }
        }
        if set.incomplete {
            FileHandle.standardError.write(
                Data(("squall merge: incomplete: " + set.incompleteReasons.joined(separator: "; ") + "\n").utf8))
            throw ExitCode(InterruptedExit.code)
        }
        if merged.verdicts.contains(where: { !$0.passed }) {
            print("\(merged.verdicts.filter { !$0.passed }.count) of \(merged.verdicts.count) expectations failed")
            throw ExitCode(1)
        }
    }

    func writeRun(_ set: PartSet) throws {
        let name = set.inputs.scenarios.first.flatMap { try? ScenarioLoader.parse($0.text, file: $0.source).name } ?? "run"
        let staging: ReportStaging
        do { staging = try ReportStaging(root: URL(fileURLWithPath: out, isDirectory: true), scenario: name) } catch {
            throw RunFailure(message: "cannot write the report of \(name) under \(out): \(error)")
        }
        let tasksCSV = staging.url(for: ReportFiles.tasks)
        let result: ScenarioResult
        let live = set.inputs.run?.live
        do { result = try live == nil ? PartMerge.run(set, tasksCSV: tasksCSV) : PartMerge.liveRun(set, tasksCSV: tasksCSV) } catch {
            staging.abandon()
            throw UsageError(message: error.message)
        }
        let report: String
        do { report = try ReportOutput.write(result, into: staging, timeScale: live?.timeScale, tasksCSV: tasksCSV) } catch {
            throw RunFailure(message: "cannot write the report of \(name) under \(out): \(error)")
        }
        print(
            "squall merge: \(set.parts.count) parts of squall run \(name)\(live.map { " (live, run \($0.runID))" } ?? ""), "
                + "\(set.total) originals")
        print(ConsoleSummary.render(result, reportPath: report, verbose: true), terminator: "")
        for warning in result.llmLog?.warnings ?? [] {
            FileHandle.standardError.write(Data("squall merge: \(name): WARNING: \(warning)\n".utf8))
        }
        if set.incomplete {
            FileHandle.standardError.write(
                Data(("squall merge: incomplete: " + set.incompleteReasons.joined(separator: "; ") + "\n").utf8))
            throw ExitCode(InterruptedExit.code)
        }
        if result.incomplete {
            // Complete parts that do not add up to one run (a live shard that joined late: started again).
            FileHandle.standardError.write(Data("squall merge: incomplete: \(result.incompleteReason ?? "")\n".utf8))
            throw ExitCode(InterruptedExit.code)
        }
        if !result.passed { throw ExitCode(1) }
    }

    func writeSweep(_ set: PartSet) throws {
        let report: SweepReport
        do { report = try PartMerge.sweep(set) } catch { throw UsageError(message: error.message) }
        let dir: URL
        do {
            dir = try SweepFiles.write(report, root: URL(fileURLWithPath: out, isDirectory: true))
        } catch {
            throw RunFailure(message: "cannot write the sweep under \(out): \(error)")
        }
        print("squall merge: \(set.parts.count) parts of squall sweep, \(set.total) runs")
        print(SweepConsole.render(report, path: dir.appendingPathComponent(SweepFiles.markdown).path), terminator: "")
        if set.incomplete {
            FileHandle.standardError.write(
                Data(("squall merge: incomplete: " + set.incompleteReasons.joined(separator: "; ") + "\n").utf8))
            throw ExitCode(InterruptedExit.code)
        }
        if report.passing == 0 { throw ExitCode(1) }
    }

    func writeAudit(_ set: PartSet) throws {
        let report: AuditReport
        do { report = try PartMerge.audit(set) } catch { throw UsageError(message: error.message) }
        let dir: URL
        do {
            dir = try AuditFiles.write(report, root: URL(fileURLWithPath: out, isDirectory: true))
        } catch {
            throw RunFailure(message: "cannot write the audit under \(out): \(error)")
        }
        print(
            "squall merge: \(set.parts.count) parts of squall \(set.command.rawValue), \(set.total) runs", terminator: "\n")
        print(AuditConsole.render(report, path: dir.appendingPathComponent(AuditFiles.markdown).path), terminator: "")
        if set.incomplete {
            FileHandle.standardError.write(
                Data(("squall merge: incomplete: " + set.incompleteReasons.joined(separator: "; ") + "\n").utf8))
            throw ExitCode(InterruptedExit.code)
        }
        if !report.passed { throw ExitCode(1) }
    }
}
