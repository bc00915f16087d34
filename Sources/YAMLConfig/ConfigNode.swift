import Foundation
import Reliability
import Yams

/// A YAML node together with where it came from, with strict typed accessors that throw
/// `ConfigError` naming file:line:column, the field path and what would be valid.
/// An absent value is represented by a node whose `yaml` is nil and whose mark is the parent's.
public struct ConfigNode: @unchecked Sendable {
    /// The underlying Yams node (nil when the key was absent).
    public let yaml: Node?
    /// The file label used in errors.
    public let file: String
    /// Path components from the root (`stack`, `retry`, `[2]`).
    public let pathComponents: [String]
    let fallbackMark: Mark?

    /// Wraps a node.
    public init(yaml: Node?, file: String, path: [String] = [], fallbackMark: Mark? = nil) {
        self.yaml = yaml
        self.file = file
        self.pathComponents = path
        self.fallbackMark = fallbackMark
    }

    /// Parses YAML text into a root node. Syntax errors carry the line and column libyaml reports;
    /// a document past `YAMLLimits` (size, nodes, aliases, expanded text) fails before any decoding.
    public static func parse(_ text: String, file: String) throws(ConfigError) -> ConfigNode {
        guard text.utf8.count <= YAMLLimits.maxDocumentBytes else {
            throw ConfigError(
                file: file, line: 0, column: 0, path: "",
                message: "the document is \(text.utf8.count) bytes; at most \(YAMLLimits.maxDocumentBytes) (1 MiB) are read")
        }
        let composed: Node?
        do {
            // The parser is kept until the limits are checked: it owns the anchors, which nodes hold weakly.
            let parser = try Parser(yaml: text)
            composed = try parser.singleRoot()
            if let composed { try withExtendedLifetime(parser) { () throws(ConfigError) in try YAMLLimits.check(composed, file: file) } }
        } catch let error as YamlError {
            switch error {
            case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
                .composer(_, let problem, let mark, _):
                throw ConfigError(
                    file: file, line: mark.line, column: mark.column, path: "", message: "YAML syntax error: \(problem)")
            case .duplicatedKeysInMapping(let duplicates, let context):
                let keys = duplicates.sorted().map { "'\($0)'" }.joined(separator: ", ")
                throw ConfigError(
                    file: file, line: context.mark.line, column: context.mark.column, path: "",
                    message: "duplicate key \(keys) in the mapping that starts here; each key may appear once")
            case .reader(let problem, _, _, _):
                throw ConfigError(file: file, line: 0, column: 0, path: "", message: "cannot read YAML: \(problem)")
            default:
                throw ConfigError(file: file, line: 0, column: 0, path: "", message: "cannot parse YAML: \(error)")
            }
        } catch let error as ConfigError {
            throw error
        } catch {
            throw ConfigError(file: file, line: 0, column: 0, path: "", message: "cannot parse YAML: \(error)")
        }
        return ConfigNode(yaml: composed, file: file)
    }

    /// Reads and parses a YAML file (at most `YAMLLimits.maxDocumentBytes`; a larger file is refused
    /// before it is read).
    public static func load(path: String) throws(ConfigError) -> ConfigNode {
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size > YAMLLimits.maxDocumentBytes {
            throw ConfigError(
                file: path, line: 0, column: 0, path: "",
                message: "the file is \(size) bytes; at most \(YAMLLimits.maxDocumentBytes) (1 MiB) are read")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(file: path, line: 0, column: 0, path: "", message: "cannot read file (does it exist?)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: path, line: 0, column: 0, path: "", message: "file is not valid UTF-8")
        }
        return try parse(text, file: path)
    }

    /// The dotted path, e.g. `llm.faults[2].status`.
    public var path: String {
        var out = ""
        for c in pathComponents {
            if c.hasPrefix("[") { out += c } else { out += out.isEmpty ? c : "." + c }
        }
        return out
    }

    /// The source position of this node (or of its parent when absent).
    public var mark: Mark? { yaml?.mark ?? fallbackMark }

    /// True when the key was absent or the value is YAML null (`~`, `null`, empty).
    public var isNull: Bool {
        guard let yaml else { return true }
        if case .scalar(let s) = yaml {
            return s.style == .plain && ["", "~", "null", "Null", "NULL"].contains(s.string)
        }
        return false
    }

    /// True when the key was present (even if null).
    public var isPresent: Bool { yaml != nil }

    /// An error at this node.
    public func error(_ message: String, suggestion: String? = nil) -> ConfigError {
        ConfigError(
            file: file, line: mark?.line ?? 0, column: mark?.column ?? 0, path: path, message: message,
            suggestion: suggestion)
    }

    /// A short description of what this node holds, for "got …" messages.
    var kindDescription: String {
        switch yaml {
        case .none: return "nothing (the field is missing)"
        case .scalar(let s)?: return "'\(s.string)'"
        case .mapping?: return "a mapping"
        case .sequence?: return "a list"
        case .alias?: return "an alias"
        }
    }

    // MARK: Structure

    /// The node as a mapping whose keys must all be in `allowed`; unknown keys fail with a suggestion.
    public func mapping(allowed: [String]) throws(ConfigError) -> ConfigMapping {
        guard case .mapping(let m)? = yaml else {
            throw error("expected a mapping with keys \(allowed.joined(separator: ", ")), got \(kindDescription)")
        }
        var seen = Set<String>()
        var pairs: [(String, ConfigNode)] = []
        for (k, v) in m {
            guard case .scalar(let ks) = k else {
                throw ConfigNode(yaml: k, file: file, path: pathComponents).error("keys must be plain strings")
            }
            let keyNode = ConfigNode(yaml: k, file: file, path: pathComponents + [ks.string])
            guard allowed.contains(ks.string) else {
                throw keyNode.error(
                    "unknown key '\(ks.string)'; valid keys here: \(allowed.joined(separator: ", "))",
                    suggestion: closestMatch(to: ks.string, in: allowed))
            }
            guard seen.insert(ks.string).inserted else { throw keyNode.error("duplicate key '\(ks.string)'") }
            pairs.append((ks.string, ConfigNode(yaml: v, file: file, path: pathComponents + [ks.string], fallbackMark: k.mark)))
        }
        return ConfigMapping(owner: self, pairs: pairs)
    }

    /// The node as a mapping with arbitrary string keys (e.g. per-model tables), in file order.
    public func dictionary() throws(ConfigError) -> [(key: String, value: ConfigNode)] {
        guard case .mapping(let m)? = yaml else { throw error("expected a mapping, got \(kindDescription)") }
        var out: [(key: String, value: ConfigNode)] = []
        var seen = Set<String>()
        for (k, v) in m {
            guard case .scalar(let ks) = k else {
                throw ConfigNode(yaml: k, file: file, path: pathComponents).error("keys must be plain strings")
            }
            guard seen.insert(ks.string).inserted else {
                throw ConfigNode(yaml: k, file: file, path: pathComponents + [ks.string]).error("duplicate key '\(ks.string)'")
            }
            out.append((ks.string, ConfigNode(yaml: v, file: file, path: pathComponents + [ks.string], fallbackMark: k.mark)))
        }
        return out
    }

    /// The node as a list.
    public func sequence() throws(ConfigError) -> [ConfigNode] {
        guard case .sequence(let s)? = yaml else { throw error("expected a list, got \(kindDescription)") }
        return s.enumerated().map { i, n in
            ConfigNode(yaml: n, file: file, path: pathComponents + ["[\(i)]"], fallbackMark: n.mark)
        }
    }

    /// True when the node is a mapping.
    public var isMapping: Bool { if case .mapping? = yaml { return true } else { return false } }
    /// True when the node is a list.
    public var isSequence: Bool { if case .sequence? = yaml { return true } else { return false } }
    /// True when the node is a scalar.
    public var isScalar: Bool { if case .scalar? = yaml { return true } else { return false } }

    // MARK: Scalars

    /// The scalar text.
    public func string() throws(ConfigError) -> String {
        guard case .scalar(let s)? = yaml else { throw error("expected a text value, got \(kindDescription)") }
        return s.string
    }

    /// A non-empty string.
    public func nonEmptyString() throws(ConfigError) -> String {
        let s = try string()
        guard !s.trimmingCharacters(in: .whitespaces).isEmpty else { throw error("must not be empty") }
        return s
    }

    /// An integer within `range`.
    public func int(in range: ClosedRange<Int> = Int.min...Int.max) throws(ConfigError) -> Int {
        let text = try string().replacingOccurrences(of: "_", with: "")
        guard let v = Int(text) else {
            throw error("expected a whole number\(rangeText(range)), got \(kindDescription)")
        }
        guard range.contains(v) else { throw error("\(v) is out of range: expected a whole number\(rangeText(range))") }
        return v
    }

    /// A UInt64 (seeds).
    public func uint64() throws(ConfigError) -> UInt64 {
        let text = try string().replacingOccurrences(of: "_", with: "")
        guard let v = UInt64(text) else { throw error("expected a non-negative whole number, got \(kindDescription)") }
        return v
    }

    /// A finite real number within `range`.
    public func double(in range: ClosedRange<Double> = -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude)
        throws(ConfigError) -> Double
    {
        let text = try string().replacingOccurrences(of: "_", with: "")
        guard let v = Double(text), v.isFinite else {
            throw error("expected a number\(rangeText(range)), got \(kindDescription)")
        }
        guard range.contains(v) else { throw error("\(text) is out of range: expected a number\(rangeText(range))") }
        return v
    }

    /// A boolean (`true`/`false`, `yes`/`no`, `on`/`off`).
    public func bool() throws(ConfigError) -> Bool {
        switch try string().lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw error("expected true or false, got \(kindDescription)")
        }
    }

    /// One of a fixed set of words; a near miss gets a suggestion.
    public func oneOf(_ allowed: [String]) throws(ConfigError) -> String {
        let s = try string()
        guard allowed.contains(s) else {
            throw error(
                "'\(s)' is not valid: expected one of \(allowed.joined(separator: ", "))",
                suggestion: closestMatch(to: s, in: allowed))
        }
        return s
    }

    /// A Go-style duration (`250ms`, `1.5s`, `6m0s`); a bare number is read as seconds only if `bareSeconds`.
    public func duration(min: Duration = .zero, bareSeconds: Bool = false) throws(ConfigError) -> Duration {
        let s = try string()
        let d: Duration
        if bareSeconds, let v = Double(s), v.isFinite {
            d = .fromSeconds(v)
        } else {
            do { d = try DurationFormat.parse(s) } catch { throw self.error("'\(s)' is not \(DurationFormat.validForms)") }
        }
        guard d >= min else { throw error("must be at least \(DurationFormat.short(min)), got \(s)") }
        return d
    }

    /// A percentage (`2%`, `99.9%`, `0.02`) as a fraction in 0…1.
    public func percent() throws(ConfigError) -> Double {
        let s = try string()
        if let problem = Percent.rangeProblem(s) { throw self.error("'\(s)' is not valid: \(problem); a percentage is 0% to 100%") }
        do { return try Percent.parse(s) } catch { throw self.error("'\(s)' is not \(Percent.validForms)") }
    }

    /// A rate (`2000/s`, `10000/day`) in events per second.
    public func rate() throws(ConfigError) -> Double {
        let s = try string()
        do { return try Rate.parse(s) } catch { throw self.error("'\(s)' is not \(Rate.validForms)") }
    }

    /// A range of durations (`20m..25m`).
    public func durationRange() throws(ConfigError) -> DurationRange {
        let s = try string()
        do { return try DurationRange.parse(s) } catch { throw self.error("'\(s)' is not \(DurationRange.validForms)") }
    }

    private func rangeText<T: Comparable & Numeric>(_ r: ClosedRange<T>) -> String {
        let lowOpen = "\(r.lowerBound)".count > 15
        let highOpen = "\(r.upperBound)".count > 15
        switch (lowOpen, highOpen) {
        case (true, true): return ""
        case (false, true): return " >= \(r.lowerBound)"
        case (true, false): return " <= \(r.upperBound)"
        case (false, false): return " from \(r.lowerBound) to \(r.upperBound)"
        }
    }
}

/// A validated mapping: look up keys that were declared allowed.
public struct ConfigMapping: @unchecked Sendable {
    /// The mapping node itself.
    public let owner: ConfigNode
    let pairs: [(String, ConfigNode)]

    /// The keys present, in file order.
    public var keys: [String] { pairs.map(\.0) }

    /// The value for `key`, or an absent node (whose errors point at the mapping) when missing.
    public subscript(_ key: String) -> ConfigNode {
        if let hit = pairs.first(where: { $0.0 == key }) { return hit.1 }
        return ConfigNode(yaml: nil, file: owner.file, path: owner.pathComponents + [key], fallbackMark: owner.mark)
    }

    /// The value for `key` if present and not null.
    public func optional(_ key: String) -> ConfigNode? {
        let n = self[key]
        return n.isNull ? nil : n
    }

    /// The value for `key`, failing with "missing required field" when absent or null.
    public func required(_ key: String) throws(ConfigError) -> ConfigNode {
        let n = self[key]
        guard !n.isNull else { throw n.error("missing required field '\(key)'") }
        return n
    }

    /// Whether `key` is present.
    public func has(_ key: String) -> Bool { pairs.contains { $0.0 == key } }
}
