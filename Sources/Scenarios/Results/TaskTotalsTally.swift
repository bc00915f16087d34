import Reliability

/// Task counts, failures by cause and the attempts histogram, from the stream of task outcomes.
/// Integer state only; `merge` adds.
public struct TaskTotalsTally: Sendable, Codable, Equatable {
    var submitted = 0
    var duplicates = 0
    var replayed = 0
    var conflicts = 0
    var executed = 0
    var succeeded = 0
    var failed = 0
    var unfinished = 0
    /// Failed tasks by `FailureCause.allCases` index.
    var causes = [Int](repeating: 0, count: FailureCause.allCases.count)
    /// Finished tasks by number of attempts.
    var attempts: [Int] = []
    var attemptSum = 0
    var callSum = 0
    /// Finished tasks by route index.
    var tasksByRoute: [Int] = []

    /// An empty tally.
    public init() {}

    static let causeIndex: [FailureCause: Int] = Dictionary(
        uniqueKeysWithValues: FailureCause.allCases.enumerated().map { ($1, $0) })

    /// Counts one submission's outcome.
    @inline(__always)
    public mutating func record(_ t: TaskRecord) {
        submitted += 1
        if t.duplicate { duplicates += 1 }
        switch t.result {
        case .replayed: replayed += 1
        case .conflict: conflicts += 1
        case .unfinished:
            executed += 1
            unfinished += 1
        case .succeeded, .failed:
            executed += 1
            if t.result == .succeeded {
                succeeded += 1
            } else {
                failed += 1
                causes[Self.causeIndex[t.cause ?? .permanent]!] += 1
            }
            if t.attempts >= attempts.count { attempts.append(contentsOf: repeatElement(0, count: t.attempts - attempts.count + 1)) }
            attempts[t.attempts] += 1
            attemptSum += t.attempts
            callSum += t.calls
            if t.route >= 0 {
                if t.route >= tasksByRoute.count {
                    tasksByRoute.append(contentsOf: repeatElement(0, count: t.route - tasksByRoute.count + 1))
                }
                tasksByRoute[t.route] += 1
            }
        }
    }

    /// Adds another tally's counts (route indices must refer to the same route table).
    public mutating func merge(_ o: TaskTotalsTally) {
        submitted += o.submitted
        duplicates += o.duplicates
        replayed += o.replayed
        conflicts += o.conflicts
        executed += o.executed
        succeeded += o.succeeded
        failed += o.failed
        unfinished += o.unfinished
        for i in causes.indices { causes[i] += o.causes[i] }
        Self.add(&attempts, o.attempts)
        attemptSum += o.attemptSum
        callSum += o.callSum
        Self.add(&tasksByRoute, o.tasksByRoute)
    }

    static func add(_ a: inout [Int], _ b: [Int]) {
        if b.count > a.count { a.append(contentsOf: repeatElement(0, count: b.count - a.count)) }
        for i in b.indices { a[i] += b[i] }
    }

    /// The totals.
    var totals: TaskTotals {
        TaskTotals(submitted: submitted, tasks: executed, succeeded: succeeded, failed: failed, unfinished: unfinished)
    }

    /// Failures by cause, largest first.
    var failuresByCause: [NamedCount] {
        var out: [String: Int] = [:]
        for (i, c) in causes.enumerated() where c > 0 { out[FailureCause.allCases[i].rawValue] = c }
        return NamedCount.sorted(out)
    }

    /// The attempts histogram and means (derived from the integer sums).
    var attemptsSummary: AttemptsSummary {
        let done = succeeded + failed
        var hist: [AttemptsBucket] = []
        for (n, c) in attempts.enumerated() where c > 0 { hist.append(AttemptsBucket(attempts: n, tasks: c)) }
        return AttemptsSummary(
            histogram: hist, meanAttempts: done == 0 ? 0 : Double(attemptSum) / Double(done),
            meanCalls: done == 0 ? 0 : Double(callSum) / Double(done), maxAttempts: hist.last?.attempts ?? 0)
    }
}
