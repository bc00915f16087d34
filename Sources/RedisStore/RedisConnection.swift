import CHiredis

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One blocking hiredis connection. Not thread-safe: each instance is owned by one `RedisWorkerThread`.
/// Connects lazily, and after an I/O failure drops the connection so the next command reconnects.
final class RedisConnection {
    let configuration: RedisConfiguration
    private var context: UnsafeMutablePointer<redisContext>?

    init(configuration: RedisConfiguration) { self.configuration = configuration }

    deinit { disconnect() }

    /// Whether a connection is currently established.
    var isConnected: Bool { context != nil }

    func disconnect() {
        if let context { redisFree(context) }
        context = nil
    }

    /// (Re)connects, authenticates and selects the database.
    func connect() throws(RedisError) {
        disconnect()
        let host = configuration.host
        guard let c = redisConnectWithTimeout(host, Int32(configuration.port), makeTimeval(configuration.connectTimeout))
        else {
            throw .connect(host: host, port: configuration.port, message: "could not allocate a connection")
        }
        if c.pointee.err != 0 {
            let message = Self.errorText(c)
            redisFree(c)
            throw .connect(host: host, port: configuration.port, message: message)
        }
        _ = redisSetTimeout(c, makeTimeval(configuration.commandTimeout))
        _ = redisEnableKeepAlive(c)
        context = c
        do {
            if let password = configuration.password { _ = try send([Array("AUTH".utf8), Array(password.utf8)]) }
            if configuration.database != 0 {
                _ = try send([Array("SELECT".utf8), Array(String(configuration.database).utf8)])
            }
        } catch {
            disconnect()
            throw .connect(host: host, port: configuration.port, message: error.description)
        }
    }

    /// Runs one command. With `retryOnIOError`, a command that failed on a broken connection is sent once
    /// more on a fresh connection (only safe for commands whose repetition is harmless).
    func command(_ args: [[UInt8]], retryOnIOError: Bool) throws(RedisError) -> RedisValue {
        if context == nil { try connect() }
        do {
            return try send(args)
        } catch .io(let message) {
            guard retryOnIOError else { throw .io(message) }
            try connect()
            return try send(args)
        }
    }

    private func send(_ args: [[UInt8]]) throws(RedisError) -> RedisValue {
        guard let c = context else { throw .io("not connected") }
        let total = args.reduce(0) { $0 + $1.count }
        let storage = UnsafeMutablePointer<CChar>.allocate(capacity: max(1, total))
        defer { storage.deallocate() }
        var pointers: [UnsafePointer<CChar>?] = []
        var lengths: [Int] = []
        pointers.reserveCapacity(args.count)
        lengths.reserveCapacity(args.count)
        var offset = 0
        for arg in args {
            arg.withUnsafeBytes { raw in
                if let base = raw.baseAddress, raw.count > 0 {
                    UnsafeMutableRawPointer(storage + offset).copyMemory(from: base, byteCount: raw.count)
                }
            }
            pointers.append(UnsafePointer(storage + offset))
            lengths.append(arg.count)
            offset += arg.count
        }
        let raw = pointers.withUnsafeMutableBufferPointer { p in
            lengths.withUnsafeBufferPointer { l in
                redisCommandArgv(c, Int32(args.count), p.baseAddress, l.baseAddress)
            }
        }
        guard let raw else {
            let message = Self.errorText(c)
            disconnect()
            throw .io(message)
        }
        let reply = raw.assumingMemoryBound(to: redisReply.self)
        defer { freeReplyObject(raw) }
        let value = Self.convert(reply)
        if case .error(let message) = value { throw .server(message) }
        return value
    }

    private static func convert(_ r: UnsafeMutablePointer<redisReply>) -> RedisValue {
        let reply = r.pointee
        switch reply.type {
        case REDIS_REPLY_STRING:
            guard let str = reply.str else { return .bulk([]) }
            return .bulk(Array(UnsafeRawBufferPointer(start: str, count: Int(reply.len))))
        case REDIS_REPLY_STATUS:
            return .status(reply.str.map { String(cString: $0) } ?? "")
        case REDIS_REPLY_ERROR:
            return .error(reply.str.map { String(cString: $0) } ?? "")
        case REDIS_REPLY_INTEGER:
            return .integer(Int(reply.integer))
        case REDIS_REPLY_NIL:
            return .null
        case REDIS_REPLY_ARRAY:
            var items: [RedisValue] = []
            items.reserveCapacity(Int(reply.elements))
            for i in 0..<Int(reply.elements) {
                if let element = reply.element[i] { items.append(convert(element)) } else { items.append(.null) }
            }
            return .array(items)
        default:
            return .error("unknown reply type \(reply.type)")
        }
    }

    private static func errorText(_ c: UnsafeMutablePointer<redisContext>) -> String {
        var errstr = c.pointee.errstr
        let text = withUnsafeBytes(of: &errstr) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        return text.isEmpty ? "error \(c.pointee.err)" : text
    }
}

private func makeTimeval(_ d: Duration) -> timeval {
    let (seconds, attoseconds) = d.components
    return timeval(tv_sec: Int(max(0, seconds)), tv_usec: Int(max(0, attoseconds) / 1_000_000_000_000))
}
