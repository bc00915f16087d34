import Foundation
import RedisStore
import Reliability

/// The Redis a live `service:` run shares between replicas: `SQUALL_REDIS_URL` (or
/// `SQUALL_TEST_REDIS_URL`) when set, else a `redis-server` child process on a free loopback port
/// for the length of the run (no persistence), stopped by `stop()`.
final class RedisProvision {
    /// Where to connect.
    let configuration: RedisConfiguration
    /// The URL, for messages.
    let url: String
    private let process: ChildProcess?

    private init(url: String, configuration: RedisConfiguration, process: ChildProcess?) {
        self.url = url
        self.configuration = configuration
        self.process = process
    }

    /// Environment variables naming an existing Redis, in the order they are consulted.
    static let environmentKeys = ["SQUALL_REDIS_URL", "SQUALL_TEST_REDIS_URL"]

    /// Finds or starts a Redis; waits at most `startTimeout` (real time) for a spawned one to answer.
    static func acquire(
        environment: [String: String] = ProcessInfo.processInfo.environment, startTimeout: Duration = .seconds(5)
    ) async throws(ScenarioRunError) -> RedisProvision {
        for key in environmentKeys {
            guard let url = environment[key], !url.isEmpty else { continue }
            let config: RedisConfiguration
            do { config = try RedisConfiguration(url: url) } catch { throw ScenarioRunError("\(key)=\(url) is not usable: \(error)") }
            do {
                let client = try await RedisClient.connect(config)
                client.close()
            } catch {
                throw ScenarioRunError("cannot reach Redis at \(url) (from \(key)): \(error)")
            }
            return RedisProvision(url: url, configuration: config, process: nil)
        }
        guard let server = executable("redis-server", path: environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin") else {
            throw ScenarioRunError(
                "this scenario's service shares Redis, but SQUALL_REDIS_URL is not set and no redis-server is on PATH; "
                    + "install redis-server (Debian: apt-get install redis-server) or set SQUALL_REDIS_URL=redis://127.0.0.1:6379")
        }
        guard let port = freeLoopbackPort() else { throw ScenarioRunError("no free loopback port for redis-server") }
        let arguments = [
            server, "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no",
            "--loglevel", "warning",
        ]
        let process: ChildProcess
        do { process = try await ChildProcess.start(server, arguments: Array(arguments.dropFirst())) } catch {
            throw ScenarioRunError("\(error)")
        }
        let url = "redis://127.0.0.1:\(port)"
        let config: RedisConfiguration
        do { config = try RedisConfiguration(url: url) } catch {
            process.stop()
            throw ScenarioRunError("\(error)")
        }
        let clock = ContinuousClock()
        let deadline = clock.now + startTimeout
        while clock.now < deadline, process.isRunning {
            if let client = try? await RedisClient.connect(config) {
                client.close()
                return RedisProvision(url: url, configuration: config, process: process)
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
        process.stop()
        throw ScenarioRunError("redis-server did not answer on \(url) within \(DurationFormat.short(startTimeout))")
    }

    /// Stops the child process, if this run started one.
    func stop() { process?.stop() }

    static func executable(_ name: String, path: String) -> String? {
        for dir in path.split(separator: ":") {
            let candidate = String(dir) + "/" + name
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// A port the kernel considers free on 127.0.0.1 right now.
    static func freeLoopbackPort() -> Int? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { return nil }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        guard named == 0 else { return nil }
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}
