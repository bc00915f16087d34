import Foundation
import Logging
import Reliability
import Synchronization

@testable import LoadGen

/// A virtual clock that jumps: `sleep(until:)` moves time forward to the deadline at once, and
/// fakes advance it to model latency. Deterministic for one task at a time.
final class JumpClock: Clock, @unchecked Sendable {
    struct Instant: InstantProtocol {
        var offset: Duration
        func advanced(by d: Duration) -> Instant { Instant(offset: offset + d) }
        func duration(to other: Instant) -> Duration { other.offset - offset }
        static func < (a: Instant, b: Instant) -> Bool { a.offset < b.offset }
    }
    private let state = Mutex(Duration.zero)
    var now: Instant { Instant(offset: state.withLock { $0 }) }
    var minimumResolution: Duration { .nanoseconds(1) }
    func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        try Task.checkCancellation()
        state.withLock { $0 = max($0, deadline.offset) }
        await Task.yield()
    }
    /// Moves time forward by `d`.
    func advance(by d: Duration) { state.withLock { $0 += d } }
    /// Moves time forward to at least `t`.
    func advance(toAtLeast t: Duration) { state.withLock { $0 = max($0, t) } }
    var elapsed: Duration { state.withLock { $0 } }
}

/// A transport that answers from a script and logs every call with the clock's time.
final class ScriptedTransport: LLMTransport, Sendable {
    struct Call: Sendable {
        var request: LLMRequest
        var at: Duration
        var timeout: Duration
    }
    private let calls = Mutex<[Call]>([])
    private let script: @Sendable (LLMRequest, Int) -> AttemptOutcome
    private let clock: JumpClock
    private let latency: Duration

    /// `script(request, callNumber)` gives the outcome of call number n (0-based, over all tasks).
    init(clock: JumpClock, latency: Duration = .zero, script: @escaping @Sendable (LLMRequest, Int) -> AttemptOutcome) {
        self.clock = clock
        self.latency = latency
        self.script = script
    }

    func send(_ request: LLMRequest, timeout: Duration) async -> AttemptResult {
        let n = calls.withLock { c in
            c.append(Call(request: request, at: clock.elapsed, timeout: timeout))
            return c.count - 1
        }
        if latency > .zero { clock.advance(by: latency) }
        let outcome = script(request, n)
        return AttemptResult(
            outcome: outcome, usage: outcome.isSuccess ? TokenUsage(promptTokens: 10, completionTokens: 5) : nil,
            body: outcome.isSuccess ? "reply to \(request.taskID)" : nil)
    }

    var log: [Call] { calls.withLock { $0 } }
}

/// Collects log messages.
final class CapturedLogs: Sendable {
    struct Entry: Sendable {
        var level: Logger.Level
        var message: String
    }
    private let entries = Mutex<[Entry]>([])
    func append(_ e: Entry) { entries.withLock { $0.append(e) } }
    var all: [Entry] { entries.withLock { $0 } }

    var logger: Logger {
        Logger(label: "test") { _ in Handler(sink: self) }
    }

    struct Handler: LogHandler {
        let sink: CapturedLogs
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            sink.append(Entry(level: event.level, message: event.message.description))
        }
    }
}

/// A target whose tasks wait on a gate the test opens; counts how many are waiting and the most at once.
final class GatedTarget: LoadTarget, Sendable {
    var name: String { "gated" }
    private struct State {
        var waiting: [CheckedContinuation<Void, Never>] = []
        var open = false
        var running = 0
        var maxRunning = 0
        var seen: [LoadTask] = []
    }
    private let state = Mutex(State())
    private let service: (@Sendable (LoadTask) -> Void)?

    /// `service` runs inside each task (e.g. to advance a virtual clock); the gate starts closed
    /// unless `open`.
    init(open: Bool = false, service: (@Sendable (LoadTask) -> Void)? = nil) {
        self.service = service
        state.withLock { $0.open = open }
    }

    func run(_ task: LoadTask) async -> TargetResult {
        state.withLock { s in
            s.running += 1
            s.maxRunning = max(s.maxRunning, s.running)
            s.seen.append(task)
        }
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let go = state.withLock { s -> Bool in
                if s.open { return true }
                s.waiting.append(c)
                return false
            }
            if go { c.resume() }
        }
        service?(task)
        await Task.yield()
        state.withLock { $0.running -= 1 }
        return TargetResult(status: .succeeded, lastOutcome: "200")
    }

    func openGate() {
        let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.open = true
            defer { s.waiting = [] }
            return s.waiting
        }
        for w in waiters { w.resume() }
    }

    var waitingCount: Int { state.withLock { $0.waiting.count } }
    var maxRunning: Int { state.withLock { $0.maxRunning } }
    var seen: [LoadTask] { state.withLock { $0.seen } }
}

/// Polls `condition` until it holds, at most `limit` (real time) in 1 ms steps; returns whether it held.
func eventually(within limit: Duration = .seconds(30), _ condition: () -> Bool) async -> Bool {
    let clock = ContinuousClock()
    let end = clock.now.advanced(by: limit)
    while clock.now < end {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(1))
    }
    return condition()
}
