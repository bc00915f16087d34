import Foundation
import YAMLConfig
import Yams

/// What the command line adds to (or overrides in) a scenario's `sweep:` section.
public struct SweepOverrides: Sendable, Hashable {
    /// `--vary` parameters, in order (one with the same path as a file parameter replaces it).
    public var parameters: [SweepParameter]
    /// `--sampling`.
    public var sampling: SweepSampling?
    /// `--samples`.
    public var samples: Int?
    /// `--seeds`.
    public var seeds: Int?

    /// Creates overrides; all absent by default.
    public init(parameters: [SweepParameter] = [], sampling: SweepSampling? = nil, samples: Int? = nil, seeds: Int? = nil) {
        self.parameters = parameters
        self.sampling = sampling
        self.samples = samples
        self.seeds = seeds
    }
}

/// One configuration of a sweep: its values and the scenario they give (decoded by the loader).
public struct SweepConfiguration: Sendable {
    /// Position in the design (0-based); configuration `index` is the same on every machine.
    public var index: Int
    /// Stable id, `c00`, `c01`, … (zero-padded to the design's size).
    public var id: String
    /// One value per parameter, as written into the scenario.
    public var values: [String]
    /// The scenario with the values written in.
    public var scenario: Scenario
}

/// A checked sweep: the design, every configuration decoded through the scenario loader, and the
/// (configuration × seed) jobs, addressable by index (job `j` is configuration `j / seeds.count` on
/// seed `seeds[j % seeds.count]`), so a shard can run any slice of them.
public struct SweepPlan: Sendable {
    /// The scenario as written.
    public let base: Scenario
    /// Its YAML document (configurations are this tree with values written in).
    public let document: ConfigNode
    /// The parameters and sampling.
    public let design: SweepDesign
    /// Seeds each configuration runs on: 1…K.
    public let seeds: [UInt64]
    /// Every configuration, in index order.
    public let configurations: [SweepConfiguration]

    /// The default seeds per configuration.
    public static let defaultSeeds = 3
    /// The most jobs (configurations × seeds) a sweep may run.
    public static let maxJobs = 100_000

    /// Jobs in the sweep.
    public var jobCount: Int { configurations.count * seeds.count }

    /// Job `j`: configuration `j / K` on seed `seeds[j % K]`.
    public func job(at j: Int) -> BatchJob {
        let c = configurations[j / seeds.count]
        return BatchJob(configuration: c.id, scenario: c.scenario, seed: seeds[j % seeds.count])
    }

    /// Jobs `range` (default: all), generated lazily.
    public func jobs(_ range: Range<Int>? = nil) -> LazyMapSequence<Range<Int>, BatchJob> {
        (range ?? 0..<jobCount).lazy.map { self.job(at: $0) }
    }

    /// Builds and checks a sweep of the scenario `document` (already loaded as `base`): merges the
    /// file's `sweep:` with `overrides`, checks each parameter's values against the loader one at a
    /// time (an error names that parameter's flag or file:line:column), then decodes every
    /// configuration (an error names the configuration and its values). Nothing runs.
    public static func build(document: ConfigNode, base: Scenario, overrides: SweepOverrides) throws(ConfigError) -> SweepPlan {
        guard let root = document.yaml else {
            throw ConfigError(file: document.file, line: 0, column: 0, path: "", message: "the scenario is empty")
        }
        let spec = base.sweep ?? SweepSpec()
        var parameters = spec.parameters
        for p in overrides.parameters {
            if let i = parameters.firstIndex(where: { $0.path == p.path }) {
                if case .flag = parameters[i].source {
                    throw p.error("\(p.path) is varied twice on the command line")
                }
                parameters[i] = p
            } else {
                parameters.append(p)
            }
        }
        guard !parameters.isEmpty else {
            throw ConfigError(
                file: base.source, line: 0, column: 0, path: "",
                message:
                    "nothing to vary: give --vary PATH=VALUES (e.g. --vary stack.retry.attempts=3,5,8) or a sweep: section in the scenario")
        }
        let hasDistribution = parameters.contains { if case .distribution = $0.values { return true } else { return false } }
        let sampling = overrides.sampling ?? spec.sampling ?? (hasDistribution ? .lhs : .grid)
        let samples = overrides.samples ?? spec.samples
        if sampling == .grid, samples != nil {
            throw ConfigError(
                file: overrides.samples != nil ? "--samples" : base.source, line: 0, column: 0,
                path: overrides.samples != nil ? "" : "sweep.samples",
                message: "samples apply to random and lhs sampling; a grid runs every combination (use --sampling random or lhs)")
        }
        let design: SweepDesign
        do {
            design = try SweepDesign(parameters: parameters, sampling: sampling, samples: samples, seed: spec.seed ?? base.seed)
        } catch {
            switch error {
            case .distributionInGrid(let p):
                throw p.error(
                    "\(p.values.text) is a distribution, which needs random or lhs sampling (--sampling random|lhs); a grid takes a list or a range with a step"
                )
            case .tooMany(let n):
                throw ConfigError(
                    file: sampling == .grid ? "--vary" : "--samples", line: 0, column: 0, path: "",
                    message: sampling == .grid
                        ? "the grid has \(n == Int.max ? "too many" : String(n)) configurations; at most \(SweepDesign.maxConfigurations) (fewer values, or --sampling lhs --samples N)"
                        : "\(n) samples; expected 1 to \(SweepDesign.maxConfigurations)")
            }
        }
        let k = overrides.seeds ?? spec.seeds ?? defaultSeeds
        guard (1...SweepSpec.maxSeeds).contains(k) else {
            throw ConfigError(file: "--seeds", line: 0, column: 0, path: "", message: "\(k): expected 1 to \(SweepSpec.maxSeeds)")
        }
        guard design.count * k <= maxJobs else {
            throw ConfigError(
                file: "--seeds", line: 0, column: 0, path: "",
                message: "\(design.count) configurations × \(k) seeds is \(design.count * k) runs; at most \(maxJobs)")
        }
        // Each parameter alone, so an impossible value is blamed on the parameter that gave it.
        for p in parameters {
            for v in p.values.probes {
                do {
                    let patched = try ScenarioPatch.apply(p.path, v, to: root)
                    _ = try ScenarioLoader.decode(ConfigNode(yaml: patched, file: document.file))
                } catch let e as SweepValuesError {
                    throw p.error(e.message)
                } catch let e as ConfigError {
                    throw p.error(e.message, suggestion: e.suggestion, path: e.path)
                } catch {
                    throw p.error("\(error)")
                }
            }
        }
        let width = max(2, String(max(0, design.count - 1)).count)
        var configurations: [SweepConfiguration] = []
        configurations.reserveCapacity(design.count)
        for i in 0..<design.count {
            let values = design.values(at: i)
            let id = "c" + String(repeating: "0", count: max(0, width - String(i).count)) + String(i)
            do {
                let patched = try ScenarioPatch.apply(Array(zip(parameters.map(\.path), values)), to: root)
                var s = try ScenarioLoader.decode(ConfigNode(yaml: patched, file: document.file))
                s.source = base.source
                configurations.append(SweepConfiguration(index: i, id: id, values: values, scenario: s))
            } catch {
                let assignment = zip(parameters, values).map { "\($0.path)=\($1)" }.joined(separator: ", ")
                let e = error as? ConfigError
                throw ConfigError(
                    file: sourcesLabel(parameters, base: base), line: 0, column: 0, path: e?.path ?? "",
                    message: "configuration \(id) (\(assignment)) does not load: \(e?.message ?? "\(error)")", suggestion: e?.suggestion)
            }
        }
        return SweepPlan(
            base: base, document: document, design: design, seeds: (1...k).map { UInt64($0) }, configurations: configurations)
    }

    /// Where the parameters came from, for an error about a combination: the flags, or the file.
    static func sourcesLabel(_ parameters: [SweepParameter], base: Scenario) -> String {
        var flags: [String] = []
        for p in parameters {
            switch p.source {
            case .flag(let a): flags.append("--vary \(a)")
            case .file(let file, let line, let column): return "\(file):\(line):\(column)"
            }
        }
        return flags.joined(separator: " ")
    }

    /// The `stack:` section of configuration `index` as YAML ready to paste into the scenario
    /// (the file's own section with the configuration's values written in; comments are not kept).
    public func stackBlock(for index: Int) -> String {
        guard let root = document.yaml else { return "stack: {}\n" }
        let c = configurations[index]
        let stackChanges = zip(design.parameters.map(\.path), c.values).filter { $0.0.components.first == .key("stack") }
        guard let patched = try? ScenarioPatch.apply(Array(stackChanges), to: root),
            case .mapping(let m) = patched
        else { return "stack: {}\n" }
        var stack: Node = .mapping(Node.Mapping([]))
        for (k, v) in m {
            if case .scalar(let ks) = k, ks.string == "stack" { stack = v }
        }
        if case .scalar = stack { stack = .mapping(Node.Mapping([])) }
        let doc: Node = .mapping(Node.Mapping([(ScenarioPatch.scalar("stack"), Self.plain(stack))]))
        return (try? Yams.serialize(node: doc, width: 100)) ?? "stack: {}\n"
    }

    /// The node without marks or anchors, so the emitter writes plain YAML.
    static func plain(_ node: Node) -> Node {
        switch node {
        case .scalar(let s): return .scalar(Node.Scalar(s.string, s.tag, s.style))
        case .mapping(let m): return .mapping(Node.Mapping(m.map { (plain($0.key), plain($0.value)) }, m.tag, m.style))
        case .sequence(let s): return .sequence(Node.Sequence(s.map(plain), s.tag, s.style))
        case .alias: return node
        }
    }

    /// The values of configuration `index` that are not part of `stack:` (`load.rate=…`), to state beside its block.
    public func nonStackValues(for index: Int) -> [String] {
        zip(design.parameters, configurations[index].values).filter { $0.0.path.components.first != .key("stack") }
            .map { "\($0.0.path)=\($0.1)" }
    }
}
