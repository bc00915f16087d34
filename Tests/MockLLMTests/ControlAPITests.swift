@testable import MockLLM
import NIOHTTP1
import Testing

/// The control API as values: authorization and each endpoint, without sockets.
@Suite struct ControlAPITests {
    static func state(_ yaml: String = "{}") throws -> MockState {
        MockState(profile: try FaultProfile.parse(yaml, file: "t"), profileText: yaml, seed: 1, timeScale: 1)
    }

    @Test func withoutATokenOnlyLoopbackPeersAreAnswered() throws {
        let api = ControlAPI(state: try Self.state(), token: nil)
        let remote = api.handle(.init(endpoint: .stats, method: .GET, fromLoopback: false))
        #expect(remote.status == 403)
        #expect(remote.errorMessage?.contains("--control-token") == true)
        #expect(api.handle(.init(endpoint: .stats, method: .GET, fromLoopback: true)).status == 200)
    }

    @Test func withATokenEveryPeerNeedsTheBearerToken() throws {
        let api = ControlAPI(state: try Self.state(), token: "s3cret")
        for auth in [nil, "Bearer ", "Bearer s3cre", "Bearer s3cret ", "bearer s3cret", "s3cret"] {
            let r = api.handle(.init(endpoint: .reset, method: .POST, authorization: auth, fromLoopback: true))
            #expect(r.status == 401, "\(auth ?? "nil")")
        }
        let ok = api.handle(.init(endpoint: .reset, method: .POST, authorization: "Bearer s3cret", fromLoopback: false))
        #expect(ok.status == 200)
    }

    @Test func profileReplacementValidatesAndNamesTheError() throws {
        let state = try Self.state("reply: { tokens: 3 }\n")
        let api = ControlAPI(state: state, token: nil)
        let current = api.handle(.init(endpoint: .profile, method: .GET, fromLoopback: true))
        #expect(current.body == "reply: { tokens: 3 }\n")
        #expect(current.contentType == "application/yaml")
        let bad = api.handle(
            .init(endpoint: .profile, method: .PUT, fromLoopback: true, body: Array("faults: [ { status: 99 } ]".utf8)))
        #expect(bad.status == 400)
        #expect(bad.errorMessage?.hasPrefix("<request body>:1:21: faults[0].status: 99 is out of range") == true)
        let ok = api.handle(
            .init(endpoint: .profile, method: .PUT, fromLoopback: true, body: Array(#"{"faults":[{"status":502}]}"#.utf8)))
        #expect(ok.status == 200)
        #expect(state.profile.faults.count == 1)
    }

    @Test func wrongMethodIs405WithAllow() throws {
        let api = ControlAPI(state: try Self.state(), token: nil)
        let r = api.handle(.init(endpoint: .reset, method: .GET, fromLoopback: true))
        #expect(r.status == 405)
        #expect(r.headers.contains(.init("allow", "POST")))
    }

    @Test func constantTimeComparisonIsExact() {
        #expect(ControlAPI.constantTimeEqual("Bearer abc", "Bearer abc"))
        #expect(!ControlAPI.constantTimeEqual("Bearer abc", "Bearer abd"))
        #expect(!ControlAPI.constantTimeEqual("Bearer abc", "Bearer abcd"))
        #expect(!ControlAPI.constantTimeEqual("", "x"))
    }

    @Test func loopbackAddressesAreRecognised() {
        for ip in ["127.0.0.1", "127.3.2.1", "::1", "::ffff:127.0.0.1"] { #expect(ControlAPI.isLoopback(ip: ip)) }
        for ip in ["10.0.0.1", "0.0.0.0", "::", "::ffff:10.0.0.1", "128.0.0.1"] { #expect(!ControlAPI.isLoopback(ip: ip)) }
        #expect(!ControlAPI.isLoopback(ip: nil))
    }
}

@Suite struct MockRouteTests {
    @Test func routesByMethodAndPath() {
        #expect(MockRoute.resolve(method: .POST, path: "/v1/chat/completions") == .completion(path: "/v1/chat/completions"))
        #expect(
            MockRoute.resolve(method: .POST, path: "/openai/v1/chat/completions")
                == .completion(path: "/openai/v1/chat/completions"))
        #expect(
            MockRoute.resolve(method: .GET, path: "/v1/chat/completions")
                == .methodNotAllowed(path: "/v1/chat/completions", allow: "POST"))
        #expect(MockRoute.resolve(method: .GET, path: "/v1/models") == .models(path: "/v1/models"))
        #expect(MockRoute.resolve(method: .DELETE, path: "/_squall/stats") == .control(.stats))
        #expect(MockRoute.resolve(method: .GET, path: "/v2/x") == .notFound(path: "/v2/x"))
        #expect(MockRoute.split(uri: "/a?b=1").path == "/a")
        #expect(MockRoute.split(uri: "/a?b=1").query == "b=1")
        #expect(MockRoute.split(uri: "/a").query == nil)
    }
}
