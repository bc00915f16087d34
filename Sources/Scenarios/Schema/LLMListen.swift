import YAMLConfig

/// Where the in-process MockLLM of a live run listens (`llm: { listen: 127.0.0.1:PORT }`), so a task
/// service configured with that address calls Squall's mock (`--mock-port PORT` overrides the port).
public struct LLMListen: Sendable, Hashable {
    /// The address to bind: `127.0.0.1`, `::1` or `0.0.0.0` (a container reaching the host).
    public var host: String
    /// The port, 1…65535.
    public var port: Int

    /// Creates an address.
    public init(host: String = "127.0.0.1", port: Int) {
        self.host = host
        self.port = port
    }

    /// Hosts accepted (`localhost` is read as `127.0.0.1`).
    public static let hosts = ["127.0.0.1", "localhost", "::1", "0.0.0.0"]

    /// Decodes `HOST:PORT` (or a bare port, on 127.0.0.1).
    public static func decode(_ node: ConfigNode) throws(ConfigError) -> LLMListen {
        let expected = "expected HOST:PORT with HOST one of \(hosts.joined(separator: ", ")) and PORT 1-65535, e.g. 127.0.0.1:18080"
        if let port = try? node.int(in: 1...65535) { return LLMListen(port: port) }
        let text = try node.string()
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port)
        else { throw node.error("'\(text.prefix(60))' is not an address: \(expected)") }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard hosts.contains(host) else {
            throw node.error("'\(host.prefix(60))' is not a host Squall's mock may bind: \(expected)")
        }
        return LLMListen(host: host == "localhost" ? "127.0.0.1" : host, port: port)
    }
}
