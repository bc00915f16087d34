import Reliability

/// Per fault window: arrivals and calls inside it (offered load), and — as `ResultNeeds` asks —
/// the executed tasks arriving before, during and after it (counts by result and cause, attempts
/// and calls sums, an HDR latency histogram), success counts in steps after its end (recovery),
/// and the tasks that overlapped no window (the failure arithmetic's steady state). Integer
/// state and HDR histograms only; `merge` adds.
public struct WindowTally: Sendable, Codable, Equatable {
    struct Window: Sendable, Codable, Equatable {
        var index: Int
        var start: Int64
        var end: Int64
        var arrivals = 0
        var llmCalls = 0
    }

    struct Scope: Sendable, Codable, Equatable {
        var window: Int
        var scope: WindowScope
        var count = TaskCount()
        var causes = [Int](repeating: 0, count: FailureCause.allCases.count)
        var attempts = 0
        var calls = 0
        var latency: LatencyRecorder?

        func contains(_ intended: Int64, _ w: Window) -> Bool {
            switch scope {
            case .before: return intended < w.start
            case .during: return intended >= w.start && intended < w.end
            case .after: return intended >= w.end
            }
        }
    }

    struct Recovery: Sendable, Codable, Equatable {
        var window: Int
        var step: Int64
        var before = TaskCount()
        var steps: [TaskCount] = []
        var later = 0
    }

    var windows: [Window]
    var scopes: [Scope] = []
    var recovery: [Recovery] = []
    var steady = TaskCount()
    let buffer: Int64

    /// A tally for the fault windows `windows` keeping what `needs` asks.
    public init(windows info: [FaultWindowInfo], needs: ResultNeeds) {
        windows = info.map {
            Window(index: $0.index, start: Int64(($0.start * 1e9).rounded()), end: Int64(($0.end * 1e9).rounded()))
        }
        buffer = ScenarioClock.nanoseconds(needs.steadyStateBuffer)
        for n in needs.windows {
            guard let w = windows.firstIndex(where: { $0.index == n.window }) else { continue }
            for s in WindowScope.allCases where n.scopes.contains(s) {
                scopes.append(Scope(window: w, scope: s, latency: n.latency ? LatencyRecorder() : nil))
            }
            if let step = n.recoveryStep { recovery.append(Recovery(window: w, step: max(1, ScenarioClock.nanoseconds(step)))) }
        }
    }

    /// Whether the tally has anything to do per event.
    var isEmpty: Bool { windows.isEmpty }

    /// A submission intended to start at `ns`.
    @inline(__always)
    mutating func recordArrival(_ ns: Int64) {
        for i in windows.indices where ns >= windows[i].start && ns < windows[i].end { windows[i].arrivals += 1 }
    }

    /// A call sent at `ns`.
    @inline(__always)
    mutating func recordCall(_ ns: Int64) {
        for i in windows.indices where ns >= windows[i].start && ns < windows[i].end { windows[i].llmCalls += 1 }
    }

    /// An executed task that finished (`succeeded` or failed with `cause`).
    mutating func recordFinished(
        intended: Int64, finished: Int64, micros: Int64, succeeded: Bool, cause: FailureCause?, attempts: Int, calls: Int
    ) {
        var overlaps = false
        for w in windows where finished >= w.start && intended < w.end + buffer {
            overlaps = true
            break
        }
        if !overlaps {
            steady.tasks += 1
            if succeeded { steady.succeeded += 1 }
        }
        for i in scopes.indices where scopes[i].contains(intended, windows[scopes[i].window]) {
            scopes[i].count.tasks += 1
            if succeeded {
                scopes[i].count.succeeded += 1
            } else {
                scopes[i].causes[TaskTotalsTally.causeIndex[cause ?? .permanent]!] += 1
            }
            scopes[i].attempts += attempts
            scopes[i].calls += calls
            scopes[i].latency?.recordMicroseconds(micros)
        }
        for i in recovery.indices {
            let w = windows[recovery[i].window]
            if intended < w.start {
                recovery[i].before.tasks += 1
                if succeeded { recovery[i].before.succeeded += 1 }
            } else if intended >= w.end {
                let k = Int((intended - w.end) / recovery[i].step)
                if k >= RecoverySeries.maxSteps {
                    recovery[i].later += 1
                    continue
                }
                if k >= recovery[i].steps.count {
                    recovery[i].steps.append(contentsOf: repeatElement(TaskCount(), count: k - recovery[i].steps.count + 1))
                }
                recovery[i].steps[k].tasks += 1
                if succeeded { recovery[i].steps[k].succeeded += 1 }
            }
        }
    }

    /// Adds another tally's counts (the same windows and needs).
    public mutating func merge(_ o: WindowTally) {
        for i in windows.indices where i < o.windows.count {
            windows[i].arrivals += o.windows[i].arrivals
            windows[i].llmCalls += o.windows[i].llmCalls
        }
        for i in scopes.indices where i < o.scopes.count {
            let x = o.scopes[i]
            scopes[i].count.tasks += x.count.tasks
            scopes[i].count.succeeded += x.count.succeeded
            for k in scopes[i].causes.indices { scopes[i].causes[k] += x.causes[k] }
            scopes[i].attempts += x.attempts
            scopes[i].calls += x.calls
            if let l = x.latency { scopes[i].latency?.merge(l) }
        }
        for i in recovery.indices where i < o.recovery.count {
            let x = o.recovery[i]
            recovery[i].before.tasks += x.before.tasks
            recovery[i].before.succeeded += x.before.succeeded
            if x.steps.count > recovery[i].steps.count {
                recovery[i].steps.append(contentsOf: repeatElement(TaskCount(), count: x.steps.count - recovery[i].steps.count))
            }
            for (k, s) in x.steps.enumerated() {
                recovery[i].steps[k].tasks += s.tasks
                recovery[i].steps[k].succeeded += s.succeeded
            }
            recovery[i].later += x.later
        }
        steady.tasks += o.steady.tasks
        steady.succeeded += o.steady.succeeded
    }

    /// The windows with their observed arrivals and calls filled in.
    func windowInfo(_ info: [FaultWindowInfo]) -> [FaultWindowInfo] {
        var out = info
        for i in out.indices where i < windows.count {
            out[i].arrivals = windows[i].arrivals
            out[i].llmCalls = windows[i].llmCalls
        }
        return out
    }

    /// The aggregates for expectations (everything but the interval outcomes).
    func aggregates() -> RunAggregates {
        var a = RunAggregates()
        a.scopes = scopes.map { s in
            var causes: [String: Int] = [:]
            for (k, c) in s.causes.enumerated() where c > 0 { causes[FailureCause.allCases[k].rawValue] = c }
            return ScopeFigures(
                window: windows[s.window].index, scope: s.scope, tasks: s.count.tasks, succeeded: s.count.succeeded,
                failuresByCause: NamedCount.sorted(causes), attempts: s.attempts, calls: s.calls,
                latency: s.latency?.summary())
        }
        a.recovery = recovery.map {
            RecoverySeries(
                window: windows[$0.window].index, stepSeconds: ScenarioClock.seconds($0.step), before: $0.before,
                steps: $0.steps, later: $0.later)
        }
        if !windows.isEmpty {
            a.steadyState = SteadyStateCounts(
                tasks: steady.tasks, failed: steady.tasks - steady.succeeded, bufferSeconds: ScenarioClock.seconds(buffer))
        }
        return a
    }
}
