import Reliability

/// An `IdempotencyStore` shared by every replica through Redis. A claim is one atomic
/// `SET key "I<fingerprint>" NX PX ttl`; a completed key holds `D<ok><len>:<fingerprint><body>` with a
/// fresh TTL; `release` deletes the key only while it is still in flight (a Lua script, so atomic).
/// Redis' own expiry applies, so `now` is ignored.
public struct RedisIdempotencyStore: IdempotencyStore {
    /// The client.
    public let client: RedisClient
    /// Prefix of every key. Default `squall:idem:`.
    public let prefix: String

    /// Creates a store over `client`.
    public init(client: RedisClient, prefix: String = "squall:idem:") {
        self.client = client
        self.prefix = prefix
    }

    static let releaseScript = """
        local v = redis.call('GET', KEYS[1])
        if v and string.sub(v, 1, 1) == 'I' then return redis.call('DEL', KEYS[1]) end
        return 0
        """

    public func claim(key: String, fingerprint: String, now: Duration, ttl: Duration) async throws -> ClaimResult {
        try validateIdempotencyKey(key)
        let k = Array((prefix + key).utf8)
        let claimValue = IdempotencyRecord.inFlight(fingerprint: fingerprint).encoded
        // A key can expire between a failed SET NX and the GET; then claim again (bounded).
        for _ in 0..<3 {
            let set = try await run([Array("SET".utf8), k, claimValue, Array("NX".utf8), Array("PX".utf8), ms(ttl)])
            if set.string == "OK" { return .claimed }
            let current = try await run([Array("GET".utf8), k], idempotent: true)
            guard case .bulk(let bytes) = current else { continue }
            guard let record = IdempotencyRecord(decoding: bytes) else {
                throw IdempotencyStoreError.backend("key \(prefix + key) holds a value this store did not write")
            }
            switch record {
            case .inFlight(let fp): return fp == fingerprint ? .inFlight : .mismatch
            case .done(let fp, let result): return fp == fingerprint ? .completed(result) : .mismatch
            }
        }
        throw IdempotencyStoreError.backend("key \(prefix + key) kept expiring while being claimed")
    }

    public func complete(key: String, fingerprint: String, result: StoredResult, now: Duration, ttl: Duration)
        async throws
    {
        let value = IdempotencyRecord.done(fingerprint: fingerprint, result: result).encoded
        _ = try await run([Array("SET".utf8), Array((prefix + key).utf8), value, Array("PX".utf8), ms(ttl)], idempotent: true)
    }

    public func release(key: String) async throws {
        let k = Array((prefix + key).utf8)
        _ = try await run([Array("EVAL".utf8), Array(Self.releaseScript.utf8), Array("1".utf8), k])
    }

    private func run(_ args: [[UInt8]], idempotent: Bool = false) async throws(IdempotencyStoreError) -> RedisValue {
        do { return try await client.command(bytes: args, idempotent: idempotent) } catch {
            throw .backend(error.description)
        }
    }
}

/// Milliseconds as a decimal argument, at least 1 (Redis rejects `PX 0`).
func ms(_ d: Duration) -> [UInt8] {
    let (s, a) = d.components
    let millis = max(1, s * 1000 + a / 1_000_000_000_000_000)
    return Array(String(millis).utf8)
}

/// The value stored under an idempotency key.
enum IdempotencyRecord: Equatable {
    case inFlight(fingerprint: String)
    case done(fingerprint: String, result: StoredResult)

    var encoded: [UInt8] {
        switch self {
        case .inFlight(let fp):
            return Array("I".utf8) + Array(fp.utf8)
        case .done(let fp, let result):
            let fpBytes = Array(fp.utf8)
            return Array("D\(result.succeeded ? 1 : 0)\(fpBytes.count):".utf8) + fpBytes + Array(result.body.utf8)
        }
    }

    init?(decoding bytes: [UInt8]) {
        guard let tag = bytes.first else { return nil }
        switch tag {
        case UInt8(ascii: "I"):
            self = .inFlight(fingerprint: String(decoding: bytes.dropFirst(), as: UTF8.self))
        case UInt8(ascii: "D"):
            guard bytes.count >= 3, let colon = bytes[2...].firstIndex(of: UInt8(ascii: ":")),
                let length = Int(String(decoding: bytes[2..<colon], as: UTF8.self)), length >= 0,
                colon + 1 + length <= bytes.count
            else { return nil }
            let ok = bytes[1] == UInt8(ascii: "1")
            let fp = String(decoding: bytes[(colon + 1)..<(colon + 1 + length)], as: UTF8.self)
            let body = String(decoding: bytes[(colon + 1 + length)...], as: UTF8.self)
            self = .done(fingerprint: fp, result: StoredResult(succeeded: ok, body: body))
        default:
            return nil
        }
    }
}
