import Yams

/// Writes values into a scenario's YAML node tree, so a swept or planned configuration is decoded
/// by the normal loader and every impossible value is refused exactly as in a file.
///
/// A missing key is added (a missing mapping on the way is created), an existing scalar is
/// replaced; the path may not pass through a scalar (`breaker: off` has no `recovery_timeout`) or
/// end on a mapping or list. Setting `load.tasks_per_day` removes `load.rate` and the other way
/// round, since a load gives one of them.
public enum ScenarioPatch {
    /// `root` with `value` (scenario text, e.g. `3`, `1.5s`, `full`) at `path`; with `replacing`,
    /// a mapping or list at `path` is replaced by the value too (`load.arrival` ← `poisson`).
    public static func apply(_ path: ParameterPath, _ value: String, to root: Node, replacing: Bool = false) throws(SweepValuesError)
        -> Node
    {
        try set(root, path.components[...], value, done: [], path: path, replacing: replacing)
    }

    /// `root` with each (path, value) written in order.
    public static func apply(_ changes: [(ParameterPath, String)], to root: Node) throws(SweepValuesError) -> Node {
        var node = root
        for (p, v) in changes { node = try apply(p, v, to: node) }
        return node
    }

    /// The scalar node written for `value`: plain style, so the loader reads it as it would read the file.
    static func scalar(_ value: String) -> Node {
        .scalar(Node.Scalar(value, .implicit, .plain))
    }

    static func set(
        _ node: Node, _ rest: ArraySlice<ParameterPath.Component>, _ value: String, done: [ParameterPath.Component],
        path: ParameterPath, replacing: Bool = false
    ) throws(SweepValuesError) -> Node {
        guard let first = rest.first else {
            if replacing { return scalar(value) }
            switch node {
            case .scalar, .alias: return scalar(value)
            case .mapping:
                throw SweepValuesError("\(path) is a mapping in the scenario; vary one of its settings (e.g. \(path).\(sampleKey(node)))")
            case .sequence:
                throw SweepValuesError("\(path) is a list in the scenario; vary one of its items' settings")
            }
        }
        let here = ParameterPath(done)
        switch (first, node) {
        case (.key(let key), .mapping(let mapping)):
            var pairs: [(Node, Node)] = []
            var found = false
            for (k, v) in mapping {
                guard case .scalar(let ks) = k else {
                    pairs.append((k, v))
                    continue
                }
                if ks.string == key {
                    found = true
                    pairs.append((k, try set(v, rest.dropFirst(), value, done: done + [first], path: path, replacing: replacing)))
                } else if done == [.key("load")], Self.exclusive(key, ks.string) {
                    continue  // tasks_per_day and rate exclude each other
                } else {
                    pairs.append((k, v))
                }
            }
            if !found {
                pairs.append((scalar(key), try create(rest.dropFirst(), value, done: done + [first], path: path)))
            }
            return .mapping(Node.Mapping(pairs, mapping.tag, mapping.style, mapping.mark))
        case (.index(let i), .sequence(let sequence)):
            var items = Array(sequence)
            guard i < items.count else {
                throw SweepValuesError(
                    "\(here) has \(items.count) item\(items.count == 1 ? "" : "s")\(items.isEmpty ? "" : " ([0]..[\(items.count - 1)])"); there is no [\(i)]"
                )
            }
            items[i] = try set(items[i], rest.dropFirst(), value, done: done + [first], path: path, replacing: replacing)
            return .sequence(Node.Sequence(items, sequence.tag, sequence.style, sequence.mark))
        case (.key(let key), .scalar(let s)):
            if s.string.isEmpty || ["~", "null", "Null", "NULL"].contains(s.string) {
                // An empty section (`stack:` with nothing under it) is a mapping to be.
                return .mapping(Node.Mapping([(scalar(key), try create(rest.dropFirst(), value, done: done + [first], path: path))]))
            }
            throw SweepValuesError("\(here) is '\(s.string)' in the scenario, not a mapping, so it has no '\(key)' to vary")
        case (.index, _):
            throw SweepValuesError("\(here) is not a list in the scenario, so it has no [\(indexOf(first))]")
        default:
            throw SweepValuesError("\(here) is not a mapping in the scenario, so \(path) cannot be set")
        }
    }

    /// A node for a path that does not exist yet.
    static func create(
        _ rest: ArraySlice<ParameterPath.Component>, _ value: String, done: [ParameterPath.Component], path: ParameterPath
    ) throws(SweepValuesError) -> Node {
        guard let first = rest.first else { return scalar(value) }
        guard case .key(let key) = first else {
            throw SweepValuesError("\(ParameterPath(done)) is not in the scenario, so it has no item [\(indexOf(first))] to vary")
        }
        return .mapping(Node.Mapping([(scalar(key), try create(rest.dropFirst(), value, done: done + [first], path: path))]))
    }

    static func exclusive(_ a: String, _ b: String) -> Bool {
        (a == "tasks_per_day" && b == "rate") || (a == "rate" && b == "tasks_per_day")
    }

    static func indexOf(_ c: ParameterPath.Component) -> Int {
        if case .index(let i) = c { return i }
        return 0
    }

    static func sampleKey(_ node: Node) -> String {
        if case .mapping(let m) = node, let k = m.keys.first, case .scalar(let s) = k { return s.string }
        return "…"
    }
}
