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
        do { process = try ChildProcess.spawn(arguments) } catch { throw ScenarioRunError("cannot start \(server): \(error)") }
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

/// A child process started with `posix_spawn`, with SIGTERM and SIGINT at their default actions
/// and no signals blocked (this process may ignore them for its own graceful shutdown, and ignored
/// signals are inherited across exec). Foundation's `Process.waitUntilExit` spins a run loop off
/// the main thread, so the child is reaped with `waitpid`.
final class ChildProcess {
    let pid: pid_t
    private var reaped = false

    private init(pid: pid_t) { self.pid = pid }

    /// Starts `arguments[0]` (a path) with the rest as its arguments; output goes to /dev/null.
    static func spawn(_ arguments: [String]) throws -> ChildProcess {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGTERM)
        sigaddset(&defaults, SIGINT)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, arguments[0], &actions, &attributes, &argv, environ)
        guard rc == 0 else { throw ChildProcessError(code: rc) }
        SpawnedProcesses.register(pid)
        return ChildProcess(pid: pid)
    }

    /// Whether the child is still running (reaps it if it has exited).
    var isRunning: Bool {
        guard !reaped else { return false }
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == pid {
            reaped = true
            SpawnedProcesses.unregister(pid)
        }
        return !reaped
    }

    /// SIGTERM, then SIGKILL if it has not exited within 2 s; reaps it.
    func stop() {
        guard isRunning else { return }
        kill(pid, SIGTERM)
        for _ in 0..<200 {
            if !isRunning { return }
            usleep(10_000)
        }
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        reaped = true
        SpawnedProcesses.unregister(pid)
    }
}

/// `posix_spawn` failed.
struct ChildProcessError: Error, CustomStringConvertible {
    var code: Int32
    var description: String { String(cString: strerror(code)) }
}
