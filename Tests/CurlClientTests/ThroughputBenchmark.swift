import Foundation
import Testing

import CurlClient

/// Not a test of correctness: a closed-loop throughput measurement, run only when
/// `SQUALL_CURL_BENCH_URL` is set (e.g. an nginx returning a small JSON on loopback), with
/// `SQUALL_CURL_BENCH_CONNECTIONS` (default 64) and `SQUALL_CURL_BENCH_SECONDS` (default 5).
/// It prints requests/s for tasks on the global executor and for tasks on `client.taskExecutor`.
/// Use a release build for meaningful figures (see docs/curl.md).
@Suite("Throughput benchmark (opt-in)")
struct ThroughputBenchmark {
    static let url = ProcessInfo.processInfo.environment["SQUALL_CURL_BENCH_URL"]

    @Test(.enabled(if: url != nil, "set SQUALL_CURL_BENCH_URL to run"))
    func closedLoopRequestsPerSecond() async throws {
        let env = ProcessInfo.processInfo.environment
        let connections = Int(env["SQUALL_CURL_BENCH_CONNECTIONS"] ?? "") ?? 64
        let seconds = Int(env["SQUALL_CURL_BENCH_SECONDS"] ?? "") ?? 5
        for onLoop in [false, true] {
            let client = try CurlHTTPClient(configuration: HTTPClientConfiguration(maxConnections: connections))
            let (ok, failed, elapsed) = try await Self.run(client, HTTPRequest(url: Self.url!), connections, seconds, onLoop)
            await client.shutdown()
            let rate = Double(ok) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
            print("curl-bench executor=\(onLoop ? "loop" : "global") connections=\(connections) ok=\(ok) failed=\(failed) requests_per_second=\(Int(rate))")
            #expect(ok > 0)
        }
    }

    private static func run(
        _ client: CurlHTTPClient, _ request: HTTPRequest, _ connections: Int, _ seconds: Int, _ onLoop: Bool
    ) async throws -> (Int, Int, Duration) {
        let executor: (any TaskExecutor)? = onLoop ? client.taskExecutor : nil
        try await withThrowingTaskGroup(of: Void.self) { group in  // warm up every connection
            for _ in 0..<connections { group.addTask { _ = try await client.send(request) } }
            try await group.waitForAll()
        }
        let start = ContinuousClock.now
        let deadline = start + .seconds(seconds)
        let (ok, failed) = await withTaskGroup(of: (Int, Int).self) { group in
            for _ in 0..<connections {
                group.addTask(executorPreference: executor) {
                    var ok = 0
                    var failed = 0
                    while ContinuousClock.now < deadline {
                        do {
                            let response = try await client.send(request)
                            if response.status == 200 { ok += 1 } else { failed += 1 }
                        } catch {
                            failed += 1
                        }
                    }
                    return (ok, failed)
                }
            }
            var total = (0, 0)
            for await c in group { total = (total.0 + c.0, total.1 + c.1) }
            return total
        }
        return (ok, failed, ContinuousClock.now - start)
    }
}
