import CurlClient
import Reliability

/// `LoadHTTPClient` over the project's libcurl client.
public struct CurlLoadClient: LoadHTTPClient {
    /// The libcurl client (shared; one event-loop thread).
    public let client: CurlHTTPClient

    /// Wraps an existing client.
    public init(client: CurlHTTPClient) { self.client = client }

    /// Starts a client with `maxConnections` connections (default 64) and a 5 s connect timeout.
    public init(maxConnections: Int = 64, connectTimeout: Duration = .seconds(5)) throws(LoadError) {
        do {
            client = try CurlHTTPClient(
                configuration: HTTPClientConfiguration(maxConnections: maxConnections, connectTimeout: connectTimeout))
        } catch {
            throw .invalidOptions(error.description)
        }
    }

    public func send(_ call: HTTPCall) async -> Result<HTTPReply, TransportFailureError> {
        var headers = HTTPHeaders()
        for f in call.headers { headers.append(name: f.name, value: f.value) }
        let request = HTTPRequest(
            method: HTTPMethod(call.method), url: call.url, headers: headers, body: call.body, timeout: call.timeout)
        do {
            let response = try await client.send(request)
            return .success(
                HTTPReply(
                    status: response.status, headers: response.headers.map { HTTPField($0.name, $0.value) },
                    body: response.body))
        } catch {
            return .failure(TransportFailureError(error.failure, message: error.message))
        }
    }

    /// Stops the client's event loop.
    public func shutdown() async { await client.shutdown() }
}
