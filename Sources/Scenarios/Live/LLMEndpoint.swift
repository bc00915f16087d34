import Foundation
import LoadGen
import MockLLM
import Reliability

/// The LLM a live run talks to, always a mock Squall owns and reads: an in-process MockLLM serving
/// the scenario's `llm:` profile (on `--mock-port` / `llm: { listen: }`, else a free loopback port),
/// or an external `squall mock` at `--llm-url` that Squall configures before the run
/// (`POST /_squall/run`: run id, profile, time scale, seed) and whose call log it drains over HTTP.
struct LLMEndpoint: Sendable {
    /// Base URL of the OpenAI-compatible API.
    let url: String
    /// The in-process mock, when one was started (stop it after the run).
    let mock: MockServer?
    /// Where the run's call log is read.
    let callLog: any CallLogSource

    /// Uses `given` when set, otherwise starts the mock on `port` (0: any free port). Failing to
    /// start it is a `ScenarioRunError` (exit 3).
    static func make(
        scenario: Scenario, seed: UInt64, timeScale: Double, given: String?, listen: LLMListen?, client: any LoadHTTPClient
    ) async throws -> LLMEndpoint {
        if let given {
            return LLMEndpoint(url: given, mock: nil, callLog: HTTPCallLog(url: given, client: client))
        }
        var config = MockServerConfig()
        config.host = listen?.host ?? "127.0.0.1"
        config.port = listen?.port ?? 0
        config.profile = scenario.llm
        config.seed = seed
        config.timeScale = timeScale
        do {
            let mock = try await MockServer.start(config)
            return LLMEndpoint(url: mock.url, mock: mock, callLog: InProcessCallLog(mock: mock))
        } catch {
            let place = listen.map { "on \($0.host):\($0.port) (--mock-port / llm.listen)" } ?? "on a free loopback port"
            throw ScenarioRunError("cannot start the in-process MockLLM \(place): \(error)")
        }
    }

    /// Starts the run at the mock: its run id, reset counters and call log, scenario time zero now.
    /// An external mock also gets the scenario's profile (when it has one), time scale and seed;
    /// a mock that cannot be reached or refuses is a `ScenarioRunError` (exit 3) naming its URL.
    func startRun(
        _ attribution: RunAttribution, scenario: Scenario, seed: UInt64, timeScale: Double, client: any LoadHTTPClient
    ) async throws {
        if let mock {
            mock.startRun(RunStart(run: attribution.run))
            return
        }
        let origin = HTTPCallLog.origin(of: url)
        var body = "{\"run\":\"\(attribution.run)\",\"time_scale\":\(timeScale),\"seed\":\(seed)"
        if let text = scenario.llmText {
            body += ",\"profile\":"
            JSONText.appendString(text, to: &body)
        }
        body += "}"
        let call = HTTPCall(
            method: "POST", url: origin + "/_squall/run", headers: [HTTPField("Content-Type", "application/json")],
            body: Array(body.utf8), timeout: .seconds(10))
        switch await client.send(call) {
        case .failure(let error):
            throw ScenarioRunError(
                "cannot reach the mock at --llm-url \(url) (POST \(origin)/_squall/run: \(error)); start it with `squall mock --port PORT` or drop --llm-url to use the in-process mock"
            )
        case .success(let reply) where reply.status != 200:
            let text = String(decoding: reply.body.prefix(300), as: UTF8.self)
            throw ScenarioRunError(
                "the mock at --llm-url \(url) refused the run start (POST \(origin)/_squall/run answered \(reply.status): \(text)); --llm-url must be a `squall mock` Squall can configure and read"
            )
        case .success:
            return
        }
    }
}
