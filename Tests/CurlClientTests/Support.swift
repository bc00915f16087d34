@testable import CurlClient

/// Runs `body` with a fresh loopback server and client, then shuts both down and checks that the
/// client freed every easy handle and header list.
func withServerAndClient(
    _ configuration: HTTPClientConfiguration = HTTPClientConfiguration(connectTimeout: .seconds(2), requestTimeout: .seconds(10)),
    _ body: (CurlHTTPClient, LoopbackServer) async throws -> Void
) async throws {
    let server = try LoopbackServer()
    let client = try CurlHTTPClient(configuration: configuration)
    do {
        try await body(client, server)
    } catch {
        await client.shutdown()
        server.stop()
        throw error
    }
    await client.shutdown()
    server.stop()
    let live = client.liveResources
    if live.easyHandles != 0 || live.headerLists != 0 {
        throw LeakError(easyHandles: live.easyHandles, headerLists: live.headerLists)
    }
}

struct LeakError: Error, CustomStringConvertible {
    var easyHandles: Int
    var headerLists: Int
    var description: String { "leaked \(easyHandles) easy handles and \(headerLists) header lists" }
}

/// The transport error `send` threw, or nil when it returned a response.
func transportError(_ client: CurlHTTPClient, _ request: HTTPRequest) async -> TransportError? {
    do {
        _ = try await client.send(request)
        return nil
    } catch {
        return error
    }
}
