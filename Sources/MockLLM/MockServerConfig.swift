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
    /// when nil they answer only on loopback. Default: nil.
    public var controlToken: String?
    /// Honour the `x-squall-fault` request header (e.g. `status=503`). Default: false.
    public var allowFaultHeader = false
    /// Largest request body accepted; larger gets 413. Default: 4 MiB.
    public var maxBodyBytes = 4 << 20
    /// A connection that has not completed a request for this long (idle keep-alive or a slow
    /// client) is closed; a partial request gets 408 first. Real time. Default: 60 s.
    public var idleTimeout: Duration = .seconds(60)
    /// The longest a `drop: hang` holds a connection (real time). Default: 10 min.
    public var maxHang: Duration = .seconds(600)
    /// Event-loop threads. Default: the number of cores.
    public var threads = System.coreCount

    /// The defaults.
    public init() {}
}

import NIOCore
