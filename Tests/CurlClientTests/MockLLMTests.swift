import MockLLM
import Reliability
import Synchronization
import Testing

@testable import CurlClient

/// The client against the project's own chaos server (SwiftNIO), faults chosen per request with
/// the `x-squall-fault` header.
@Suite("CurlHTTPClient against MockLLM")
struct MockLLMTests {
    private let chat = #"{"model":"llama-3.1-8b-instant","messages":[{"role":"user","content":"What is the capital of France?"}],"max_tokens":32}"#
    private let streamingChat = #"{"model":"llama-3.1-8b-instant","messages":[{"role":"user","content":"Hello"}],"max_tokens":16,"stream":true}"#

    private func withMock(_ body: (CurlHTTPClient, String) async throws -> Void) async throws {
        var config = MockServerConfig()
        config.port = 0
        config.allowFaultHeader = true
        config.threads = 1
        let server = try await MockServer.start(config)
        let client = try CurlHTTPClient(
            configuration: HTTPClientConfiguration(connectTimeout: .seconds(2), requestTimeout: .seconds(10)))
        do {
            try await body(client, server.url + "/v1/chat/completions")
        } catch {
            await client.shutdown()
            await server.stop()
            throw error
        }
        await client.shutdown()
        await server.stop()
        #expect(client.liveResources.easyHandles == 0 && client.liveResources.headerLists == 0)
    }

    private func outcome(_ client: CurlHTTPClient, _ url: String, fault: String?, body: String) async -> AttemptOutcome {
        let headers: HTTPHeaders = fault.map { ["x-squall-fault": $0] } ?? [:]
        do {
            return try await client.send(.postJSON(url: url, json: body, headers: headers, timeout: .seconds(2))).attemptOutcome
        } catch {
            return error.attemptOutcome
        }
    }

    @Test func chatCompletionSucceedsOverKeepAlive() async throws {
        try await withMock { client, url in
            let first = try await client.send(.postJSON(url: url, json: chat))
            let second = try await client.send(.postJSON(url: url, json: chat))
            #expect(first.status == 200)
            #expect(first.bodyText.contains("\"chat.completion\""))
            #expect(second.reusedConnection)
            #expect(first.attemptOutcome.isSuccess)
        }
    }

    @Test func faultsAreClassifiedAsTheReliabilityStackExpects() async throws {
        try await withMock { client, url in
            #expect(await outcome(client, url, fault: "drop=reset", body: chat) == .transport(.reset))
            #expect(await outcome(client, url, fault: "drop=truncate, after_bytes=10", body: chat) == .transport(.truncated))
            #expect(await outcome(client, url, fault: "drop=hang", body: chat) == .transport(.timeout))
            let limited = await outcome(client, url, fault: "status=429, retry_after_ms=250", body: chat)
            guard case .response(let status, let hints) = limited else {
                Issue.record("expected a response, got \(limited)")
                return
            }
            #expect(status == 429)
            #expect(hints.retryAfter == .milliseconds(250))
            #expect(hints.errorCode != nil)
        }
    }

    @Test func streamedCompletionDeliversChunksThenDone() async throws {
        try await withMock { client, url in
            let events = Mutex<[SSEEvent]>([])
            let response = try await client.stream(.postJSON(url: url, json: streamingChat)) { event in
                events.withLock { $0.append(event) }
            }
            let seen = events.withLock { $0 }
            #expect(response.status == 200)
            #expect(seen.count >= 2)
            #expect(seen.last?.isDone == true)
            #expect(seen.dropLast().allSatisfy { $0.data.contains("chat.completion.chunk") })
            #expect(response.timing.firstEvent != nil)
        }
    }
}
