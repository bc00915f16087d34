/// What went wrong talking to Redis.
public enum RedisError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The URL could not be parsed; the message says what is valid.
    case invalidURL(String)
    /// A connection to `host:port` could not be established.
    case connect(host: String, port: Int, message: String)
    /// The connection failed mid-command (reset, timeout); the connection is re-established on the next command.
    case io(String)
    /// The server answered with an error reply (`-ERR …`).
    case server(String)
    /// The reply had a shape the caller did not expect.
    case unexpectedReply(String)
    /// The client was closed.
    case closed

    public var description: String {
        switch self {
        case .invalidURL(let m): return "invalid Redis URL \(m)"
        case .connect(let host, let port, let m): return "cannot connect to Redis at \(host):\(port): \(m)"
        case .io(let m): return "Redis connection failed: \(m)"
        case .server(let m): return "Redis error: \(m)"
        case .unexpectedReply(let m): return "unexpected Redis reply: \(m)"
        case .closed: return "Redis client is closed"
        }
    }
}
