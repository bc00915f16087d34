import ArgumentParser
import CommandFlags
import Foundation
import Scenarios
import Testing

@testable import squall

/// `squall run`'s live ground-truth flags (`--mock-port`, `--no-tag`) and the rule that a service at
/// `--target-url` must call a mock Squall owns; checked without spawning the binary.
@Suite struct LiveRunFlagTests {
    func runMessage(_ argv: String...) -> String {
        do {
            _ = try RunCommand.parse(argv)
            return ""
        } catch { return RunCommand.message(for: error) }
    }

    static let liveYAML = """
        name: flags
        mode: live
        duration: 10s
        load: { rate: 1/s }
        """

    @Test func mockPortMustBeAPortAndNotComeWithLLMURL() {
        #expect(runMessage("x.yaml", "--mode", "live", "--mock-port", "0").hasPrefix("--mock-port"))
        #expect(runMessage("x.yaml", "--mode", "live", "--mock-port", "70000").hasPrefix("--mock-port"))
        #expect(
            runMessage("x.yaml", "--mode", "live", "--mock-port", "18510", "--llm-url", "http://127.0.0.1:1")
                .contains("give one of them"))
        #expect(runMessage("x.yaml", "--mode", "live", "--mock-port", "18510", "--no-tag") == "")
    }

    @Test func mockPortAndNoTagApplyOnlyToLiveRuns() {
        #expect(runMessage("x.yaml", "--mode", "sim", "--mock-port", "18510").hasPrefix("--mock-port applies only to live runs"))
        #expect(runMessage("x.yaml", "--mode", "sim", "--no-tag").hasPrefix("--no-tag applies only to live runs"))
    }

    @Test func mockTokenNeedsAnExternalMockAndAPrintableToken() throws {
        #expect(
            runMessage("x.yaml", "--mode", "live", "--mock-token", "t0k").hasPrefix(
                "--mock-token is the control token of an external mock at --llm-url, and no --llm-url was given"))
        #expect(
            runMessage("x.yaml", "--mode", "live", "--llm-url", "http://127.0.0.1:1", "--mock-token", "two words").hasPrefix(
                "--mock-token: expected the token `squall mock --control-token` was started with"))
        #expect(
            runMessage("x.yaml", "--mode", "sim", "--llm-url", "http://127.0.0.1:1", "--mock-token", "t0k").contains(
                "applies only to live runs"))
        #expect(runMessage("x.yaml", "--mode", "live", "--llm-url", "http://127.0.0.1:1", "--mock-token", "t0k") == "")
        let settings = try RunCommand.parse(["x.yaml", "--llm-url", "http://127.0.0.1:1", "--mock-token", "t0k"]).settings
        #expect(settings.liveOptions(timeScale: 1).mockToken == "t0k")
    }

    @Test func squallMockTokenIsReadOnlyWithAnExternalMock() throws {
        // A CI job may export SQUALL_MOCK_TOKEN for its live runs against a shared mock: its runs
        // without --llm-url (simulated, or the in-process mock) ignore it; with --llm-url it is the
        // token, and the flag wins over it. (A valid token: harmless to tests parsing at once.)
        setenv("SQUALL_MOCK_TOKEN", "env-t0k", 1)
        defer { unsetenv("SQUALL_MOCK_TOKEN") }
        #expect(runMessage("x.yaml", "--mode", "sim") == "")
        #expect(try RunCommand.parse(["x.yaml", "--mode", "live"]).settings.mockToken == nil)
        #expect(try RunCommand.parse(["x.yaml", "--llm-url", "http://127.0.0.1:1"]).settings.mockToken == "env-t0k")
        #expect(
            try RunCommand.parse(["x.yaml", "--llm-url", "http://127.0.0.1:1", "--mock-token", "flag-t0k"]).settings.mockToken
                == "flag-t0k")
    }

    @Test func theFlagsReachTheLiveOptions() throws {
        let settings = try RunSettings.check(
            mode: .live, out: "R", timeScale: try TimeScaleOption.parse([]), llmURL: nil, targetURL: "http://127.0.0.1:9", grace: "5s",
            mockPort: 18511, noTag: true)
        let options = settings.liveOptions(timeScale: 4)
        #expect(options.mockPort == 18511 && !options.tagging && options.timeScale == 4)
        #expect(options.targetURL == "http://127.0.0.1:9")
    }

    @Test func aTargetURLWithoutAMockTheServiceCanCallIsBadInputSayingHow() throws {
        let s = try ScenarioLoader.parse(Self.liveYAML, file: "flags.yaml")
        let bare = try RunSettings.check(
            mode: nil, out: "R", timeScale: try TimeScaleOption.parse([]), llmURL: nil, targetURL: "http://127.0.0.1:9", grace: "5s")
        do {
            try bare.checkTargetReachesMock([s])
            Issue.record("--target-url without a mock the service can reach was accepted")
        } catch {
            #expect(error.message.contains("must call Squall's mock"), "\(error.message)")
            #expect(error.message.contains("--mock-port PORT") && error.message.contains("--llm-url"))
        }
        let withPort = try RunSettings.check(
            mode: nil, out: "R", timeScale: try TimeScaleOption.parse([]), llmURL: nil, targetURL: "http://127.0.0.1:9", grace: "5s",
            mockPort: 18512)
        try withPort.checkTargetReachesMock([s])
        let withListen = try ScenarioLoader.parse(Self.liveYAML + "\nllm: { listen: 127.0.0.1:18513 }", file: "flags.yaml")
        try bare.checkTargetReachesMock([withListen])
    }

    @Test func anExpectationAForeignTargetCannotObserveIsBadInputNamingIt() throws {
        let settings = try RunSettings.check(
            mode: nil, out: "R", timeScale: try TimeScaleOption.parse([]), llmURL: nil, targetURL: "http://127.0.0.1:9", grace: "5s",
            mockPort: 18514)
        // The breaker's transitions are the service's own client-stack events: not observable there.
        let breaker = try ScenarioLoader.parse(
            Self.liveYAML + "\nstack: { breaker: { failure_threshold: 5 } }\nexpect: { success_rate: \">= 90%\", breaker: { calls_while_open: 0 } }",
            file: "flags.yaml")
        do {
            try settings.checkTargetCanObserve([breaker])
            Issue.record("a breaker expectation against a foreign service was accepted")
        } catch {
            #expect(error.message.contains("breaker.calls_while_open"), "\(error.message)")
            #expect(error.message.contains("--target-url http://127.0.0.1:9"), "\(error.message)")
            #expect(!error.message.contains("success_rate"), "\(error.message)")
        }
        // Task outcomes and LLM calls (through Squall's mock) are observable there.
        let observable = try ScenarioLoader.parse(
            Self.liveYAML + "\nexpect: { success_rate: \">= 90%\", llm_calls_per_task: \"<= 3\" }", file: "flags.yaml")
        try settings.checkTargetCanObserve([observable])
        // Without --target-url the in-process stack shows everything.
        let inProcess = try RunSettings.check(
            mode: nil, out: "R", timeScale: try TimeScaleOption.parse([]), llmURL: nil, targetURL: nil, grace: "5s")
        try inProcess.checkTargetCanObserve([breaker])
    }

    @Test func serviceLatencyExpectationsNeedATaskServiceToBeObserved() throws {
        let s = try ScenarioLoader.parse(Self.liveYAML + "\nexpect: { service: { accept_p99: \"< 200ms\" } }", file: "flags.yaml")
        func message(_ settings: RunSettings, _ scenario: Scenario) -> String? {
            do {
                try settings.checkTargetCanObserve([scenario])
                return nil
            } catch { return error.message }
        }
        // The in-process stack (no service:, no --target-url) and the simulator have no task service.
        let inProcess = try RunSettings.check(mode: nil, out: "R", timeScale: try TimeScaleOption.parse([]), llmURL: nil, targetURL: nil, grace: "5s")
        #expect(message(inProcess, s)?.contains("the in-process stack (no 'service:', no --target-url) cannot observe service.accept_p99") == true)
        let sim = try RunSettings.check(mode: .sim, out: "R", timeScale: try TimeScaleOption.parse([]), llmURL: nil, targetURL: nil, grace: "5s")
        #expect(message(sim, s)?.contains("the simulator cannot observe service.accept_p99") == true)
        // A foreign service at --target-url, or the reference service's replicas, can.
        let target = try RunSettings.check(
            mode: nil, out: "R", timeScale: try TimeScaleOption.parse([]), llmURL: nil, targetURL: "http://127.0.0.1:9", grace: "5s",
            mockPort: 18515)
        #expect(message(target, s) == nil)
        let replicas = try ScenarioLoader.parse(
            Self.liveYAML + "\nservice: { replicas: 1 }\nexpect: { service: { health_max: \"< 1s\" } }", file: "flags.yaml")
        #expect(message(inProcess, replicas) == nil)
    }

    @Test func aScenarioThatStartsItsServiceCannotAlsoTakeTargetURL() throws {
        let s = try ScenarioLoader.parse(
            Self.liveYAML + "\ntarget: { command: \"python app.py\" }\nexpect: { success_rate: \">= 90%\" }", file: "flags.yaml")
        let withURL = try RunSettings.check(
            mode: nil, out: "R", timeScale: try TimeScaleOption.parse([]), llmURL: nil, targetURL: "http://127.0.0.1:9", grace: "5s",
            mockPort: 18516)
        do {
            try withURL.checkTargetReachesMock([s])
            Issue.record("target.command with --target-url was accepted")
        } catch {
            #expect(error.message.contains("--target-url http://127.0.0.1:9") && error.message.contains("target.command"), "\(error.message)")
        }
        // Without --target-url: a service Squall starts shows what a foreign one does (no breaker events).
        let alone = try RunSettings.check(mode: nil, out: "R", timeScale: try TimeScaleOption.parse([]), llmURL: nil, targetURL: nil, grace: "5s")
        try alone.checkTargetReachesMock([s])
        try alone.checkTargetCanObserve([s])
        let breaker = try ScenarioLoader.parse(
            Self.liveYAML + "\nstack: { breaker: { failure_threshold: 5 } }\ntarget: { command: x }\nexpect: { breaker: { calls_while_open: 0 } }",
            file: "flags.yaml")
        #expect(throws: FlagError.self) { try alone.checkTargetCanObserve([breaker]) }
    }

    @Test func aTargetFileNeedsATargetURL() {
        let message = runMessage("x.yaml", "--mode", "live", "--target-file", "contract.yaml")
        #expect(message.contains("--target-file contract.yaml") && message.contains("give --target-url URL too"), "\(message)")
    }
}
