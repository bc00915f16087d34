import Foundation
import LoadGen
import MockLLM
import LiveRuntime
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
    /// The external mock's control token (`--mock-token`), nil for none.
    var token: String? = nil

    /// Uses `given` when set, otherwise starts the mock on `port` (0: any free port). Failing to
    /// start it is a `ScenarioRunError` (exit 3).
    static func make(
        scenario: Scenario, seed: UInt64, timeScale: Double, given: String?, listen: LLMListen?, client: any LoadHTTPClient,
        token: String? = nil
    ) async throws -> LLMEndpoint {
        if let given {
            return LLMEndpoint(url: given, mock: nil, callLog: HTTPCallLog(url: given, client: client, token: token), token: token)
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
    /// Returns the wall-clock instant (Unix nanoseconds) of the mock's scenario time zero, when known.
    /// With `join` (a shard of a sharded live run: the start delay), the start joins the run when
    /// the mock already runs it (`"join": true`: nothing reset, the origin in force returned) and
    /// otherwise starts it with scenario time zero `join` from now; a mock running this run id with
    /// another time scale, seed or profile answers 409, reported naming the mismatch.
    func startRun(
        _ attribution: RunAttribution, scenario: Scenario, seed: UInt64, timeScale: Double, client: any LoadHTTPClient,
        join: Duration? = nil
    ) async throws -> Int64? {
        if let mock {
            guard let join else { return mock.startRun(RunStart(run: attribution.run)).originUnixNanos }
            return try mock.state.joinRun(RunStart(run: attribution.run, join: true, startDelay: join)).originUnixNanos
        }
        let origin = HTTPCallLog.origin(of: url)
        var body = "{\"run\":\"\(attribution.run)\",\"time_scale\":\(timeScale),\"seed\":\(seed)"
        if let join {
            let ms = join.components.seconds * 1000 + join.components.attoseconds / 1_000_000_000_000_000
            body += ",\"join\":true,\"start_delay_ms\":\(max(0, ms))"
        }
        if let text = scenario.llmText {
            body += ",\"profile\":"
            JSONText.appendString(text, to: &body)
        }
        body += "}"
        var headers = [HTTPField("Content-Type", "application/json")]
        if let token { headers.append(HTTPField("Authorization", "Bearer \(token)")) }
        let call = HTTPCall(
            method: "POST", url: origin + "/_squall/run", headers: headers, body: Array(body.utf8), timeout: .seconds(10))
        switch await client.send(call) {
        case .failure(let error):
            throw ScenarioRunError(
                "cannot reach the mock at --llm-url \(url) (POST \(origin)/_squall/run: \(error)); start it with `squall mock --port PORT` or drop --llm-url to use the in-process mock"
            )
        case .success(let reply) where reply.status == 409:
            let text = String(decoding: reply.body.prefix(400), as: UTF8.self)
            throw ScenarioRunError(
                "the mock at --llm-url \(url) runs run \(attribution.run) with other settings than this shard "
                    + "(POST \(origin)/_squall/run answered 409: \(text)); every shard must run the same scenario, --seed and --time-scale")
        case .success(let reply) where reply.status != 200:
            if let advice = HTTPCallLog.refusal(status: reply.status, tokenSent: token != nil) {
                throw ScenarioRunError(
                    "the mock at --llm-url \(url) refused the run start (POST \(origin)/_squall/run answered \(reply.status)): \(advice)")
            }
            let text = String(decoding: reply.body.prefix(300), as: UTF8.self)
            throw ScenarioRunError(
                "the mock at --llm-url \(url) refused the run start (POST \(origin)/_squall/run answered \(reply.status): \(text)); --llm-url must be a `squall mock` Squall can configure and read"
            )
        case .success(let reply):
            return Self.origin(reply.body)
        }
    }

    private struct Started: Decodable {
        var originUnixNs: Int64?
    }

    /// `origin_unix_ns` of a `POST /_squall/run` answer, nil when absent.
    static func origin(_ body: [UInt8]) -> Int64? {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return (try? decoder.decode(Started.self, from: Data(body)))?.originUnixNs
    }
}

/// Where a live run's timeline starts. Unsharded: now, with the mock's times shifted by the
/// difference of the two origins. A shard of a sharded live run: at the mock's origin — it waits
/// while the origin lies ahead (the start delay), and a shard that joined after it starts behind
/// (its first submissions are late, measured by the timing-fidelity probe as scheduler lag).
enum LiveJoin {
    /// The timeline and the offset to add to the mock's scenario times; a shard (`options.shard`)
    /// tells `options.capture` how late it started.
    static func timeline(mockOrigin: Int64?, options: LiveOptions) async -> (LiveTimeline, Duration) {
        let scale = options.timeScale
        guard options.shard != nil, let mockOrigin else {
            let timeline = LiveTimeline(scale: scale)
            return (timeline, WallClock.offset(mockOrigin: mockOrigin, timelineOrigin: WallClock.unixNanos(), scale: scale))
        }
        let ahead = mockOrigin - WallClock.unixNanos()
        if ahead > 0 { try? await Task.sleep(for: .nanoseconds(ahead)) }
        let behind = max(0, WallClock.unixNanos() - mockOrigin)
        // A shard that waited for the origin is on time (waking a little late is timer lag, which
        // the fidelity probe measures as such), and so is the one that started the run without a
        // delay (behind by its own round trip); one that arrived later joined late.
        options.capture?.joinedLate = ahead > 0 || behind < 1_000_000 ? .zero : .nanoseconds(behind)
        return (LiveTimeline(scale: scale, startedAgo: .nanoseconds(behind)), .zero)
    }
}

/// The wall clock in Unix nanoseconds (the mock reports its run origin on the same clock).
enum WallClock {
    /// Now, Unix nanoseconds.
    static func unixNanos() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    /// Scenario time to add to the mock's times so they read on a timeline whose origin was
    /// `timelineOrigin` (Unix ns): (mock origin − timeline origin) × scale; zero when the mock's is unknown.
    static func offset(mockOrigin: Int64?, timelineOrigin: Int64, scale: Double) -> Duration {
        guard let mockOrigin else { return .zero }
        return .nanoseconds(Int64((Double(mockOrigin - timelineOrigin) * scale).rounded()))
    }
}
