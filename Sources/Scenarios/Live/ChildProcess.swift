import Foundation
import Subprocess
import Synchronization

#if canImport(System)
    import System
#else
    import SystemPackage
#endif

/// How a child process ended.
public enum ChildExit: Sendable, Equatable, CustomStringConvertible {
    /// It exited with this status code.
    case exited(Int32)
    /// A signal ended it.
    case signalled(Int32)
    /// It could not be started (the message says why).
    case failedToStart(String)

    /// "exit 0", "signal 15 (SIGTERM)", "did not start: …".
    public var description: String {
        switch self {
        case .exited(let code): "exit \(code)"
        case .signalled(let signal): "signal \(signal)\(Self.signalName(signal).map { " (\($0))" } ?? "")"
        case .failedToStart(let why): "did not start: \(why)"
        }
    }

    static func signalName(_ signal: Int32) -> String? {
        switch signal {
        case SIGTERM: "SIGTERM"
        case SIGKILL: "SIGKILL"
        case SIGINT: "SIGINT"
        case SIGSEGV: "SIGSEGV"
        case SIGABRT: "SIGABRT"
        default: nil
        }
    }
}

/// A long-running child process of a live run (the `redis-server` a `service:` run starts; the
/// team's own service), run with swift-subprocess.
///
/// swift-subprocess starts the child with every signal at its default action and an empty signal
/// mask, so a child of this process — which ignores SIGTERM and SIGINT for its own graceful
/// shutdown, and ignored signals are inherited across exec — still stops on SIGTERM. The child is
/// registered with `SpawnedProcesses` while it runs, so an immediate exit (a second signal) stops it
/// too. Its standard output and error go to a log file or nowhere.
///
/// swift-subprocess runs a child for the length of one `run { execution in … }` call; this class
/// keeps that call open in a task of its own until `terminate(grace:)` or `stop()` asks it to end, or
/// the child exits by itself (looked at every 20 ms without reaping it: `waitid(WNOWAIT)`).
public final class ChildProcess: Sendable {
    /// The child's process id.
    public let pid: pid_t
    private let request: RequestBox
    private let finished: Task<ChildExit, Never>

    final class RequestBox: Sendable {
        let value = Mutex<Request>(.none)
        func get() -> Request { value.withLock { $0 } }
        func set(_ body: (inout Request) -> Void) { value.withLock { body(&$0) } }
    }

    enum Request: Sendable {
        case none
        /// End it: SIGTERM, SIGKILL after the grace.
        case teardown(Duration)
        /// Someone else ended it already (`stop()`): just let swift-subprocess reap it.
        case release
    }

    /// Whether the child leads a process group of its own (see `start`'s `ownProcessGroup`).
    public let leadsGroup: Bool

    private init(pid: pid_t, leadsGroup: Bool, request: RequestBox, finished: Task<ChildExit, Never>) {
        self.pid = pid
        self.leadsGroup = leadsGroup
        self.request = request
        self.finished = finished
    }

    /// Starts `executable` (a path) with `arguments`, the current environment updated with
    /// `environment` (a nil value removes a variable), in `workingDirectory` (default: this process's),
    /// writing its standard output and error to `log` (appended; nil: discarded). With
    /// `ownProcessGroup` the child leads a new process group, and whatever it started (forked
    /// workers, a `cmd &` in its shell) is killed with it once it has ended: as a container runtime
    /// does, a signal (`signal`, the SIGTERM of `terminate`) goes to the child alone, the final
    /// SIGKILL and the cleanup after its exit to the whole group.
    public static func start(
        _ executable: String, arguments: [String] = [], environment: [String: String?] = [:], workingDirectory: String? = nil,
        log: String? = nil, ownProcessGroup: Bool = false
    ) async throws(ChildProcessError) -> ChildProcess {
        var updates: [Environment.Key: String?] = [:]
        for (name, value) in environment {
            guard let key = Environment.Key(rawValue: name) else { throw ChildProcessError("environment variable '\(name)': not a valid name") }
            updates[key] = value
        }
        var logFD: FileDescriptor?
        if let log {
            do {
                logFD = try FileDescriptor.open(
                    FilePath(log), .writeOnly, options: [.create, .append], permissions: [.ownerReadWrite, .groupRead, .otherRead])
            } catch {
                throw ChildProcessError("cannot open the log file \(log): \(error)")
            }
        }
        var platform = PlatformOptions()
        if ownProcessGroup { platform.processGroupID = 0 }  // a new group, led by the child (pgid = its pid)
        let configuration = Configuration(
            executable: .path(FilePath(executable)), arguments: Arguments(arguments), environment: .inherit.updating(updates),
            workingDirectory: workingDirectory.map { FilePath($0) }, platformOptions: platform)
        let request = RequestBox()
        let (started, announce) = AsyncStream<pid_t>.makeStream()
        let finished = Task<ChildExit, Never> {
            defer { try? logFD?.close() }
            do {
                if let logFD {
                    let out = FileDescriptorOutput.fileDescriptor(logFD, closeAfterSpawningProcess: false)
                    return try await launch(
                        configuration, output: out, error: out, request: request, announce: announce, group: ownProcessGroup)
                }
                return try await launch(
                    configuration, output: .discarded, error: .discarded, request: request, announce: announce, group: ownProcessGroup)
            } catch {
                announce.finish()
                return .failedToStart("\(error)")
            }
        }
        var pid: pid_t?
        for await p in started { pid = p }
        guard let pid else {
            if case .failedToStart(let why) = await finished.value { throw ChildProcessError("cannot start \(executable): \(why)") }
            throw ChildProcessError("cannot start \(executable)")
        }
        return ChildProcess(pid: pid, leadsGroup: ownProcessGroup, request: request, finished: finished)
    }

    private static func launch<O: OutputProtocol, E: ErrorOutputProtocol>(
        _ configuration: Configuration, output: O, error: E, request: RequestBox, announce: AsyncStream<pid_t>.Continuation,
        group: Bool
    ) async throws -> ChildExit {
        let result = try await run(configuration, input: .none, output: output, error: error) { execution in
            let pid = execution.processIdentifier.value
            SpawnedProcesses.register(pid)
            announce.yield(pid)
            announce.finish()
            await supervise(pid: pid, request: request, execution: execution, group: group)
        }
        let pid = result.processIdentifier.value
        if group { killGroup(pid) }
        return exit(result.terminationStatus, pid: pid)
    }

    /// SIGKILL to what is left of the group `pid` led (its own exit leaves forked workers orphaned),
    /// right after it was reaped: the group id stays taken while any member lives, so while members
    /// remain it cannot name another group.
    static func killGroup(_ pid: pid_t) {
        _ = kill(-pid, SIGKILL)
    }

    private static func exit(_ status: TerminationStatus, pid: pid_t) -> ChildExit {
        SpawnedProcesses.unregister(pid)
        switch status {
        case .exited(let code): return .exited(code)
        case .signaled(let signal): return .signalled(signal)
        }
    }

    /// Keeps swift-subprocess's `run` body open until a request comes or the child exits by itself.
    private static func supervise<I, O, E>(pid: pid_t, request: RequestBox, execution: Execution<I, O, E>, group: Bool) async {
        while true {
            switch request.get() {
            case .teardown(let grace):
                // SIGTERM to the child alone; what outlives the grace is killed (the whole group, when it leads one).
                await execution.teardown(using: [
                    .send(signal: .terminate, allowedDurationToNextStep: grace),
                    .send(signal: .kill, toProcessGroup: group, allowedDurationToNextStep: .milliseconds(100)),
                ])
                return
            case .release:
                return
            case .none:
                if hasExited(pid) { return }
                try? await Task.sleep(for: .milliseconds(20))
            }
        }
    }

    /// Whether `pid` has exited, without reaping it (swift-subprocess reaps it when `run` returns).
    static func hasExited(_ pid: pid_t) -> Bool {
        var info = siginfo_t()
        let rc = waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT)
        if rc != 0 { return errno == ECHILD }
        return info.si_signo != 0  // zeroed, and set (SIGCHLD) only when the child has changed state
    }

    /// Whether the child is still running.
    public var isRunning: Bool { !Self.hasExited(pid) && !finishedAlready }

    private var finishedAlready: Bool {
        if case .release = request.get() { return true }
        return false
    }

    /// Sends `signal` to the child now (e.g. SIGTERM at a scenario's `sigterm_at`), without waiting.
    public func signal(_ signal: Int32) {
        if isRunning { kill(pid, signal) }
    }

    /// Ends the child: SIGTERM, then SIGKILL if it is still running after `grace`; returns how it ended.
    public func terminate(grace: Duration = .seconds(2)) async -> ChildExit {
        request.set { if case .none = $0 { $0 = .teardown(grace) } }
        return await finished.value
    }

    /// Waits until the child has ended by itself; returns how it ended.
    public func exit() async -> ChildExit { await finished.value }

    /// Ends the child from synchronous code (a `defer`): SIGTERM, SIGKILL if it is still running
    /// after 2 s; returns once it has exited (swift-subprocess reaps it in the background).
    public func stop() {
        let wasRunning = isRunning
        if wasRunning {
            kill(pid, SIGTERM)
            var waited = 0
            while !Self.hasExited(pid), waited < 200 {
                usleep(10_000)
                waited += 1
            }
            if !Self.hasExited(pid) { kill(pid, SIGKILL) }
        }
        // Only while its pid is surely still ours (it was running a moment ago): an empty group's id
        // may since name another process's group. After an exit by itself, `launch` cleaned up.
        if leadsGroup, wasRunning { Self.killGroup(pid) }
        request.set { $0 = .release }
    }
}

/// A child process could not be started.
public struct ChildProcessError: Error, CustomStringConvertible {
    /// What went wrong, naming the program.
    public var description: String
    init(_ description: String) { self.description = description }
}
