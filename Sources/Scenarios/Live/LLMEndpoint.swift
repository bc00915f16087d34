import MockLLM

/// The LLM a live run talks to: the given `--llm-url`, or an in-process MockLLM on a free loopback
/// port serving the scenario's `llm:` profile with the run's seed and time scale.
struct LLMEndpoint: Sendable {
    /// Base URL of the OpenAI-compatible API.
    let url: String
    /// The in-process mock, when one was started (stop it after the run).
    let mock: MockServer?

    /// Uses `given` when set, otherwise starts the mock. Failing to start it is a `ScenarioRunError` (exit 3).
    static func make(scenario: Scenario, seed: UInt64, timeScale: Double, given: String?) async throws -> LLMEndpoint {
        if let given { return LLMEndpoint(url: given, mock: nil) }
        var config = MockServerConfig()
        config.host = "127.0.0.1"
        config.port = 0
        config.profile = scenario.llm
        config.seed = seed
        config.timeScale = timeScale
        do {
            let mock = try await MockServer.start(config)
            return LLMEndpoint(url: mock.url, mock: mock)
        } catch {
            throw ScenarioRunError("cannot start the in-process MockLLM: \(error)")
        }
    }
}
