/// A decoded Redis reply.
public enum RedisValue: Sendable, Hashable {
    /// A bulk string (binary-safe).
    case bulk([UInt8])
    /// A status reply such as `OK`.
    case status(String)
    /// An integer reply.
    case integer(Int)
    /// The nil reply (missing key, `SET NX` that did not set).
    case null
    /// An array reply.
    case array([RedisValue])
    /// An error reply (raised as `RedisError.server` by the client; kept here for array elements).
    case error(String)

    /// The value as UTF-8 text, for bulk and status replies.
    public var string: String? {
        switch self {
        case .bulk(let b): return String(decoding: b, as: UTF8.self)
        case .status(let s): return s
        default: return nil
        }
    }

    /// The value as an integer, for integer replies and numeric bulk strings.
    public var int: Int? {
        switch self {
        case .integer(let i): return i
        case .bulk: return string.flatMap { Int($0) }
        default: return nil
        }
    }

    /// Whether this is the nil reply.
    public var isNull: Bool { self == .null }
}
