import Foundation
import LoadGen
import Reliability

/// How Squall starts the team's own service for a live run (`target: { command: …, ready: … }`).
public struct ServiceProcessSpec: Sendable, Equatable {
    /// The program and its arguments, run as `/bin/sh -c 'exec COMMAND'` (so PATH, quoting and
    /// `$VARS` work, and signals reach the program itself, not a shell). `{port}` is replaced by the
    /// loopback port Squall chose for the service, `{llm_url}` by the mock's base URL.
    public var command: String
    /// Where the command runs (absolute, or relative to `baseDirectory`); nil: `baseDirectory`.
    public var workingDirectory: String?
    /// Added to the environment Squall passes on (values may hold `{port}` and `{llm_url}`); these win
    /// over the LLM variables Squall sets.
    public var environment: [String: String]
    /// A path answered with a 2xx once the service can take tasks (GET, polled every 100 ms).
    public var readyPath: String
    /// Longest real time to wait for `readyPath`.
    public var readyTimeout: Duration
    /// Real time the service may take to exit after SIGTERM at the end of the run before SIGKILL.
    public var stopTimeout: Duration
    /// The directory relative paths are resolved against (the scenario file's directory).
    public var baseDirectory: String

    /// A spec with the defaults: ready at `/health` within 30 s, 30 s to stop.
    public init(
        command: String, workingDirectory: String? = nil, environment: [String: String] = [:], readyPath: String = "/health",
        readyTimeout: Duration = .seconds(30), stopTimeout: Duration = .seconds(30),
        baseDirectory: String = FileManager.default.currentDirectoryPath
    ) {
        self.command = command
        self.workingDirectory = workingDirectory
        self.environment = environment
        self.readyPath = readyPath
        self.readyTimeout = readyTimeout
        self.stopTimeout = stopTimeout
        self.baseDirectory = baseDirectory
    }

    /// The directory the command runs in.
    public var resolvedWorkingDirectory: String {
        guard let dir = workingDirectory, !dir.isEmpty else { return baseDirectory }
        return dir.hasPrefix("/") ? dir : URL(fileURLWithPath: baseDirectory).appendingPathComponent(dir).standardized.path
    }

    /// `text` with `{port}` and `{llm_url}` filled in.
    static func fill(_ text: String, port: Int, llmURL: String) -> String {
        text.replacingOccurrences(of: "{port}", with: String(port)).replacingOccurrences(of: "{llm_url}", with: llmURL)
    }

    /// The variables the service gets on top of Squall's own environment: the base URLs the official
    /// SDKs read, pointed at the mock (`OPENAI_BASE_URL` ends in /v1 as the openai SDK expects;
    /// `GROQ_BASE_URL` is the bare origin, the groq SDK appends /openai/v1), `SQUALL_LLM_URL`, `PORT`,
    /// placeholder API keys unless the environment has real ones (the mock accepts any), then the
    /// scenario's `env:` (which wins).
    func childEnvironment(port: Int, llmURL: String, inherited: [String: String]) -> [String: String?] {
        let origin = llmURL.hasSuffix("/") ? String(llmURL.dropLast()) : llmURL
        var env: [String: String?] = [
            "OPENAI_BASE_URL": origin + "/v1", "GROQ_BASE_URL": origin, "SQUALL_LLM_URL": origin, "PORT": String(port),
        ]
        for key in ["OPENAI_API_KEY", "GROQ_API_KEY"] where (inherited[key] ?? "").isEmpty { env[key] = "squall-mock" }
        for (k, v) in environment { env[k] = Self.fill(v, port: port, llmURL: origin) }
        return env
    }
}

/// The team's service, started by Squall as a child process on a loopback port it chose, with the
/// SDKs' base URLs pointing at Squall's mock; ready once `readyPath` answers 2xx.
public final class ServiceProcess: Sendable {
    /// `http://127.0.0.1:PORT`.
    public let url: String
    /// The port the service was told to listen on.
    public let port: Int
    /// Where its standard output and error went.
    public let logPath: String
    /// The child.
    public let child: ChildProcess
    let spec: ServiceProcessSpec

    private init(url: String, port: Int, logPath: String, child: ChildProcess, spec: ServiceProcessSpec) {
        self.url = url
        self.port = port
        self.logPath = logPath
        self.child = child
        self.spec = spec
    }

    /// Starts the service and waits until it is ready. Exit 3 material (a `ScenarioRunError`) when it
    /// cannot start, exits before it is ready (with the end of its log), or is not ready in time.
    public static func start(
        _ spec: ServiceProcessSpec, llmURL: String, logPath: String, client: any LoadHTTPClient,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) async throws(ScenarioRunError) -> ServiceProcess {
        guard let port = RedisProvision.freeLoopbackPort() else { throw ScenarioRunError("no free loopback port for the service") }
        let command = ServiceProcessSpec.fill(spec.command, port: port, llmURL: llmURL)
        let dir = spec.resolvedWorkingDirectory
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
            throw ScenarioRunError("target.cwd: \(dir) is not a directory")
        }
        let child: ChildProcess
        do {
            child = try await ChildProcess.start(
                "/bin/sh", arguments: ["-c", "exec " + command],
                environment: spec.childEnvironment(port: port, llmURL: llmURL, inherited: environment), workingDirectory: dir, log: logPath,
                // Forked workers (uvicorn/gunicorn --workers) and background helpers end with it.
                ownProcessGroup: true)
        } catch {
            throw ScenarioRunError("target.command: cannot start '\(command)': \(error)")
        }
        let service = ServiceProcess(url: "http://127.0.0.1:\(port)", port: port, logPath: logPath, child: child, spec: spec)
        let readyURL = service.url + (spec.readyPath.hasPrefix("/") ? spec.readyPath : "/" + spec.readyPath)
        let clock = ContinuousClock()
        let deadline = clock.now + spec.readyTimeout
        var last = "no answer"
        while clock.now < deadline {
            if !child.isRunning {
                let exit = await child.exit()
                throw ScenarioRunError(
                    "target.command '\(command)' ended (\(exit)) before \(spec.readyPath) answered; the end of its log (\(logPath)):\n"
                        + Self.tail(of: logPath))
            }
            switch await client.send(HTTPCall(method: "GET", url: readyURL, timeout: .seconds(2))) {
            case .success(let reply) where (200..<300).contains(reply.status):
                return service
            case .success(let reply): last = "HTTP \(reply.status)"
            case .failure(let error): last = "\(error)"
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
        _ = await child.terminate(grace: .seconds(2))
        throw ScenarioRunError(
            "target.ready: \(readyURL) did not answer 2xx within \(DurationFormat.short(spec.readyTimeout)) (last: \(last)); "
                + "the end of the service's log (\(logPath)):\n" + Self.tail(of: logPath))
    }

    /// Sends SIGTERM now (a scenario's `sigterm_at`); the service is expected to drain and exit.
    public func sigterm() { child.signal(SIGTERM) }

    /// Ends the service: SIGTERM, SIGKILL after `stopTimeout`; returns how it ended.
    public func stop() async -> ChildExit { await child.terminate(grace: spec.stopTimeout) }

    /// The last `lines` lines of a log file (at most 8 KB read), for error messages.
    static func tail(of path: String, lines: Int = 20) -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { return "  (no log)" }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        try? handle.seek(toOffset: size > 8192 ? size - 8192 : 0)
        let data = (try? handle.readToEnd()) ?? Data()
        let text = String(decoding: data, as: UTF8.self)
        let last = text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines + 1)
        let body = last.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        return body.isEmpty ? "  (empty)" : body.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n")
    }
}
