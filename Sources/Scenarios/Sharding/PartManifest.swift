import Foundation
import Traffic

/// The manifest of a shard's partial result (`OUT/part-I-of-N/manifest.json`), the last file a shard
/// writes: a part without one is torn (the shard did not finish) and `squall merge` refuses it.
///
/// Format `squall-part`, version 1 (docs/scale-out.md describes it field by field). Every shard of
/// one sharded command writes the same `command`, `shard.count`, `runs.total` and `inputs`; the
/// merge checks that they agree and that every shard 0 ..< N is there exactly once.
public struct PartManifest: Sendable, Codable, Hashable {
    /// Always `squall-part`.
    public var format: String
    /// The format's version; this build reads and writes 1.
    public var version: Int
    /// The command that wrote the part.
    public var command: PartCommand
    /// Which shard this is.
    public var shard: Shard
    /// How many runs the whole command has, how many are this shard's, and how many it wrote.
    public var runs: PartRuns
    /// True when the shard stopped before writing all its runs (interrupted).
    public var incomplete: Bool
    /// Why, when incomplete.
    public var incompleteReason: String?
    /// Everything the merge needs to build the report, identical in every shard of the command.
    public var inputs: PartInputs
    /// The data files of the part, relative to its directory.
    public var files: [String]

    /// The value of `format`.
    public static let formatName = "squall-part"
    /// The version this build writes and reads.
    public static let currentVersion = 1
    /// The manifest's file name.
    public static let fileName = "manifest.json"
    /// The file of run summaries (one JSON object per line, in job order).
    public static let summariesFile = "summaries.jsonl"

    /// Creates a manifest of the current format and version.
    public init(
        command: PartCommand, shard: Shard, runs: PartRuns, incomplete: Bool, incompleteReason: String?, inputs: PartInputs,
        files: [String]
    ) {
        self.format = Self.formatName
        self.version = Self.currentVersion
        self.command = command
        self.shard = shard
        self.runs = runs
        self.incomplete = incomplete
        self.incompleteReason = incompleteReason
        self.inputs = inputs
        self.files = files
    }
}

/// The command a part came from.
public enum PartCommand: String, Sendable, Codable, Hashable {
    /// `squall audit`.
    case audit
    /// `squall sweep`.
    case sweep
    /// `squall run --mode sim`: one simulation's recorder state over the shard's slice of keys.
    case run
    /// `squall load`: the load summary of the shard's slice of the one arrival schedule.
    case load
    /// `squall run --mode live`: one live run's recorder state over the shard's slice of keys, plus
    /// its timing-fidelity tally and call-log summary (`LiveRunShard`).
    case liveRun = "live-run"
}

/// Run counts of a part. For a `run` part the work items are the schedule's originals (keys):
/// `total` keys submitted, `inShard` those `k % N == I`, `written` the same (the slice is recorded
/// whole, or the part is marked incomplete).
public struct PartRuns: Sendable, Codable, Hashable {
    /// Runs of the whole (unsharded) command.
    public var total: Int
    /// Runs that belong to this shard.
    public var inShard: Int
    /// Runs this shard wrote (`inShard` unless it was interrupted).
    public var written: Int

    /// Creates the counts.
    public init(total: Int, inShard: Int, written: Int) {
        self.total = total
        self.inShard = inShard
        self.written = written
    }
}

/// What a sharded command was asked to do, recorded in every part so the merge needs nothing else:
/// the scenarios' full text (so a merge on another machine, or with another build's catalog,
/// evaluates the same files) and the command's own settings.
public struct PartInputs: Sendable, Codable, Hashable {
    /// The scenarios, in the order given.
    public var scenarios: [PartScenario]
    /// `squall audit`'s settings.
    public var audit: AuditSettings?
    /// `squall sweep`'s settings.
    public var sweep: SweepSettings?
    /// `squall run`'s settings.
    public var run: RunPartSettings?
    /// `squall load`'s settings.
    public var load: LoadPartSettings?

    /// Creates the inputs.
    public init(
        scenarios: [PartScenario], audit: AuditSettings? = nil, sweep: SweepSettings? = nil, run: RunPartSettings? = nil,
        load: LoadPartSettings? = nil
    ) {
        self.scenarios = scenarios
        self.audit = audit
        self.sweep = sweep
        self.run = run
        self.load = load
    }

    /// Records `scenarios` with the text of the file (or bundled scenario) each was loaded from.
    public static func recording(_ scenarios: [Scenario]) throws(ShardPartError) -> [PartScenario] {
        var out: [PartScenario] = []
        for s in scenarios {
            let path: String
            if s.source.hasPrefix("catalog:") {
                let name = String(s.source.dropFirst("catalog:".count))
                guard let entry = ScenarioCatalog.entries.first(where: { $0.name == name }) else {
                    throw ShardPartError("bundled scenario '\(name)' not found")
                }
                path = entry.url.path
            } else {
                path = s.source
            }
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw ShardPartError("cannot read \(path) to record it in the part")
            }
            out.append(PartScenario(source: s.source, text: text))
        }
        return out
    }

    /// The scenarios, decoded again from their recorded text (errors name the recorded source).
    public func decodedScenarios() throws(ShardPartError) -> [Scenario] {
        var out: [Scenario] = []
        for s in scenarios {
            do { out.append(try ScenarioLoader.parse(s.text, file: s.source)) } catch {
                throw ShardPartError("the recorded scenario \(s.source) does not decode with this build: \(error)")
            }
        }
        return out
    }
}

/// One scenario of a sharded command: where it came from and its text.
public struct PartScenario: Sendable, Codable, Hashable {
    /// The file path, or `catalog:NAME` for a bundled scenario.
    public var source: String
    /// The YAML text.
    public var text: String

    /// Creates the record.
    public init(source: String, text: String) {
        self.source = source
        self.text = text
    }
}

/// `squall audit`'s settings, as given on its command line.
public struct AuditSettings: Sendable, Codable, Hashable {
    /// `--seeds`.
    public var seeds: Int
    /// `--mutant-seeds`.
    public var mutantSeeds: Int
    /// `--mutants`, as written.
    public var mutants: String

    /// Creates the settings.
    public init(seeds: Int, mutantSeeds: Int, mutants: String) {
        self.seeds = seeds
        self.mutantSeeds = mutantSeeds
        self.mutants = mutants
    }

    /// The audit plan these settings make.
    public func plan() throws(ShardPartError) -> AuditPlan {
        do {
            return AuditPlan(seeds: seeds, mutantSeeds: mutantSeeds, mutants: try MutantSelection.parse(mutants))
        } catch {
            throw ShardPartError("the recorded --mutants '\(mutants)' is not valid in this build: \(error)")
        }
    }
}

/// `squall sweep`'s settings, as given on its command line (the scenario's own `sweep:` section is
/// in its recorded text).
public struct SweepSettings: Sendable, Codable, Hashable {
    /// `--vary`, each as written.
    public var vary: [String]
    /// `--sampling`.
    public var sampling: String?
    /// `--samples`.
    public var samples: Int?
    /// `--seeds`.
    public var seeds: Int?

    /// Creates the settings.
    public init(vary: [String], sampling: String?, samples: Int?, seeds: Int?) {
        self.vary = vary
        self.sampling = sampling
        self.samples = samples
        self.seeds = seeds
    }

    /// The sweep these settings make of `document`.
    public func plan(_ document: ScenarioDocument) throws(ShardPartError) -> SweepPlan {
        var parameters: [SweepParameter] = []
        for v in vary {
            do { parameters.append(try SweepParameter.parseFlag(v)) } catch {
                throw ShardPartError("the recorded --vary '\(v)' is not valid in this build: \(error)")
            }
        }
        var mode: SweepSampling?
        if let sampling {
            guard let m = SweepSampling(rawValue: sampling) else {
                throw ShardPartError("the recorded --sampling '\(sampling)' is not valid in this build")
            }
            mode = m
        }
        do {
            return try SweepPlan.build(
                document: document.node, base: document.scenario,
                overrides: SweepOverrides(parameters: parameters, sampling: mode, samples: samples, seeds: seeds))
        } catch {
            throw ShardPartError("the recorded sweep does not build with this squall: \(error)")
        }
    }
}

/// `squall run --shard`'s settings: the seed every shard simulated (the scenario's, or `--seed`).
public struct RunPartSettings: Sendable, Codable, Hashable {
    /// The seed.
    public var seed: UInt64
    /// A live run's settings (`live-run` parts); nil for a simulated run.
    public var live: LiveRunSettings?
    /// Creates the settings.
    public init(seed: UInt64, live: LiveRunSettings? = nil) {
        self.seed = seed
        self.live = live
    }
}

/// What every shard of one sharded live run must share (the merge refuses parts that differ), and
/// what the merge needs to rebuild the run's recorder: the run id, the time scale, whether the
/// target was a task service (`--target-url`) and whether prompts were tagged.
public struct LiveRunSettings: Sendable, Codable, Hashable {
    /// The run id every shard used (attribution tags, idempotency keys, the mock's run).
    public var runID: String
    /// The time scale.
    public var timeScale: Double
    /// True when the shards drove a task service (`--target-url`), false for the in-process stack.
    public var service: Bool
    /// Whether prompts carried the attribution tag.
    public var tagging: Bool
    /// Creates the settings.
    public init(runID: String, timeScale: Double, service: Bool, tagging: Bool) {
        self.runID = runID
        self.timeScale = timeScale
        self.service = service
        self.tagging = tagging
    }
}

/// `squall load --shard`'s settings: its command line without the flags that may differ per shard
/// (`--shard`, `--shards`, `--out`, `--csv`, `--log-level`), so parts of one load agree, and the
/// `--expect` thresholds the merge evaluates.
public struct LoadPartSettings: Sendable, Codable, Hashable {
    /// The arguments after `squall load`, without the per-shard flags.
    public var arguments: [String]
    /// `--expect`, each as written.
    public var expect: [String]
    /// Creates the settings.
    public init(arguments: [String], expect: [String]) {
        self.arguments = arguments
        self.expect = expect
    }

    /// The flags (with their values) that may differ between the shards of one load.
    public static let perShardFlags: Set<String> = ["--shard", "--shards", "--out", "--csv", "--log-level"]

    /// `arguments` without the per-shard flags (`--flag value` and `--flag=value` forms).
    public static func identity(_ arguments: [String]) -> [String] {
        var out: [String] = []
        var skip = false
        for a in arguments {
            if skip {
                skip = false
                continue
            }
            if perShardFlags.contains(a) {
                skip = true
                continue
            }
            if let eq = a.firstIndex(of: "="), perShardFlags.contains(String(a[..<eq])) { continue }
            out.append(a)
        }
        return out
    }
}

/// A part that cannot be written or merged: the message names the part (or file) and what is wrong.
public struct ShardPartError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong.
    public var message: String
    /// Creates the error.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}
