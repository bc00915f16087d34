import Dispatch
import Glibc
import Foundation
import LoadGen
import Reporting
import Scenarios
import Synchronization

/// Turns SIGINT and SIGTERM into a graceful stop of a run (`squall run`, `squall load`):
///
/// - the **first** signal asks the run to stop offering load (`OfferStop`), lets the tasks in flight
///   finish for up to the grace period, then cancels the run's Swift task (the simulator stops on
///   cancellation; the live drivers end what is still running with cause `shutdown`); the run returns
///   what it measured and the command writes its report marked incomplete and exits 4;
/// - a **second** signal removes every temporary file (`TemporaryFiles`) and exits at once with the
///   shell's code for death by that signal (128 + N: 130 for SIGINT, 143 for SIGTERM).
///
/// Signals are taken by a `DispatchSource` on a queue of its own, not by a task on Swift's
/// cooperative pool (the ecosystem's `UnixSignalsSequence` delivers through one): a synchronous
/// simulation can hold the pool's threads, and the second signal must act even then.
final class Interruption: Sendable {
    struct State {
        var first: Int32?
        var run: (@Sendable () -> Void)?
        var grace: Duration = .zero
    }
    private let state = Mutex(State())
    private let offers = OfferStop()
    private let exit: @Sendable (Int32) -> Void
    private let queue = DispatchQueue(label: "squall.signals")
    nonisolated(unsafe) private var sources: [any DispatchSourceSignal] = []

    /// A controller whose second signal calls `exit` (default: remove temporary files, then `_exit`).
    init(exit: @escaping @Sendable (Int32) -> Void = Interruption.exitNow) {
        self.exit = exit
    }

    /// Takes SIGINT and SIGTERM from now on (their default action, ending the process, is turned off).
    func install(signals: [Int32] = [SIGINT, SIGTERM]) {
        for signo in signals {
            _ = Glibc.signal(signo, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signo, queue: queue)
            source.setEventHandler { [weak self] in self?.received(signo) }
            source.resume()
            sources.append(source)
        }
    }

    /// The first signal received, if any.
    var signal: Int32? { state.withLock { $0.first } }

    /// Whether a signal arrived.
    var interrupted: Bool { signal != nil }

    /// Handles one signal (what the dispatch source calls; tests call it directly).
    func received(_ signo: Int32) {
        let action: (first: Bool, run: (@Sendable () -> Void)?, grace: Duration) = state.withLock { s in
            if s.first != nil { return (false, nil, .zero) }
            s.first = signo
            return (true, s.run, s.grace)
        }
        guard action.first else {
            exit(signo)
            return
        }
        let name = Self.name(signo)
        FileHandle.standardError.write(
            Data(
                "squall: \(name): stopping (no new tasks; those in flight get up to \(Self.seconds(action.grace))), then the report is written marked incomplete; \(name) again exits at once\n"
                    .utf8))
        offers.stop()
        if let run = action.run { cancel(run, after: action.grace) }
    }

    /// Runs `body` so that a signal stops it as the type describes; returns what `body` returned
    /// (its result covers what ran until the stop). `grace` bounds how long tasks in flight may go on
    /// after the first signal.
    func run<T: Sendable>(grace: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let offers = self.offers
        let task: Task<Result<T, any Error>, Never> = OfferStop.$current.withValue(offers) {
            Task {
                do { return .success(try await body()) } catch { return .failure(error) }
            }
        }
        let stop: @Sendable () -> Void = { task.cancel() }
        let pending: (already: Bool, grace: Duration) = state.withLock { s in
            s.run = stop
            s.grace = grace
            return (s.first != nil, grace)
        }
        if pending.already {
            offers.stop()
            cancel(stop, after: pending.grace)
        }
        let result = await withTaskCancellationHandler {
            await task.value
        } onCancel: {
            task.cancel()
        }
        state.withLock { $0.run = nil }
        return try result.get()
    }

    private func cancel(_ stop: @escaping @Sendable () -> Void, after grace: Duration) {
        if grace <= .zero {
            stop()
            return
        }
        let nanoseconds = grace.components.seconds * 1_000_000_000 + grace.components.attoseconds / 1_000_000_000
        queue.asyncAfter(deadline: .now() + .nanoseconds(Int(nanoseconds))) { stop() }
    }

    /// Removes every temporary file, stops every child process the run started (a `redis-server`),
    /// says so, and ends the process with 128 + `signo`.
    @Sendable static func exitNow(_ signo: Int32) {
        let removed = TemporaryFiles.removeAll()
        let stopped = SpawnedProcesses.terminateAll()
        let children = stopped == 0 ? "" : "; \(stopped) child process\(stopped == 1 ? "" : "es") stopped"
        FileHandle.standardError.write(
            Data(
                "squall: \(name(signo)) again: exiting at once (\(removed) temporary files removed\(children); no report written)\n"
                    .utf8))
        _exit(128 + signo)
    }

    /// `SIGINT`, `SIGTERM`, or `signal N`.
    static func name(_ signo: Int32) -> String {
        switch signo {
        case SIGINT: return "SIGINT"
        case SIGTERM: return "SIGTERM"
        default: return "signal \(signo)"
        }
    }

    static func seconds(_ d: Duration) -> String {
        let s = Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        return s == s.rounded() ? "\(Int(s))s" : "\(s)s"
    }
}

/// The exit code of a run stopped by SIGINT or SIGTERM whose report was written, marked incomplete.
enum InterruptedExit {
    /// 4: the next code after Squall's 0–3; the shell's 128 + N codes (130, 143) keep meaning that
    /// the process was killed without writing anything, as it is after a second signal.
    static let code: Int32 = 4
}
