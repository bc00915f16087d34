/// What a run must keep beyond the run-wide figures, configured from the scenario's expectations
/// (contract 5): per fault window, which scopes of arriving tasks (before / during / after) with or
/// without a latency histogram, and the recovery steps; and the margin after each window that the
/// failure arithmetic's steady state leaves out.
public struct ResultNeeds: Sendable, Hashable {
    /// What to keep for one fault window.
    public struct Window: Sendable, Hashable {
        /// 1-based window index.
        public var window: Int
        /// Scopes whose task aggregates are kept.
        public var scopes: Set<WindowScope>
        /// Whether those scopes keep an HDR latency histogram.
        public var latency: Bool
        /// Step of the recovery series after the window; nil for none.
        public var recoveryStep: Duration?
        /// Creates window needs.
        public init(window: Int, scopes: Set<WindowScope> = [], latency: Bool = false, recoveryStep: Duration? = nil) {
            self.window = window
            self.scopes = scopes
            self.latency = latency
            self.recoveryStep = recoveryStep
        }
    }

    /// Per window, in index order.
    public var windows: [Window]
    /// How long after a fault window a task still counts as overlapping it for the failure
    /// arithmetic's steady state (the breaker's longest recovery timeout). Default 0.
    public var steadyStateBuffer: Duration
    /// What the mechanism expectations need kept (breaker crossings, window edges, retry
    /// clustering, Retry-After compliance, re-executions). Default nothing.
    public var mechanisms: MechanismNeeds

    /// Needs; default none.
    public init(windows: [Window] = [], steadyStateBuffer: Duration = .zero, mechanisms: MechanismNeeds = MechanismNeeds()) {
        self.windows = windows
        self.steadyStateBuffer = steadyStateBuffer
        self.mechanisms = mechanisms
    }

    /// The needs of `window`, added when missing.
    public mutating func window(_ index: Int, _ update: (inout Window) -> Void) {
        if let i = windows.firstIndex(where: { $0.window == index }) {
            update(&windows[i])
        } else {
            var w = Window(window: index)
            update(&w)
            windows.append(w)
            windows.sort { $0.window < $1.window }
        }
    }
}
