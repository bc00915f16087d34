/// The whole accumulated state of a `ResultRecorder` — every tally (integer counts, HDR
/// histograms, time bins, per-key tables), the model and route tables — without its setup: what a
/// shard of a sharded simulation writes into its part (`state.json`) and `squall merge` reads back
/// into a recorder built from the same scenario, to merge exactly (issue #13). Codable losslessly:
/// histograms as their recorded values, per-key tables as key/value lists.
public struct RecorderState: Sendable, Codable, Equatable {
    var models: [String]
    var routes: [ResultRecorder.RouteName]
    var totals: TaskTotalsTally
    var latency: LatencyTally
    var attempts: AttemptTally
    var breaker: BreakerTally
    var usage: UsageTally
    var duplicates: DuplicateTally
    var series: TimeSeriesTally
    var windows: WindowTally
    var mechanisms: MechanismTally
    var tokenBudget: TokenBudgetStats
}

extension ResultRecorder {
    /// The recorder's accumulated state (see `RecorderState`).
    public var state: RecorderState {
        RecorderState(
            models: modelNames, routes: routeNames, totals: totals, latency: latency, attempts: attempts, breaker: breaker,
            usage: usage, duplicates: duplicates, series: series, windows: windows, mechanisms: mechanisms,
            tokenBudget: tokenBudget)
    }

    /// This recorder (freshly set up for the same scenario, seed and needs as the one that saved
    /// `state`) holding `state` instead of its own tallies. Throws a message naming what differs
    /// when the state was recorded with another configuration (time-series interval, fault
    /// windows, what the expectations keep) or another model/route table.
    public func restoring(_ state: RecorderState) throws(RecorderStateError) -> ResultRecorder {
        var r = self
        for m in state.models { _ = r.modelIndex(m) }
        for route in state.routes { _ = r.routeIndex(route.name, model: route.model) }
        guard r.modelNames == state.models, r.routeNames == state.routes else {
            throw RecorderStateError(
                "its model and route tables (\(state.models), \(state.routes.map(\.name))) are not this scenario's "
                    + "(\(r.modelNames), \(r.routeNames.map(\.name)))")
        }
        guard state.series.sameShape(as: r.series) else {
            throw RecorderStateError("its time series has another interval than this scenario's")
        }
        guard state.windows.sameShape(as: r.windows), state.mechanisms.active == r.mechanisms.active else {
            throw RecorderStateError("it keeps other fault-window or mechanism aggregates than this scenario's expectations need")
        }
        r.totals = state.totals
        r.latency = state.latency
        r.attempts = state.attempts
        r.breaker = state.breaker
        r.usage = state.usage
        r.duplicates = state.duplicates
        r.series = state.series
        r.windows = state.windows
        r.mechanisms = state.mechanisms
        r.tokenBudget = state.tokenBudget
        return r
    }
}

/// A saved recorder state that does not fit the recorder it is restored into.
public struct RecorderStateError: Error, Sendable, CustomStringConvertible {
    /// What differs.
    public var message: String
    /// Creates the error.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}

extension TimeSeriesTally {
    /// Same interval (bins of two shards line up).
    func sameShape(as o: TimeSeriesTally) -> Bool { intervalNanos == o.intervalNanos }
}

extension WindowTally {
    /// Same windows, scopes, latency histograms and recovery steps (what the expectations keep).
    func sameShape(as o: WindowTally) -> Bool {
        windows.map { [$0.index, Int($0.start), Int($0.end)] } == o.windows.map { [$0.index, Int($0.start), Int($0.end)] }
            && scopes.map { "\($0.window) \($0.scope) \($0.latency != nil)" }
                == o.scopes.map { "\($0.window) \($0.scope) \($0.latency != nil)" }
            && recovery.map { [$0.window, Int($0.step)] } == o.recovery.map { [$0.window, Int($0.step)] } && buffer == o.buffer
    }
}
