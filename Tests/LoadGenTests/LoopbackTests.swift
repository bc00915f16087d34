import Foundation
import MockLLM
import Reliability
import Synchronization
import Testing

@testable import LoadGen
import Traffic

#if canImport(Glibc)
    import Glibc
#endif

/// End-to-end over real loopback sockets: LoadGen → libcurl → an in-process MockLLM (127.0.0.1).
/// Every run is bounded by a task count or a short scenario duration at a large time scale.
@Suite("Loopback against MockLLM", .serialized)
struct LoopbackTests {
    func mock(_ profile: String, timeScale: Double = 1) async throws -> MockServer {
        var config = MockServerConfig()
        config.port = 0
        config.threads = 1
        config.timeScale = timeScale
        config.profile = try FaultProfile.parse(profile, file: "test-profile")
        config.profileText = profile
        return try await MockServer.start(config)
    }

    func stackOptions(url: String, tasks: Int, rate: Double = 200, scale: Double = 1) throws -> LoadRunOptions {
        LoadRunOptions(
            target: .stack, url: url, model: .open(try ArrivalSchedule.constant(rate: rate)),
            limit: ArrivalLimit(count: tasks), timeScale: scale,
            stack: StackConfig(breaker: nil, tokenBudget: nil), collectRecords: true, collectEvents: true)
    }

    @Test func retriesHappenAsThePolicySays() async throws {
        // The first two attempts of every task get 503; the policy (1 s, 2 s, … at 1000×) retries twice.
        let server = try await mock("faults: [ { attempt: 1..2, status: 503 } ]")
        let client = try CurlLoadClient(maxConnections: 8)
        var options = try stackOptions(url: server.url, tasks: 6, scale: 1000)
        options.limit = ArrivalLimit(count: 6)
        let result = try await LoadRun.run(options, client: client)
        await client.shutdown()
        let stats = server.state.stats
        await server.stop()

        #expect(result.records.count == 6)
        #expect(result.records.allSatisfy { $0.result.status == .succeeded && $0.result.attempts == 3 && $0.result.calls == 3 })
        #expect(stats.series.filter { $0.key.path == "/v1/chat/completions" }.values.reduce(0, +) == 18)
        #expect(stats.completions == 6)
        let delays = result.events.compactMap { e -> Duration? in
            if case .retryScheduled(_, let delay, _, _, _) = e.event { return delay }
            return nil
        }
        #expect(delays.count == 12)
        #expect(delays.filter { $0 == .seconds(1) }.count == 6)
        #expect(delays.filter { $0 == .seconds(2) }.count == 6)
        let causes = result.events.compactMap { e -> AttemptOutcome? in
            if case .retryScheduled(_, _, _, _, let cause) = e.event { return cause }
            return nil
        }
        #expect(causes.allSatisfy { $0.label == "503" })
    }

    @Test func aFiveMinuteOutageOpensTheBreakerAtItsThresholdAndAProbeClosesItAfter() async throws {
        // Scenario: 1 task/s for 10 min; 503 from 1m to 6m; time scale 100 (10 min of scenario ≈ 6 s real).
        // The assertions are about the mechanism, read from the executor's own events at exact instants
        // (the 5th failure within the window trips the breaker; a successful probe closes it), not about
        // absolute scenario times: at 100× every 10 ms a loaded machine stalls is a full second of
        // scenario time, and the mock's clock and the run's are aligned only to within such a stall.
        let scale = 100.0
        let server = try await mock("faults: [ { during: 1m..6m, status: 503 } ]", timeScale: scale)
        let client = try CurlLoadClient(maxConnections: 32)
        var options = try stackOptions(url: server.url, tasks: 0, rate: 1, scale: scale)
        options.limit = ArrivalLimit(duration: .seconds(600))
        let recovery = Duration.seconds(30)
        options.stack = StackConfig(
            // A generous attempt timeout: the burst of retries released when the breaker closes can
            // queue client-side for a while in real time, which the time scale multiplies.
            attemptTimeout: .seconds(300),
            breaker: BreakerConfig(trip: .failureCount(threshold: 5, window: .seconds(60)), recoveryTimeout: recovery),
            tokenBudget: nil)
        options.preflight = false
        server.state.reset()  // scenario time zero for the mock ≈ the run's start
        let result = try await LoadRun.run(options, client: client)
        await client.shutdown()
        await server.stop()

        var failures: [Duration] = []  // ends of attempts the provider failed (503), in order
        var successes: [Duration] = []
        var starts: [Duration] = []
        var transitions: [BreakerTransition] = []
        for e in result.events {
            switch e.event {
            case .attemptEnded(_, let outcome, _, let at, _):
                if outcome.label == "503" { failures.append(at) } else if outcome.isSuccess { successes.append(at) }
            case .attemptStarted(_, let at): starts.append(at)
            case .breaker(let t): transitions.append(t)
            default: break
            }
        }
        failures.sort()
        successes.sort()
        transitions.sort { $0.at < $1.at }
        #expect(failures.count >= 5, "the provider failed \(failures.count) calls")
        // It opened exactly when the 5th failure (all within its 60 s window) came back, and not before.
        let firstOpen = try #require(transitions.first { $0.to == .open })
        #expect(failures.count >= 5 && firstOpen.at == failures[4], "opened at \(firstOpen.at); failures at \(failures.prefix(6))")
        #expect(failures.count >= 5 && failures[4] - failures[0] <= .seconds(60))
        // Every close is a successful probe coming back after a half-open, at that instant; the last
        // one comes after the last failure and at least one recovery timeout after the breaker's last open.
        let lastClose = try #require(transitions.last { $0.to == .closed })
        #expect(successes.contains(lastClose.at), "closed at \(lastClose.at) without a successful call then")
        let lastFailure = try #require(failures.last)
        #expect(lastClose.at >= lastFailure)
        let lastOpen = try #require(transitions.last { $0.to == .open })
        #expect(lastClose.at - lastOpen.at >= recovery)
        #expect(result.summary.breaker == .closed)
        // No call is sent while the breaker is open (strictly between an open and the next half-open).
        var openSpans: [(Duration, Duration)] = []
        var openedAt: Duration?
        for t in transitions {
            if t.to == .open { openedAt = t.at }
            if t.from == .open, let o = openedAt { openSpans.append((o, t.at)); openedAt = nil }
        }
        #expect(!openSpans.isEmpty)
        #expect(starts.allSatisfy { s in !openSpans.contains { s > $0.0 && s < $0.1 } })
        // Tasks that arrive well after the breaker closed succeed.
        let late = result.records.filter { $0.task.intendedStart >= lastClose.at + .seconds(30) }
        #expect(!late.isEmpty)
        #expect(late.allSatisfy { $0.result.status == .succeeded })
        // Tasks in the middle of the outage were shed or failed, not executed.
        #expect(result.summary.failuresByCause.values.reduce(0, +) > 0)
    }

    @Test(arguments: [true, false])
    func duplicatesReachTheLLMOnceWithIdempotency(idempotency: Bool) async throws {
        let server = try await mock("latency: { fixed: 20ms }")
        let client = try CurlLoadClient(maxConnections: 16)
        var options = try stackOptions(url: server.url, tasks: 30, rate: 100)
        options.stack.idempotencyTTL = idempotency ? .seconds(3600) : nil
        options.duplicates = DuplicatePlan(
            fraction: 1, mix: [.concurrent: 1, .afterCompletion: 1], delay: DurationRange(.zero, .milliseconds(50)))
        let result = try await LoadRun.run(options, client: client)
        await client.shutdown()
        let stats = server.state.stats
        await server.stop()

        #expect(result.records.count == 60)
        #expect(stats.executionsByKey.count == 30)
        if idempotency {
            #expect(stats.executionsByKey.values.allSatisfy { $0 == 1 })
            #expect(result.summary.keysExecutedMoreThanOnce.values.reduce(0, +) == 0)
        } else {
            // The control: without idempotency every duplicate executes again.
            #expect(stats.executionsByKey.values.allSatisfy { $0 == 2 })
        }
    }

    @Test(arguments: [
        ("reset", "reset"), ("truncate", "truncated"), ("malformed", "malformed"), ("empty", "malformed"), ("hang", "timeout"),
    ])
    func droppedConnectionsAreClassified(kind: String, expected: String) async throws {
        let server = try await mock("faults: [ { drop: \(kind) } ]")
        let client = try CurlLoadClient(maxConnections: 4)
        var options = try stackOptions(url: server.url, tasks: 2, rate: 100)
        options.stack.retry.maxAttempts = 1
        options.stack.attemptTimeout = .milliseconds(300)
        let result = try await LoadRun.run(options, client: client)
        await client.shutdown()
        await server.stop()

        #expect(result.records.count == 2)
        for r in result.records {
            #expect(r.result.status == .failed)
            #expect(r.result.lastOutcome == expected, "\(kind) → \(r.result.lastOutcome ?? "nil")")
            #expect(r.result.cause == .attemptsExhausted)
        }
    }

    @Test func rawTargetSendsOnePlainRequestPerTask() async throws {
        let server = try await mock("{}")
        let client = try CurlLoadClient(maxConnections: 8)
        let options = LoadRunOptions(
            target: .raw, url: server.url, model: .open(try ArrivalSchedule.constant(rate: 500)),
            limit: ArrivalLimit(count: 100), collectRecords: true)
        let result = try await LoadRun.run(options, client: client)
        await client.shutdown()
        let stats = server.state.stats
        await server.stop()
        #expect(result.summary.byStatus[.succeeded] == 100)
        #expect(stats.completions == 100)
        #expect(result.summary.lagMicros.totalCount == 100)
        #expect(result.summary.latencyMicros.totalCount == 100)
    }

    @Test func aRequestWaitingForAConnectionIsBuiltOnlyOnceOneIsFree() async throws {
        // One connection, answers after 100 ms, three requests at once: request k may be built only
        // after request k-1 was answered (it then holds none of its bytes while it waits), so the
        // mock has logged at least k-1 calls when request k is built. Building at once (the old
        // order) builds all three before the first answer.
        let server = try await mock("latency: { fixed: 100ms }")
        let client = try CurlLoadClient(maxConnections: 1)
        let seenAtBuild = Counts()
        let body = Array(#"{"model":"m","messages":[{"role":"user","content":"hi"}]}"#.utf8)
        let url = server.url + "/v1/chat/completions"
        let statuses = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<3 {
                group.addTask {
                    let reply = await client.send(building: {
                        let logged = server.calls(after: 0).records.count
                        seenAtBuild.values.withLock { $0.append(logged) }
                        return HTTPCall(
                            method: "POST", url: url, headers: [HTTPField("Content-Type", "application/json")], body: body,
                            timeout: .seconds(10))
                    })
                    return (try? reply.get().status) ?? -1
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        await client.shutdown()
        await server.stop()
        #expect(statuses == [200, 200, 200])
        #expect(seenAtBuild.values.withLock { $0 } == [0, 1, 2])
    }

    final class Counts: Sendable {
        let values = Mutex<[Int]>([])
    }

    @Test func closedLoopRunsAgainstTheMock() async throws {
        let server = try await mock("{}")
        let client = try CurlLoadClient(maxConnections: 4)
        let options = LoadRunOptions(
            target: .raw, url: server.url, model: .closed(users: 4), limit: ArrivalLimit(count: 50))
        let result = try await LoadRun.run(options, client: client)
        await client.shutdown()
        await server.stop()
        #expect(result.summary.byStatus[.succeeded] == 50)
        #expect(result.summary.offered == 50)
    }

    @Test func moreUsersThanConnectionsWaitTheirTurnAndAllComplete() async throws {
        let server = try await mock("latency: { fixed: 2ms }")
        let client = try CurlLoadClient(maxConnections: 2)
        let options = LoadRunOptions(
            target: .raw, url: server.url, model: .closed(users: 40), limit: ArrivalLimit(count: 200))
        let result = try await LoadRun.run(options, client: client)
        await client.shutdown()
        let stats = server.state.stats
        await server.stop()
        #expect(result.summary.byStatus[.succeeded] == 200)
        #expect(stats.completions == 200)
    }

    @Test func preflightFailsFastOnARefusedPort() async throws {
        let client = try CurlLoadClient(maxConnections: 1)
        let port = try closedPort()
        let options = LoadRunOptions(
            target: .raw, url: "http://127.0.0.1:\(port)", model: .open(try ArrivalSchedule.constant(rate: 1)),
            limit: ArrivalLimit(count: 1))
        await #expect(throws: LoadError.self) { try await LoadRun.run(options, client: client) }
        do {
            _ = try await LoadRun.run(options, client: client)
        } catch {
            #expect(error.description.contains("connection refused"))
        }
        await client.shutdown()
    }

    @Test func preflightFailsOnATargetThatDoesNotSpeakHTTP() async throws {
        let listener = try GarbageServer()
        defer { listener.close() }
        let client = try CurlLoadClient(maxConnections: 1)
        do {
            try await Preflight.check(url: "http://127.0.0.1:\(listener.port)", client: client, timeout: .seconds(5))
            Issue.record("preflight accepted a non-HTTP server")
        } catch {
            #expect(error.description.contains("not reachable"))
        }
        await client.shutdown()
    }

    /// A port nothing listens on (bound, then closed).
    func closedPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { Glibc.close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}

/// A loopback TCP server that answers every connection with bytes that are not HTTP, then closes.
final class GarbageServer: @unchecked Sendable {
    let fd: Int32
    let port: Int
    private var thread: Thread?

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        port = Int(UInt16(bigEndian: addr.sin_port))
        listen(fd, 8)
        let listenFD = fd
        let t = Thread {
            for _ in 0..<4 {  // bounded: at most four connections
                let c = accept(listenFD, nil, nil)
                if c < 0 { return }
                var buf = [UInt8](repeating: 0, count: 1024)
                _ = read(c, &buf, buf.count)
                let junk = Array("SSH-2.0-OpenSSH_9.2 not http at all\r\n\r\n".utf8)
                _ = junk.withUnsafeBytes { write(c, $0.baseAddress, $0.count) }
                Glibc.close(c)
            }
        }
        thread = t
        t.start()
    }

    func close() {
        shutdown(fd, Int32(SHUT_RDWR))
        Glibc.close(fd)
    }
}
