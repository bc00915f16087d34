/// Where and how to reach a Redis server.
public struct RedisConfiguration: Sendable, Hashable {
    /// Host name or IP address. Default `127.0.0.1`.
    public var host: String
    /// TCP port. Default 6379.
    public var port: Int
    /// Password sent with `AUTH`; nil for none.
    public var password: String?
    /// Database selected with `SELECT`. Default 0.
    public var database: Int
    /// Bound on establishing a connection. Default 2 s.
    public var connectTimeout: Duration
    /// Bound on each command's round trip (socket read/write timeout). Default 5 s.
    public var commandTimeout: Duration
    /// Connections in the pool, each owned by one dedicated thread. Default 4.
    public var poolSize: Int

    /// Creates a configuration.
    public init(
        host: String = "127.0.0.1", port: Int = 6379, password: String? = nil, database: Int = 0,
        connectTimeout: Duration = .seconds(2), commandTimeout: Duration = .seconds(5), poolSize: Int = 4
    ) {
        self.host = host
        self.port = port
        self.password = password
        self.database = database
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.poolSize = max(1, poolSize)
    }

    /// Parses `redis://[:password@]host[:port][/db]`. Throws `RedisError.invalidURL` naming what is valid.
    public init(url: String) throws(RedisError) {
        let form = "expected redis://[:password@]host[:port][/db], e.g. redis://127.0.0.1:6379"
        guard url.hasPrefix("redis://") else { throw .invalidURL("\(url): \(form)") }
        var rest = Substring(url.dropFirst("redis://".count))
        var password: String?
        if let at = rest.lastIndex(of: "@") {
            let auth = rest[..<at]
            rest = rest[rest.index(after: at)...]
            // Either ":password" or "user:password" (the user is ignored; Redis < 6 has no users).
            if let colon = auth.firstIndex(of: ":") {
                password = String(auth[auth.index(after: colon)...])
            } else {
                password = String(auth)
            }
            if password?.isEmpty == true { password = nil }
        }
        var database = 0
        if let slash = rest.firstIndex(of: "/") {
            let db = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
            if !db.isEmpty {
                guard let n = Int(db), n >= 0 else { throw .invalidURL("\(url): database '\(db)' is not a number >= 0") }
                database = n
            }
        }
        var host = String(rest)
        var port = 6379
        if let colon = rest.lastIndex(of: ":") {
            host = String(rest[..<colon])
            let p = rest[rest.index(after: colon)...]
            guard let n = Int(p), (1...65535).contains(n) else {
                throw .invalidURL("\(url): port '\(p)' is not a number from 1 to 65535")
            }
            port = n
        }
        guard !host.isEmpty else { throw .invalidURL("\(url): missing host; \(form)") }
        self.init(host: host, port: port, password: password, database: database)
    }
}
