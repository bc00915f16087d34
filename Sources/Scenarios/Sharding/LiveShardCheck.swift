/// What a sharded live run (`squall run --mode live --shard I/N`) cannot do, checked before the
/// run (exit 2 naming the flag or the expectation and why): N processes drive one target
/// together, each with its own in-process stack and its own reading of the one call log, and the
/// merge adds what they recorded.
public enum LiveShardCheck {
    /// The flags and scenario a live shard runs with.
    public struct Setup: Sendable {
        /// `--llm-url`.
        public var llmURL: String?
        /// `--target-url`.
        public var targetURL: String?
        /// `--mock-port`.
        public var mockPort: Int?
        /// `--time-scale auto` (or the scenario's `time_scale: auto`) is in force.
        public var autoTimeScale: Bool
        /// Creates a setup.
        public init(llmURL: String?, targetURL: String?, mockPort: Int?, autoTimeScale: Bool) {
            self.llmURL = llmURL
            self.targetURL = targetURL
            self.mockPort = mockPort
            self.autoTimeScale = autoTimeScale
        }
    }

    /// Why `scenario` cannot run as a live shard with `setup`, or nil when it can.
    public static func problem(_ scenario: Scenario, _ setup: Setup) -> String? {
        if setup.mockPort != nil {
            return "--mock-port starts an in-process mock, which the other shard processes cannot share; drop it and give every "
                + "shard the same external mock with --llm-url"
        }
        if setup.llmURL == nil {
            return "--shard in live mode needs --llm-url: the in-process mock cannot be shared between shard processes, and "
                + "every LLM-side figure comes from one mock's call log; start one `squall mock --port PORT` that every shard "
                + "(and the service under --target-url) reaches, and pass --llm-url http://HOST:PORT"
        }
        if setup.targetURL == nil, scenario.service != nil {
            return "\(scenario.name): its 'service:' section runs the task service's replicas inside the squall process, so "
                + "each shard would drive a service of its own; start the service once and pass --target-url, or run it unsharded"
        }
        if setup.targetURL == nil, let launch = scenario.launch {
            return "\(scenario.name): target.command '\(launch.process.command)' would be started by every shard; start the "
                + "service once (pointed at the mock at --llm-url) and pass --target-url"
        }
        if setup.autoTimeScale {
            return "--time-scale auto calibrates in each process, so shards could choose different scales; give every shard "
                + "the same --time-scale K"
        }
        let service = setup.targetURL != nil
        for e in scenario.expectations {
            if let why = unmergeable(e, service: service) {
                return "\(scenario.name): \(e.name) cannot be judged on a sharded live run: \(why); drop it for the sharded "
                    + "run, or gate it on an unsharded live run"
            }
        }
        return nil
    }

    /// Why expectation `e` does not merge across independent live shards; nil when it does.
    static func unmergeable(_ e: Expectation, service: Bool) -> String? {
        switch e {
        case .breakerOpensWithin, .breakerClosesWithin, .breakerHalfOpenProbes, .breakerCycles, .breakerCallsWhileOpen,
            .breakerOpensAfter, .breakerOpensWithinCrossing, .breakerClosesWithinFirstRequest:
            return service
                ? "a foreign service's breaker is inferred at the LLM from the whole call log in time order, and each "
                    + "shard reads only its own keys' calls"
                : "each shard runs its own in-process stack with its own breaker, so no shard sees the one breaker an "
                    + "unsharded run has, and N breakers' transitions do not add up to it"
        case .serviceLatency:
            return "the service's latency is kept per shard as percentiles, which do not merge exactly"
        default:
            return nil
        }
    }
}
