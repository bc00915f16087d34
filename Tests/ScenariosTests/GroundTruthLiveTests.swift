import Foundation
import LoadGen
import MockLLM
import Reliability
import Testing

@testable import Scenarios

/// A live run's LLM-side figures come from the mock's call log, so with a deterministic fault
/// profile the simulator and a live run count the same calls, executions, tokens and cost
/// (issue #10 item 7). Bounded: 20 tasks, about one second of wall-clock time per run.
@Suite(.serialized) struct GroundTruthLiveTests {
    static let yaml = """
        name: ground-truth
        seed: 5
        duration: 10s
        load:
          rate: 2/s
          arrival: constant
          prompts:
            - { text: "What is the capital of France?", weight: 0.5 }
            - { text: "Draft a migration plan for moving our billing jobs to a queue with retries.", weight: 0.5 }
        stack:
          timeout: 10s
          retry: { attempts: 4, multiplier: 1, min: 1s, max: 1s, jitter: none }
          breaker: off
          idempotency: { ttl: 24h }
        llm:
          latency: { fixed: 100ms }
          reply: { tokens: 40 }
          faults:
            - { first_k_per_key: 2, status: 503 }
        expect:
          success_rate: ">= 99%"
          llm_calls_per_task: "<= 3"
        """

    static func check(live: ScenarioResult, sim: ScenarioResult) {
        #expect(live.totals.submitted == sim.totals.submitted)
        #expect(live.usage.llmCalls == sim.usage.llmCalls, "calls live \(live.usage.llmCalls) sim \(sim.usage.llmCalls)")
        #expect(live.usage.executions == sim.usage.executions)
        #expect(
            live.usage.promptTokens == sim.usage.promptTokens, "prompt tokens live \(live.usage.promptTokens) sim \(sim.usage.promptTokens)"
        )
        #expect(live.usage.completionTokens == sim.usage.completionTokens)
        #expect(live.usage.cost == sim.usage.cost)
        #expect(live.duplicates.maxExecutionsPerKey == sim.duplicates.maxExecutionsPerKey)
        #expect(live.attempts.meanCalls == sim.attempts.meanCalls)
        #expect(live.usage.byModel.map(\.llmCalls) == sim.usage.byModel.map(\.llmCalls))
        #expect(live.usage.byRoute.map(\.cost) == sim.usage.byRoute.map(\.cost))
    }

    @Test func simAndLiveCountTheSameCallsExecutionsTokensAndCost() async throws {
        let s = try scenario(Self.yaml)
        let runner = ScenarioRunner(drivers: [SimulationDriver(), LiveScenarioDriver(options: LiveOptions(timeScale: 10))])
        let sim = try await runner.run(s, mode: .sim)
        let live = try await runner.run(s, mode: .live)
        // Every key's first two calls fail: three calls and one execution per task.
        #expect(sim.usage.llmCalls == 3 * sim.totals.submitted && sim.usage.executions == sim.totals.submitted)
        Self.check(live: live, sim: sim)
        let log = try #require(live.llmLog)
        #expect(log.source.hasPrefix("in-process mock at http://127.0.0.1:"))
        #expect(log.counted == live.usage.llmCalls && log.attributed == log.counted && log.untagged == 0)
        #expect(log.dropped == 0 && log.warnings.isEmpty && !live.incomplete)
        #expect(live.passed, "\(live.expectations.filter { !$0.passed })")
    }

    @Test func anExternalMockIsConfiguredForTheRunAndReadOverHTTP() async throws {
        let s = try scenario(Self.yaml)
        // A plain `squall mock` with no profile: the run start hands it the scenario's profile.
        var config = MockServerConfig()
        config.port = 0
        let mock = try await MockServer.start(config)
        let runner = ScenarioRunner(drivers: [
            SimulationDriver(), LiveScenarioDriver(options: LiveOptions(timeScale: 10, llmURL: mock.url, runID: "ext00001")),
        ])
        let live = try await runner.run(s, mode: .live)
        let sim = try await runner.run(s, mode: .sim)
        let calls = mock.calls(after: 0, limit: 10_000)
        await mock.stop()
        Self.check(live: live, sim: sim)
        let log = try #require(live.llmLog)
        #expect(log.source == mock.url.replacingOccurrences(of: "/v1", with: ""))
        #expect(log.run == "ext00001" && calls.run == "ext00001")
        #expect(log.counted == calls.records.count && log.attributed == log.counted)
    }

    @Test func anExternalMockWithAControlTokenIsConfiguredWithMockTokenAndRefusedWithoutIt() async throws {
        // `squall mock --control-token`: its control API (run start, call log) answers only with
        // the token. Without `--mock-token` the run is a could-not-run error saying how; with a
        // wrong one it says the token is not the mock's; with the right one the run goes through.
        let s = try scenario(Self.yaml)
        var config = MockServerConfig()
        config.port = 0
        config.controlToken = "s3cret-token"
        let mock = try await MockServer.start(config)
        for token in [nil, "wrong"] as [String?] {
            var options = LiveOptions(timeScale: 10, llmURL: mock.url)
            options.mockToken = token
            do {
                _ = try await LiveScenarioDriver(options: options).run(s, seed: nil, tasksCSV: nil)
                Issue.record("the run went through without the mock's token (given: \(token ?? "none"))")
            } catch let error as ScenarioRunError {
                #expect(error.message.contains("--mock-token"), "\(error.message)")
                #expect(error.message.contains(token == nil ? "needs a token" : "is not the one"), "\(error.message)")
            }
        }
        var options = LiveOptions(timeScale: 10, llmURL: mock.url, runID: "tok00001")
        options.mockToken = "s3cret-token"
        let runner = ScenarioRunner(drivers: [SimulationDriver(), LiveScenarioDriver(options: options)])
        let live: ScenarioResult
        do { live = try await runner.run(s, mode: .live) } catch {
            await mock.stop()
            throw error
        }
        let calls = mock.calls(after: 0, limit: 10_000)
        await mock.stop()
        let log = try #require(live.llmLog)
        #expect(log.run == "tok00001" && calls.run == "tok00001")
        #expect(log.counted == calls.records.count && log.counted > 0 && log.attributed == log.counted)
    }

    @Test(arguments: [(401, nil), (401, "wrong"), (403, nil)] as [(Int, String?)])
    func aControlAPIRefusalSaysWhichTokenIsMissing(status: Int, token: String?) async throws {
        // 401: the mock has a token (none or another was sent); 403: the mock has none and answers
        // its control API on loopback only (a caller beyond loopback), which no token can fix.
        struct Refusing: LoadHTTPClient {
            let status: Int
            func send(_ call: HTTPCall) async -> Result<HTTPReply, TransportFailureError> {
                .success(HTTPReply(status: status, body: Array(#"{"error":"refused"}"#.utf8)))
            }
        }
        let endpoint = LLMEndpoint(
            url: "http://10.0.0.9:8080", mock: nil, callLog: HTTPCallLog(url: "http://10.0.0.9:8080", client: Refusing(status: status)),
            token: token)
        do {
            _ = try await endpoint.startRun(
                RunAttribution(run: "ref00001"), scenario: try scenario(Self.yaml), seed: 1, timeScale: 1, client: Refusing(status: status))
            Issue.record("a \(status) was accepted")
        } catch let error as ScenarioRunError {
            let expected =
                status == 403 ? "on loopback only" : token == nil ? "needs a token" : "is not the one it was started with"
            #expect(error.message.contains(expected), "\(error.message)")
        }
        do {
            _ = try await HTTPCallLog(url: "http://10.0.0.9:8080", client: Refusing(status: status), token: token).page(after: 0, limit: 10)
            Issue.record("a \(status) call-log read was accepted")
        } catch {
            #expect(error.message.contains("--mock-token"), "\(error.message)")
        }
    }

    @Test func withTaggingOffCallsCountButNoneIsAttributedToAKey() async throws {
        let s = try scenario(Self.yaml)
        let runner = ScenarioRunner(drivers: [LiveScenarioDriver(options: LiveOptions(timeScale: 10, tagging: false))])
        let live = try await runner.run(s, mode: .live)
        let log = try #require(live.llmLog)
        #expect(!log.tagged && log.attributed == 0 && log.untagged == live.usage.llmCalls && log.counted > 0)
    }

    @Test func aDeadExternalMockIsACouldNotRunErrorNamingItsURL() async throws {
        let s = try scenario(Self.yaml)
        let driver = LiveScenarioDriver(options: LiveOptions(timeScale: 10, llmURL: "http://127.0.0.1:1"))
        do {
            _ = try await driver.run(s, seed: nil, tasksCSV: nil)
            Issue.record("a dead --llm-url was accepted")
        } catch let error as ScenarioRunError {
            #expect(error.message.contains("http://127.0.0.1:1"), "\(error.message)")
        }
    }

    @Test func aTargetURLWithoutAMockTheServiceCanReachIsRefused() throws {
        let s = try scenario(Self.yaml)
        let problem = LiveScenarioDriver.unreachableMock(s, LiveOptions(targetURL: "http://127.0.0.1:9"))
        #expect(problem?.contains("--mock-port") == true)
        #expect(LiveScenarioDriver.unreachableMock(s, LiveOptions(targetURL: "http://127.0.0.1:9", mockPort: 18501)) == nil)
        #expect(LiveScenarioDriver.unreachableMock(s, LiveOptions(llmURL: "http://127.0.0.1:2", targetURL: "http://127.0.0.1:9")) == nil)
        var listening = s
        listening.llmListen = LLMListen(port: 18502)
        #expect(LiveScenarioDriver.unreachableMock(listening, LiveOptions(targetURL: "http://127.0.0.1:9")) == nil)
    }

    @Test func expectationsOnLLMCallsGetNoEvidenceWhenTheMockSawNoCall() throws {
        let s = try scenario(Self.yaml)
        var r = simulate(s)
        r.llmLog = LLMCallLogSummary(source: "m", run: "abcd1234", tagged: true)
        LLMEvidence.withhold(s, from: &r)
        #expect(verdict(r, "llm_calls_per_task")?.status == .noEvidence)
        #expect(verdict(r, "success_rate")?.status == .pass)
    }

    @Test func perKeyExpectationsGetNoEvidenceWhenNoCallWasAttributedToAKey() throws {
        let s = try scenario(Self.yaml + "\n  duplicate_executions: 0")
        for tagged in [false, true] {
            var r = simulate(s)
            var log = LLMCallLogSummary(source: "m", run: "abcd1234", tagged: tagged)
            log.counted = 40
            r.llmLog = log
            LLMEvidence.withhold(s, from: &r)
            #expect(verdict(r, "duplicate_executions")?.status == .noEvidence)
            #expect(verdict(r, "llm_calls_per_task")?.status == .pass)
            // Attributed calls: the verdict stands.
            var attributed = simulate(s)
            log.attributed = 40
            attributed.llmLog = log
            LLMEvidence.withhold(s, from: &attributed)
            #expect(verdict(attributed, "duplicate_executions")?.status == .pass)
        }
    }
}

/// `llm: { listen: }` and `load: { tag: }` in a scenario.
struct LiveSchemaKeysTests {
    static func yaml(load: String = "", llm: String = "") -> String {
        """
        name: keys
        duration: 10s
        load:
          rate: 1/s
        \(load)
        llm:
          latency: { fixed: 10ms }
        \(llm)
        """
    }

    @Test func listenSetsTheInProcessMocksAddressAndIsNotPartOfTheProfile() throws {
        let s = try scenario(Self.yaml(llm: "  listen: 127.0.0.1:18503"))
        #expect(s.llmListen == LLMListen(host: "127.0.0.1", port: 18503))
        #expect(s.llmText?.contains("listen") == false)
        #expect(s.llmText?.contains("latency") == true)
        #expect(try scenario(Self.yaml(llm: "  listen: 18504")).llmListen?.port == 18504)
        #expect(try scenario(Self.yaml()).llmListen == nil)
    }

    @Test func aBadListenAddressNamesTheFieldAndWhatIsValid() {
        let e = loadError(Self.yaml(llm: "  listen: 10.0.0.5:80"))
        #expect(e?.description.contains("llm.listen") == true, "\(String(describing: e))")
        #expect(e?.description.contains("127.0.0.1") == true)
        #expect(loadError(Self.yaml(llm: "  listen: 127.0.0.1:99999")) != nil)
    }

    @Test func tagFalseTurnsTaggingOff() throws {
        #expect(try scenario(Self.yaml(load: "  tag: false")).tagging == false)
        #expect(try scenario(Self.yaml()).tagging == true)
        #expect(loadError(Self.yaml(load: "  tag: maybe")) != nil)
    }
}
