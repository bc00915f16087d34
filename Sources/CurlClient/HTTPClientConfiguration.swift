/// Settings of a `CurlHTTPClient`, fixed for its lifetime.
public struct HTTPClientConfiguration: Sendable, Hashable {
    /// The most connections open at once across all hosts (`CURLMOPT_MAX_TOTAL_CONNECTIONS`);
    /// requests beyond it wait inside libcurl for a free connection. Default 64. Must be ≥ 1.
    public var maxConnections: Int
    /// The most connections open at once to one host (`CURLMOPT_MAX_HOST_CONNECTIONS`);
    /// nil (the default) means only `maxConnections` applies. Must be ≥ 1 when set.
    public var maxConnectionsPerHost: Int?
    /// How long establishing a connection may take (`CURLOPT_CONNECTTIMEOUT_MS`). Default 5 s,
    /// the official OpenAI/Groq SDKs' connect timeout. Must be > 0.
    public var connectTimeout: Duration
    /// The whole-request timeout when a request sets none (`CURLOPT_TIMEOUT_MS`), including the
    /// time it waits for a connection under the cap. Default 60 s (Groq SDK). Must be > 0.
    public var requestTimeout: Duration
    /// The `User-Agent` sent when a request sets none. Default `squall`; nil sends none.
    public var userAgent: String?
    /// Honour the `http_proxy` / `https_proxy` / `no_proxy` environment variables as curl does.
    /// Default false: requests go direct, so a load test of a loopback target is never silently
    /// routed through a proxy.
    public var useEnvironmentProxy: Bool

    /// Creates a configuration; every field has the default documented on it.
    public init(
        maxConnections: Int = 64, maxConnectionsPerHost: Int? = nil, connectTimeout: Duration = .seconds(5),
        requestTimeout: Duration = .seconds(60), userAgent: String? = "squall", useEnvironmentProxy: Bool = false
    ) {
        self.maxConnections = maxConnections
        self.maxConnectionsPerHost = maxConnectionsPerHost
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.userAgent = userAgent
        self.useEnvironmentProxy = useEnvironmentProxy
    }

    /// Checks every field, naming the first one out of range and what is valid.
    public func validate() throws(HTTPClientSetupError) {
        if maxConnections < 1 {
            throw HTTPClientSetupError("maxConnections must be at least 1 (got \(maxConnections))")
        }
        if let perHost = maxConnectionsPerHost, perHost < 1 {
            throw HTTPClientSetupError("maxConnectionsPerHost must be at least 1 or nil (got \(perHost))")
        }
        if connectTimeout <= .zero {
            throw HTTPClientSetupError("connectTimeout must be greater than 0 (got \(connectTimeout))")
        }
        if requestTimeout <= .zero {
            throw HTTPClientSetupError("requestTimeout must be greater than 0 (got \(requestTimeout))")
        }
    }
}

/// The client could not be created: a configuration field out of range, or libcurl failed to initialise.
public struct HTTPClientSetupError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong and what would be valid.
    public var message: String
    /// Creates the error.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { "HTTP client setup: " + message }
}

/// Whole milliseconds for a curl `_MS` option, rounded up, at least 1 (curl reads 0 as "no limit").
func curlMilliseconds(_ d: Duration) -> Int {
    let (s, atto) = d.components
    if s < 0 || (s == 0 && atto <= 0) { return 1 }
    let ms = s.multipliedReportingOverflow(by: 1000)
    if ms.overflow { return Int.max / 2 }
    let extra = (atto + 999_999_999_999_999) / 1_000_000_000_000_000
    return max(1, Int(ms.partialValue + extra))
}
