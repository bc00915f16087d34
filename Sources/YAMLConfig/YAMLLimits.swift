import Yams

/// Bounds on a YAML configuration document (scenario files, fault profiles), checked before any
/// value is decoded, so a hostile or mistaken file cannot make Squall allocate without bound. Each
/// is in the README's "Limits" table; a document beyond one fails with a `ConfigError` naming the
/// place and the limit (exit 2).
public enum YAMLLimits {
    /// Largest document: 1 MiB (the biggest bundled scenario is under 3 KiB).
    public static let maxDocumentBytes = 1 << 20
    /// Most nodes after alias expansion: 100,000.
    public static let maxNodes = 100_000
    /// Most alias uses (`*name`, counted after expansion, so aliases inside aliased nodes multiply): 1,000.
    public static let maxAliases = 1_000
    /// Most scalar text after alias expansion: 8 MiB.
    public static let maxExpandedBytes = 8 << 20

    /// Walks `root` as a decoder would see it (aliases expanded) and fails at the first node past a
    /// limit. The walk stops there, so it costs at most `maxNodes` steps whatever the document holds.
    public static func check(_ root: Node, file: String) throws(ConfigError) {
        var stack: [Node] = [root]
        var nodes = 0
        var bytes = 0
        var anchorUses: [String: Int] = [:]
        var aliases = 0
        while let node = stack.popLast() {
            nodes += 1
            if let anchor = Self.anchor(of: node) {
                let uses = anchorUses[anchor, default: 0]
                anchorUses[anchor] = uses + 1
                if uses > 0 { aliases += 1 }
            }
            func fail(_ message: String) -> ConfigError {
                ConfigError(file: file, line: node.mark?.line ?? 0, column: node.mark?.column ?? 0, path: "", message: message)
            }
            if aliases > maxAliases {
                throw fail("more than \(maxAliases) alias uses after expansion (each *alias counts once per place it is expanded); aliases that nest multiply")
            }
            if nodes > maxNodes {
                throw fail("more than \(maxNodes) YAML nodes after alias expansion; a scenario needs far fewer")
            }
            switch node {
            case .scalar(let s):
                bytes += s.string.utf8.count
                if bytes > maxExpandedBytes {
                    throw fail("more than \(maxExpandedBytes >> 20) MiB of text after alias expansion")
                }
            case .mapping(let m):
                for (k, v) in m.reversed() {
                    stack.append(v)
                    stack.append(k)
                }
            case .sequence(let s):
                stack.append(contentsOf: s.reversed())
            case .alias:
                aliases += 1
            }
        }
    }

    static func anchor(of node: Node) -> String? {
        switch node {
        case .scalar(let s): return s.anchor?.rawValue
        case .mapping(let m): return m.anchor?.rawValue
        case .sequence(let s): return s.anchor?.rawValue
        case .alias: return nil
        }
    }
}
