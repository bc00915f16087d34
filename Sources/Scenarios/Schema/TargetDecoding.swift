import Foundation
import LoadGen
import Reliability
import YAMLConfig
import Yams

/// Decodes `target:` (a scenario's task-service contract, also the whole of a `--target-file`) into
/// a `TaskContract`, and in a scenario how to start the service (`command`, `cwd`, `env`, `ready`,
/// `ready_timeout`, `stop_timeout`, `sigterm_at` → `ServiceLaunch`). Every contract key is optional;
/// what is absent keeps the reference contract.
///
/// ```yaml
/// target:
///   submit: { method: PUT, path: /jobs, body: { job: { input: "{task}" } }, key_header: X-Request-Key }
///   id: job.id                       # dotted path of the task id in the submit answer
///   status: job.state                # dotted path of the status in a task document
///   success: [DONE]
///   failure: [ERROR]
///   pending: [QUEUED, RUNNING]       # [] = any other status means still running
///   poll: "/jobs/{id}"               # or `poll: none`: the submit answer is the result
///   replayed_header: Idempotent-Replayed
///   health: /healthz                 # sampled for latency; 200–399 is healthy (default /health)
/// ```
public enum TargetDecoding {
    /// Contract keys of `target:`.
    public static let keys = [
        "submit", "id", "status", "success", "failure", "pending", "poll", "replayed_header", "cause", "attempts", "model",
        "health",
    ]
    /// Keys of `target.submit:`.
    public static let submitKeys = ["method", "path", "body", "key_header"]
    /// Keys of a scenario's `target:` that start the service under Squall (issue #9 item 8), and
    /// `breaker_inference` (how the service's breaker is inferred at the LLM).
    public static let launchKeys = ["command", "cwd", "env", "ready", "ready_timeout", "stop_timeout", "sigterm_at", "breaker_inference"]
    /// Keys of `target.breaker_inference:`.
    public static let inferenceKeys = ["min_silence", "evidence_arrivals", "probe_allowance"]

    /// Decodes `target.breaker_inference:` (nil when absent): the rule by which a breaker Squall
    /// cannot see is inferred from the mock's call log. `probe_allowance` must stay below
    /// `evidence_arrivals − 1` (isolated calls must be told from traffic).
    static func decodeBreakerInference(_ node: ConfigNode) throws(ConfigError) -> InferredBreakerRule? {
        let m = try node.mapping(allowed: keys + launchKeys)
        guard let n = m.optional("breaker_inference") else { return nil }
        let b = try n.mapping(allowed: inferenceKeys)
        var rule = InferredBreakerRule()
        if let v = b.optional("min_silence") {
            let d = try v.duration()
            guard d > .zero else { throw v.error("min_silence must be above 0s (e.g. 1s), got \(DurationFormat.short(d))") }
            rule.minSilence = d
        }
        if let v = b.optional("evidence_arrivals") {
            let k = try v.int()
            guard (2...1_000).contains(k) else { throw v.error("evidence_arrivals must be 2…1000 arrivals, got \(k)") }
            rule.evidenceArrivals = k
        }
        if let v = b.optional("probe_allowance") {
            let k = try v.int()
            guard k >= 0, k <= rule.evidenceArrivals - 2 else {
                throw v.error(
                    "probe_allowance must be 0…\(rule.evidenceArrivals - 2) (below evidence_arrivals − 1 = \(rule.evidenceArrivals - 1), "
                        + "so isolated probe calls can be told from traffic), got \(k); raise evidence_arrivals to allow more probes")
            }
            rule.probeAllowance = k
        } else if rule.probeAllowance > rule.evidenceArrivals - 2 {
            rule.probeAllowance = rule.evidenceArrivals - 2
        }
        return rule
    }

    /// Decodes a scenario's `target:`: the contract, and how to start the service when `command` is
    /// given (`cwd` relative to `baseDirectory`, the scenario file's directory; `sigterm_at` within
    /// `duration`, scenario time).
    static func decodeScenarioTarget(
        _ node: ConfigNode, duration: Duration, baseDirectory: String
    ) throws(ConfigError) -> (TaskContract, ServiceLaunch?) {
        let m = try node.mapping(allowed: keys + launchKeys)
        let contract = try decode(node, allowing: launchKeys)
        guard let commandNode = m.optional("command") else {
            if let key = launchKeys.first(where: { $0 != "breaker_inference" && m.optional($0) != nil }) {
                throw m[key].error("'\(key)' needs 'command' (how to start your service), e.g. command: \"python app.py\"")
            }
            return (contract, nil)
        }
        let command = try commandNode.nonEmptyString()
        var spec = ServiceProcessSpec(
            command: command, workingDirectory: nil, environment: [:], readyPath: "/health", readyTimeout: .seconds(30),
            stopTimeout: .seconds(30), baseDirectory: baseDirectory)
        if let v = m.optional("cwd") { spec.workingDirectory = try v.nonEmptyString() }
        if let v = m.optional("env") {
            for (key, value) in try v.dictionary() {
                guard !key.isEmpty, !key.contains("="), value.isScalar else {
                    throw value.error("expected NAME: text (an environment variable), got \(key)")
                }
                spec.environment[key] = try value.string()
            }
        }
        if let v = m.optional("ready") { spec.readyPath = try path(v, placeholders: []) }
        if let v = m.optional("ready_timeout") { spec.readyTimeout = try positive(v) }
        if let v = m.optional("stop_timeout") { spec.stopTimeout = try positive(v) }
        var launch = ServiceLaunch(process: spec)
        if let v = m.optional("sigterm_at") {
            let at = try v.duration()
            guard at > .zero, at < duration else {
                throw v.error("expected a time inside the scenario's duration (0s..\(DurationFormat.short(duration))), got \(DurationFormat.short(at))")
            }
            launch.sigtermAt = at
        }
        return (contract, launch)
    }

    static func positive(_ v: ConfigNode) throws(ConfigError) -> Duration {
        let d = try v.duration()
        guard d > .zero, d <= .seconds(3600) else { throw v.error("expected a real time between 0s (exclusive) and 1h, e.g. 30s") }
        return d
    }

    /// Decodes a contract (`--target-file`, where starting the service has no place).
    public static func decode(_ node: ConfigNode) throws(ConfigError) -> TaskContract {
        try decode(node, allowing: [])
    }

    static func decode(_ node: ConfigNode, allowing extra: [String]) throws(ConfigError) -> TaskContract {
        let m = try node.mapping(allowed: keys + launchKeys)
        if let key = launchKeys.first(where: { m.has($0) && !extra.contains($0) }) {
            throw m[key].error(
                "'\(key)' (starting the service) belongs in a scenario's target:, not in a --target-file (the contract only); "
                    + "valid keys here: \(keys.joined(separator: ", "))")
        }
        var c = TaskContract()
        if let s = m.optional("submit") {
            let sm = try s.mapping(allowed: submitKeys)
            if let v = sm.optional("method") {
                let method = try v.nonEmptyString()
                guard method.allSatisfy({ $0.isLetter && $0.isASCII }) else {
                    throw v.error("expected an HTTP method such as POST or PUT, got '\(method)'")
                }
                c.method = method.uppercased()
            }
            if let v = sm.optional("path") { c.path = try path(v, placeholders: []) }
            if let v = sm.optional("body") { c.body = try body(v) }
            if sm.has("key_header") { c.keyHeader = try header(sm["key_header"]) }
            if c.keyHeader == nil, !c.body.uses("{key}") {
                throw s.error(
                    "the idempotency key goes nowhere: put \"{key}\" in submit.body or name a submit.key_header "
                        + "(Squall's duplicates are judged by it)")
            }
        }
        if let v = m.optional("id") { c.id = try fieldPath(v) }
        if let v = m.optional("status") { c.status = try fieldPath(v) }
        if let v = m.optional("cause") { c.cause = try fieldPath(v) }
        if let v = m.optional("attempts") { c.attempts = try fieldPath(v) }
        if let v = m.optional("model") { c.model = try fieldPath(v) }
        if let v = m.optional("success") { c.success = try statuses(v, allowEmpty: false) }
        if let v = m.optional("failure") { c.failure = try statuses(v, allowEmpty: false) }
        if let v = m.optional("pending") { c.pending = try statuses(v, allowEmpty: true) }
        for (name, set) in [("failure", c.failure), ("pending", c.pending)] {
            if let both = set.intersection(c.success).sorted().first {
                throw (m.optional(name) ?? node).error("status '\(both)' is both in success and in \(name); a status has one meaning")
            }
        }
        if let both = c.failure.intersection(c.pending).sorted().first {
            throw (m.optional("pending") ?? node).error("status '\(both)' is both in failure and in pending; a status has one meaning")
        }
        if let v = m.optional("poll") {
            if v.isScalar, try v.string() == "none" {
                c.pollPath = nil
            } else {
                c.pollPath = try path(v, placeholders: ["{id}", "{key}"])
                guard c.pollPath!.contains("{id}") else {
                    throw v.error("the poll path must hold {id} (e.g. /tasks/{id}), or write `poll: none` for a synchronous endpoint")
                }
            }
        }
        if m.has("replayed_header") { c.replayedHeader = try header(m["replayed_header"]) }
        if let v = m.optional("health") { c.healthPath = try path(v, placeholders: []) }
        return c
    }

    /// Reads a `--target-file`: the `target:` mapping on its own, or a document with a `target:` key.
    public static func load(path file: String) throws(ConfigError) -> TaskContract {
        let root = try ConfigNode.load(path: file)
        if root.isMapping, let m = try? root.mapping(allowed: ["target"]) { return try decode(m["target"]) }
        return try decode(root)
    }

    static func path(_ v: ConfigNode, placeholders: [String]) throws(ConfigError) -> String {
        let p = try v.nonEmptyString()
        guard p.hasPrefix("/"), !p.contains(" ") else {
            throw v.error("expected a path starting with / (e.g. /tasks), got '\(p)'")
        }
        try checkPlaceholders(p, allowed: placeholders, v)
        return p
    }

    static func header(_ v: ConfigNode) throws(ConfigError) -> String? {
        if v.isNull { return nil }
        let h = try v.string()
        if h.isEmpty { return nil }
        let token = CharacterSet(charactersIn: "!#$%&'*+-.^_`|~").union(.alphanumerics)
        guard h.unicodeScalars.allSatisfy({ $0.isASCII && token.contains($0) }) else {
            throw v.error("expected a header name such as Idempotency-Key (letters, digits, -), got '\(h)'")
        }
        return h
    }

    static func fieldPath(_ v: ConfigNode) throws(ConfigError) -> JSONFieldPath {
        let text = try v.nonEmptyString()
        guard let p = JSONFieldPath(text) else {
            throw v.error("expected a dotted field path such as task_id or job.id, got '\(text)'")
        }
        return p
    }

    static func statuses(_ v: ConfigNode, allowEmpty: Bool) throws(ConfigError) -> Set<String> {
        let items = v.isScalar ? [v] : try v.sequence()
        var out = Set<String>()
        for item in items { out.insert(try item.nonEmptyString()) }
        guard allowEmpty || !out.isEmpty else { throw v.error("expected at least one status value, e.g. [complete]") }
        return out
    }

    static func body(_ v: ConfigNode) throws(ConfigError) -> BodyTemplate {
        guard let yaml = v.yaml else { throw v.error("expected a JSON body template, e.g. { task: \"{task}\" }") }
        switch yaml {
        case .mapping:
            var fields: [BodyField] = []
            for (key, value) in try v.dictionary() { fields.append(BodyField(key, try body(value))) }
            return .object(fields)
        case .sequence:
            var items: [BodyTemplate] = []
            for item in try v.sequence() { items.append(try body(item)) }
            return .array(items)
        case .scalar(let s):
            if s.style == .plain {
                if v.isNull { return .literal("null") }
                if ["true", "false"].contains(s.string) { return .literal(s.string) }
                if let d = Double(s.string), d.isFinite, s.string.first.map({ $0.isNumber || $0 == "-" }) == true {
                    return .literal(s.string)
                }
            }
            try checkPlaceholders(s.string, allowed: ["{task}", "{key}"], v)
            return .text(s.string)
        case .alias:
            throw v.error("aliases are not allowed in a body template")
        }
    }

    static func checkPlaceholders(_ text: String, allowed: [String], _ v: ConfigNode) throws(ConfigError) {
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            guard let close = rest[open...].firstIndex(of: "}") else { break }
            let name = String(rest[open...close])
            if !allowed.contains(name) {
                let valid = allowed.isEmpty ? "none here" : allowed.joined(separator: ", ")
                throw v.error("unknown placeholder \(name); valid: \(valid)")
            }
            rest = rest[rest.index(after: close)...]
        }
    }
}

/// How Squall starts the team's service for a live run (`target: { command: … }`), and when it
/// sends it SIGTERM.
public struct ServiceLaunch: Sendable, Equatable {
    /// The process to start.
    public var process: ServiceProcessSpec
    /// When to send SIGTERM, scenario time; nil for never (it is stopped after the run).
    public var sigtermAt: Duration?
    /// Creates a launch.
    public init(process: ServiceProcessSpec, sigtermAt: Duration? = nil) {
        self.process = process
        self.sigtermAt = sigtermAt
    }
}
