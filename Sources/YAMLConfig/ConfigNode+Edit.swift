import Yams

extension ConfigNode {
    /// This mapping without `key` (errors still point at the original places); other nodes as they are.
    public func removingKey(_ key: String) -> ConfigNode {
        guard case .mapping(let m)? = yaml else { return self }
        let kept = m.filter { $0.key.string != key }.map { ($0.key, $0.value) }
        return ConfigNode(
            yaml: .mapping(Node.Mapping(kept, m.tag, m.style, m.mark)), file: file, path: pathComponents,
            fallbackMark: fallbackMark)
    }

    /// The node as YAML text (to hand a section to another process, e.g. a profile to `squall mock`); nil when absent.
    public var yamlText: String? {
        guard let yaml else { return nil }
        return try? Yams.serialize(node: yaml)
    }
}
