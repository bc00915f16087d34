import Foundation
import MockLLM
import Reliability
import YAMLConfig

/// Loads scenario files strictly: unknown keys (with a "did you mean"), wrong types, bad
/// durations, percentages or ranges and impossible combinations fail with a `ConfigError` naming
/// file:line:column, the field path and what would be valid.
public enum ScenarioLoader {
    /// Top-level keys of a scenario file.
    public static let keys = [
        "name", "description", "seed", "duration", "load", "stack", "llm", "expect", "guards", "mode", "time_scale", "service",
        "sweep", "plan", "target",
    ]

    /// Keys of `load:` read by the loader itself for live runs (the rest is `LoadDecoding.keys`).
    public static let liveLoadKeys = ["tag"]
    /// Keys of `llm:` read by the loader itself for live runs (the rest is `FaultProfile.keys`).
    public static let liveLLMKeys = ["listen"]

    /// Reads and decodes a scenario file.
    public static func load(path: String) throws(ConfigError) -> Scenario {
        var s = try decode(try ConfigNode.load(path: path))
        s.source = path
        return s
    }

    /// Decodes scenario YAML text; `file` labels errors.
    public static func parse(_ text: String, file: String) throws(ConfigError) -> Scenario {
        var s = try decode(try ConfigNode.parse(text, file: file))
        s.source = file
        return s
    }

    /// Decodes a parsed scenario document.
    public static func decode(_ root: ConfigNode) throws(ConfigError) -> Scenario {
        let m = try root.mapping(allowed: keys)
        let nameNode = try m.required("name")
        let name = try nameNode.nonEmptyString()
        guard name.count <= ScenarioLimits.maxNameLength else {
            throw nameNode.error(
                "is \(name.count) characters long; at most \(ScenarioLimits.maxNameLength) (it names the report directory)")
        }
        guard name.allSatisfy({ ($0.isLetter || $0.isNumber) && $0.isASCII || $0 == "-" || $0 == "_" || $0 == "." }),
            !name.hasPrefix(".")
        else {
            throw nameNode.error("'\(name)' is not valid: a name may hold ASCII letters, digits, '-', '_' and '.', and may not start with '.' (it names the report directory)")
        }
        let description = try m.optional("description")?.string() ?? ""
        let seed = try m.optional("seed")?.uint64() ?? 1
        let durationNode = try m.required("duration")
        let duration = try durationNode.duration(min: .milliseconds(1))
        guard duration <= .seconds(366 * 86_400) else { throw durationNode.error("must be at most 366d") }
        // `load: { tag: false }` (live attribution) is read here; the rest is the arrival schedule.
        var loadNode = try m.required("load")
        var tagging = true
        if loadNode.isMapping, let t = try loadNode.mapping(allowed: LoadDecoding.keys + liveLoadKeys).optional("tag") {
            tagging = try t.bool()
            loadNode = loadNode.removingKey("tag")
        }
        let load = try LoadDecoding.decode(loadNode, duration: duration)
        let stack = try StackDecoding.decode(m["stack"])
        var llmNode = m["llm"]
        var listen: LLMListen?
        if llmNode.isMapping, let l = try llmNode.mapping(allowed: FaultProfile.keys + liveLLMKeys).optional("listen") {
            listen = try LLMListen.decode(l)
            llmNode = llmNode.removingKey("listen")
        }
        let llm = try FaultProfile.decode(llmNode)
        var scenario = Scenario(
            name: name, description: description, source: root.file, seed: seed, duration: duration, load: load,
            stack: stack, llm: llm)
        try checkWindows(scenario, llmNode: llmNode)
        scenario.llmListen = listen
        scenario.tagging = tagging
        scenario.llmText = llmNode.isNull ? nil : llmNode.yamlText
        scenario.mode = try RunModeDecoding.mode(m.optional("mode"))
        if let ts = m.optional("time_scale"), (try? ts.string()) == "auto" {
            scenario.autoTimeScale = true  // `--time-scale auto` (docs/live.md "Timing fidelity")
        } else {
            scenario.timeScale = try RunModeDecoding.timeScale(m.optional("time_scale"))
        }
        if let n = m.optional("service") { scenario.service = try ServiceSpec.decode(n, duration: duration) }
        if let n = m.optional("target") {
            if scenario.service != nil {
                throw n.error(
                    "'target:' describes your own service's contract (used with --target-url); the reference service of 'service:' "
                        + "speaks the reference contract — drop one of them")
            }
            let base = URL(fileURLWithPath: root.file).deletingLastPathComponent().standardized.path
            (scenario.target, scenario.launch) = try TargetDecoding.decodeScenarioTarget(n, duration: duration, baseDirectory: base)
            scenario.breakerInference = try TargetDecoding.decodeBreakerInference(n)
        }
        if let e = m.optional("expect") {
            scenario.expectations = try ExpectDecoding.decode(e, scenario: scenario)
        }
        if let g = m.optional("guards") { scenario.guards = try GuardsDecoding.decode(g, scenario: scenario) }
        if let n = m.optional("sweep") { scenario.sweep = try SweepSpec.decode(n) }
        if let n = m.optional("plan") { scenario.plan = try PlanSpec.decode(n) }
        return scenario
    }

    /// Fault windows must overlap the scenario's duration.
    static func checkWindows(_ s: Scenario, llmNode: ConfigNode) throws(ConfigError) {
        guard !llmNode.isNull, llmNode.isMapping else { return }
        let m = try llmNode.mapping(allowed: FaultProfile.keys)
        guard let faults = m.optional("faults") else { return }
        for (i, item) in try faults.sequence().enumerated() where i < s.llm.faults.count {
            guard let w = s.llm.faults[i].during else { continue }
            if w.lower >= s.duration {
                let node = try item.mapping(allowed: FaultRule.keys)["during"]
                throw node.error(
                    "the window \(w) starts at or after the scenario ends (duration \(DurationFormat.short(s.duration))); it would never apply"
                )
            }
        }
    }
}
