import Synchronization
import Testing

@testable import CurlClient

@Suite("Connections, concurrency, cancellation and shutdown")
struct ConnectionTests {
    @Test func sequentialRequestsReuseOneKeepAliveConnection() async throws {
        try await withServerAndClient { client, server in
            var reused: [Bool] = []
            for _ in 0..<5 {
                let response = try await client.send(HTTPRequest(url: server.base + "/echo"))
                #expect(response.status == 200)
                reused.append(response.reusedConnection)
            }
            #expect(server.acceptedConnections == 1)
            #expect(reused == [false, true, true, true, true])
        }
    }

    @Test func twoHundredConcurrentRequestsStayUnderTheConnectionCap() async throws {
        let config = HTTPClientConfiguration(maxConnections: 8, connectTimeout: .seconds(2), requestTimeout: .seconds(20))
        try await withServerAndClient(config) { client, server in
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<200 {
                    group.addTask { try await client.send(HTTPRequest(url: server.base + "/slow?ms=2")).status }
                }
                var all: [Int] = []
                for try await status in group { all.append(status) }
                return all
            }
            #expect(statuses.count == 200)
            #expect(statuses.allSatisfy { $0 == 200 })
            #expect(server.requestsSeen == 200)
            #expect(server.acceptedConnections <= 8)
            #expect(server.maxConcurrentRequests <= 8)
        }
    }

    @Test func perHostCapLimitsConnectionsToOneHost() async throws {
        let config = HTTPClientConfiguration(
            maxConnections: 16, maxConnectionsPerHost: 2, connectTimeout: .seconds(2), requestTimeout: .seconds(20))
        try await withServerAndClient(config) { client, server in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<40 {
                    group.addTask { _ = try await client.send(HTTPRequest(url: server.base + "/slow?ms=2")) }
                }
                try await group.waitForAll()
            }
            #expect(server.acceptedConnections <= 2)
            #expect(server.requestsSeen == 40)
        }
    }

    @Test func tasksPreferringTheLoopExecutorRunOnTheLoopThread() async throws {
        let config = HTTPClientConfiguration(maxConnections: 4, connectTimeout: .seconds(2), requestTimeout: .seconds(20))
        try await withServerAndClient(config) { client, server in
            #expect(!client.isOnLoopThread)
            let results = try await withThrowingTaskGroup(of: (Int, Bool).self) { group in
                for _ in 0..<50 {
                    group.addTask(executorPreference: client.taskExecutor) {
                        let response = try await client.send(HTTPRequest(url: server.base + "/slow?ms=1"))
                        return (response.status, client.isOnLoopThread)
                    }
                }
                var all: [(Int, Bool)] = []
                for try await r in group { all.append(r) }
                return all
            }
            #expect(results.count == 50)
            #expect(results.allSatisfy { $0.0 == 200 && $0.1 })
            #expect(server.acceptedConnections <= 4)
        }
    }

    @Test func tasksOnTheLoopExecutorContinueElsewhereAfterShutdown() async throws {
        let server = try LoopbackServer()
        defer { server.stop() }
        let client = try CurlHTTPClient()
        let task = Task(executorPreference: client.taskExecutor) {
            let first = await transportError(client, HTTPRequest(url: server.base + "/hang", timeout: .seconds(60)))
            // The loop thread is gone; this job runs on the global executor and still finishes.
            let second = await transportError(client, HTTPRequest(url: server.base + "/echo"))
            return (first, second, client.isOnLoopThread)
        }
        #expect(await eventually { server.requestsSeen == 1 })
        await client.shutdown()
        let (first, second, onLoop) = await task.value
        #expect(first?.isShutdown == true)
        #expect(second?.isShutdown == true)
        #expect(!onLoop)
        #expect(client.liveResources.easyHandles == 0 && client.liveResources.headerLists == 0)
    }

    @Test func cancellingTheTaskAbandonsTheTransferPromptly() async throws {
        try await withServerAndClient { client, server in
            let task = Task {
                await transportError(client, HTTPRequest(url: server.base + "/hang", timeout: .seconds(60)))
            }
            #expect(await eventually { server.requestsSeen == 1 })
            task.cancel()
            let error = await task.value
            #expect(error?.isCancellation == true)
            #expect(error?.failure == .timeout)
            // The connection was closed by the client, so the server's handler ended.
            #expect(await eventually { server.hangsEnded == 1 })
            // The client still works afterwards.
            let after = try await client.send(HTTPRequest(url: server.base + "/echo"))
            #expect(after.status == 200)
        }
    }

    @Test func alreadyCancelledTaskNeverSends() async throws {
        try await withServerAndClient { client, server in
            let task = Task {
                withUnsafeCurrentTask { $0?.cancel() }
                return await transportError(client, HTTPRequest(url: server.base + "/echo"))
            }
            let error = await task.value
            #expect(error?.isCancellation == true)
            #expect(server.requestsSeen == 0)
        }
    }

    @Test func shutdownFailsRequestsInFlightAndFreesEveryHandle() async throws {
        let server = try LoopbackServer()
        defer { server.stop() }
        let client = try CurlHTTPClient()
        // Some completed (pooled handles), some failed, two in flight at shutdown.
        _ = try await client.send(HTTPRequest(url: server.base + "/echo"))
        _ = await transportError(client, HTTPRequest(url: server.base + "/reset"))
        // (libcurl retries once on a fresh connection when a reused one dies before any byte.)
        let before = server.requestsSeen
        let hanging = (0..<2).map { _ in
            Task { await transportError(client, HTTPRequest(url: server.base + "/hang", timeout: .seconds(60))) }
        }
        #expect(await eventually { server.requestsSeen == before + 2 })
        #expect(client.liveResources.headerLists == 2)
        await client.shutdown()
        for task in hanging {
            let error = await task.value
            #expect(error?.isShutdown == true)
        }
        #expect(client.liveResources.easyHandles == 0)
        #expect(client.liveResources.headerLists == 0)
        let after = await transportError(client, HTTPRequest(url: server.base + "/echo"))
        #expect(after?.isShutdown == true)
        await client.shutdown()  // idempotent
    }

    @Test func errorPathsReturnEveryHeaderListAndPoolTheHandles() async throws {
        try await withServerAndClient { client, server in
            for path in ["/reset", "/truncate", "/close-empty", "/chunked-cut", "/echo", "/status?code=500"] {
                _ = await transportError(client, HTTPRequest(url: server.base + path))
            }
            _ = await transportError(client, HTTPRequest(url: server.base + "/hang", timeout: .milliseconds(50)))
            _ = await transportError(client, HTTPRequest(url: "http://127.0.0.1:\(LoopbackServer.closedPort())/"))
            #expect(client.liveResources.headerLists == 0)
            #expect(client.liveResources.easyHandles == 1)
        }
    }
}
