import NIOCore
import Reliability

/// How a `MockServer` listens and behaves. Every field has a default.
public struct MockServerConfig: Sendable {
    /// Address to bind. Default: `127.0.0.1`.
    public var host = "127.0.0.1"
    /// Port to bind; 0 picks a free one (read it back from `MockServer.port`). Default: 8080.
    public var port = 8080
    /// The fault profile. Default: healthy, instant, no limits.
    public var profile = FaultProfile()
    /// The profile's source text, returned by `GET /_squall/profile`. Default: `{}`.
    public var profileText = "{}\n"
    /// Seed for every random draw (request `n` uses stream `n` of this seed). Default: 1.
    public var seed: UInt64 = 1
    /// Divides every configured duration (latency, windows are read in scenario time = real × K). Default: 1.
    public var timeScale: Double = 1
    /// When set, control endpoints require `Authorization: Bearer <token>` (from any address);
    /// when nil they answer only on loopback (or to anyone with `insecureControl`). Must not be
    /// empty. Default: nil.
    public var controlToken: String?
    /// Without a token, answer the control API from any address. Binding beyond loopback without a
    /// token is refused unless this is set. Default: false.
    public var insecureControl = false
    /// Idempotency keys the stats count per key at most (the oldest is evicted first). Default: 65,536.
    public var maxKeys = MockStats.defaultMaxKeys
    /// Honour the `x-squall-fault` request header (e.g. `status=503`). Default: false.
    public var allowFaultHeader = false
    /// Largest request body accepted; larger gets 413. Default: 4 MiB.
    public var maxBodyBytes = 4 << 20
    /// A connection that has not completed a request for this long (idle keep-alive or a slow
    /// client) is closed; a partial request gets 408 first. Real time. Default: 60 s.
    public var idleTimeout: Duration = .seconds(60)
    /// The longest a `drop: hang` holds a connection (real time). Default: 10 min.
    public var maxHang: Duration = .seconds(600)
    /// Records the call log keeps (a ring: the oldest is overwritten). Default: 65,536.
    public var callLogCapacity = CallLog.defaultCapacity
    /// Connections served at once; a connection beyond it gets 503 and is closed at once. Default:
    /// nil, meaning the soft file-descriptor limit less a reserve (`MockServer.defaultMaxConnections`).
    public var maxConnections: Int?
    /// Event-loop threads, 1 to `maxThreads`. Default: the number of cores (at most `maxThreads`).
    public var threads = min(System.coreCount, MockServerConfig.maxThreads)

    /// Most event-loop threads (each reserves a stack; more threads than cores only add switching).
    public static let maxThreads = 64
    /// Largest time scale.
    public static let maxTimeScale = 1_000_000.0
    /// Largest request body limit (1 GiB).
    public static let maxBodyLimit = 1 << 30

    /// The defaults.
    public init() {}

    /// Checks the settings a person can get wrong; the error names the command-line flag.
    public func validate() throws(MockConfigError) {
        guard Self.isAddress(host) else {
            throw MockConfigError(
                flag: "--host", message: "\(host) is not an address: expected an IPv4 or IPv6 address (127.0.0.1, ::1, 0.0.0.0) or localhost")
        }
        guard (0...65535).contains(port) else {
            throw MockConfigError(flag: "--port", message: "\(port) is out of range: expected 0...65535")
        }
        guard (1...Self.maxThreads).contains(threads) else {
            throw MockConfigError(flag: "--threads", message: "\(threads) is out of range: expected 1...\(Self.maxThreads)")
        }
        guard timeScale.isFinite, timeScale > 0, timeScale <= Self.maxTimeScale else {
            throw MockConfigError(
                flag: "--time-scale", message: "\(timeScale) is not valid: expected a number > 0 and <= \(Int(Self.maxTimeScale))")
        }
        guard (1...Self.maxBodyLimit).contains(maxBodyBytes) else {
            throw MockConfigError(flag: "--max-body", message: "\(maxBodyBytes) is out of range: expected 1...\(Self.maxBodyLimit)")
        }
        guard idleTimeout >= .milliseconds(1), idleTimeout <= .seconds(86_400) else {
            throw MockConfigError(
                flag: "--idle-timeout", message: "\(DurationFormat.format(idleTimeout)) is out of range: expected 1ms...24h")
        }
        guard maxHang > .zero else { throw MockConfigError(flag: "--max-hang", message: "must be > 0") }
        if let maxConnections, !(1...(1 << 20)).contains(maxConnections) {
            throw MockConfigError(flag: "--max-connections", message: "\(maxConnections) is out of range: expected 1...\(1 << 20)")
        }
        if let controlToken, controlToken.isEmpty {
            throw MockConfigError(
                flag: "--control-token",
                message: "is empty: give a non-empty token, or leave the flag out to answer the control API on loopback only")
        }
        if let controlToken, !Self.isValidControlToken(controlToken) {
            throw MockConfigError(
                flag: "--control-token",
                message: "expected 1 to 1,024 printable ASCII characters without spaces (it travels as 'Authorization: Bearer TOKEN', and `squall run --mock-token` must be able to send it)")
        }
        if controlToken == nil, !insecureControl, !Self.isLoopbackHost(host) {
            throw MockConfigError(
                flag: "--host",
                message:
                    "\(host) accepts connections from beyond loopback, and the control API (/_squall/...) would be open to them: set --control-token TOKEN, or --insecure-control to leave it open")
        }
        guard (1...CallLog.maxCapacity).contains(callLogCapacity) else {
            throw MockConfigError(
                flag: "--call-log", message: "\(callLogCapacity) is out of range: expected 1...\(CallLog.maxCapacity) records")
        }
        guard (1...(1 << 24)).contains(maxKeys) else {
            throw MockConfigError(flag: "--max-keys", message: "\(maxKeys) is out of range: expected 1...\(1 << 24)")
        }
    }

    /// Whether `host` is an IPv4 or IPv6 address literal, or `localhost`.
    public static func isAddress(_ host: String) -> Bool {
        if host == "localhost" { return true }
        return (try? SocketAddress(ipAddress: host, port: 0)) != nil
    }

    /// Whether `host` binds loopback only (`localhost`, `127.x.x.x`, `::1`).
    /// A control token `squall mock` accepts and `squall run --mock-token` can send: 1 to 1,024
    /// printable ASCII characters without spaces.
    public static func isValidControlToken(_ token: String) -> Bool {
        !token.isEmpty && token.utf8.count <= 1024 && token.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7F }
    }

    public static func isLoopbackHost(_ host: String) -> Bool {
        let h = host.lowercased()
        return h == "localhost" || h == "::1" || h == "0:0:0:0:0:0:0:1" || h.hasPrefix("127.")
    }
}

/// A `MockServerConfig` setting that cannot work, naming the command-line flag that sets it.
public struct MockConfigError: Error, Sendable, CustomStringConvertible {
    /// The flag, e.g. `--host`.
    public var flag: String
    /// What is wrong and what would be valid.
    public var message: String
    /// `flag message`.
    public var description: String { "\(flag) \(message)" }
}
