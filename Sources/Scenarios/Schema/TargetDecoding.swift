import Foundation
import LoadGen
import YAMLConfig
import Yams

/// Decodes `target:` (a scenario's task-service contract, also the whole of a `--target-file`) into
/// a `TaskContract`. Every key is optional; what is absent keeps the reference contract.
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
/// ```
public enum TargetDecoding {
    /// Keys of `target:`.
    public static let keys = [
        "submit", "id", "status", "success", "failure", "pending", "poll", "replayed_header", "cause", "attempts", "model",
    ]
    /// Keys of `target.submit:`.
    public static let submitKeys = ["method", "path", "body", "key_header"]
    /// Keys of issue #9 item 8 (starting the service under Squall), not built: refused, never ignored.
    public static let unsupportedKeys = ["command", "cwd", "env", "ready", "sigterm_at"]

    /// Decodes a `target:` node.
    public static func decode(_ node: ConfigNode) throws(ConfigError) -> TaskContract {
        let m = try node.mapping(allowed: keys + unsupportedKeys)
        if let key = unsupportedKeys.first(where: m.has) {
            throw m[key].error(
                "'\(key)' (starting the service under Squall) is not supported yet: start the service yourself and pass "
                    + "its URL with --target-url (see examples/fastapi-service/README.md); valid keys here: \(keys.joined(separator: ", "))")
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
