import CommandFlags
import Foundation
import MockLLM
import Scenarios

/// `squall run`'s flags, checked: every error names the flag and what is valid (exit 2).
struct RunSettings: Sendable {
    /// `--mode`, if given.
    var mode: RunMode?
    /// `--time-scale`, if given as a number.
    var timeScale: Double?
    /// `--time-scale auto`: each live scenario's scale is chosen by `TimeScaleCalibration`.
    var autoTimeScale = false
    /// `--llm-url`, if given.
    var llmURL: String?
    /// `--target-url`, if given.
    var targetURL: String?
    /// `--grace`: how long live tasks in flight may finish after the first signal.
    var grace: Duration
    /// `--mock-port`, if given: the in-process mock's loopback port.
    var mockPort: Int? = nil
    /// `--no-tag`: submitted prompts carry no attribution tag.
    var noTag = false
    /// `--mock-token` (or `SQUALL_MOCK_TOKEN`): the external mock's control token.
    var mockToken: String? = nil

    /// Checks the flags that need no scenario: `--out`, `--time-scale`, the URLs, `--grace`, and
    /// live-only flags given with `--mode sim`.
    static func check(
        mode: RunMode?, out: String, timeScale: TimeScaleOption, llmURL: String?, targetURL: String?, grace: String,
        mockPort: Int? = nil, noTag: Bool = false, targetFile: String? = nil, mockToken: String? = nil,
        tokenFlag: String = "--mock-token"
    ) throws(FlagError) -> RunSettings {
        try check(
            mode: mode, out: out, scale: timeScale.timeScale, llmURL: llmURL, targetURL: targetURL, grace: grace,
            mockPort: mockPort, noTag: noTag, targetFile: targetFile, mockToken: mockToken, tokenFlag: tokenFlag)
    }

    /// As `check(mode:out:timeScale:…)`, with the time scale given as a number (nil: not given).
    static func check(
        mode: RunMode?, out: String, scale given: Double?, llmURL: String?, targetURL: String?, grace: String,
        mockPort: Int? = nil, noTag: Bool = false, targetFile: String? = nil, mockToken: String? = nil,
        tokenFlag: String = "--mock-token"
    ) throws(FlagError) -> RunSettings {
        guard !out.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw FlagError("--out '\(out)': expected a directory path (the reports go to OUT/<scenario>/)")
        }
        let scale = try given.map { v throws(FlagError) in try FlagCheck.timeScale(v) }
        let llm = try llmURL.map { u throws(FlagError) in try FlagCheck.httpURL(u, flag: "--llm-url") }
        let target = try targetURL.map { u throws(FlagError) in try FlagCheck.httpURL(u, flag: "--target-url") }
        let graceD = try FlagCheck.duration(grace, flag: "--grace", max: .seconds(3600))
        let port = try mockPort.map { p throws(FlagError) in try FlagCheck.int(p, flag: "--mock-port", in: 1...65535) }
        if let targetFile, target == nil {
            throw FlagError(
                "--target-file \(targetFile) describes the contract of your service at --target-url; give --target-url URL too "
                    + "(or put the contract in the scenario's target:)")
        }
        if port != nil, llm != nil {
            throw FlagError(
                "--mock-port starts Squall's in-process mock on that port and --llm-url names an external one; give one of them")
        }
        if let mockToken {
            guard llm != nil else {
                throw FlagError(
                    "\(tokenFlag) is the control token of an external mock at --llm-url, and no --llm-url was given; "
                        + "give --llm-url URL too (the in-process mock needs no token)")
            }
            guard MockServerConfig.isValidControlToken(mockToken) else {
                throw FlagError(
                    "\(tokenFlag): expected the token `squall mock --control-token` was started with: 1 to 1,024 printable ASCII characters without spaces")
            }
        }
        var settings = RunSettings(mode: mode, timeScale: scale, llmURL: llm, targetURL: target, grace: graceD)
        settings.mockPort = port
        settings.noTag = noTag
        settings.mockToken = mockToken
        if mode == .sim, let flag = settings.liveOnlyFlags.first {
            throw FlagError("\(flag) applies only to live runs, and --mode sim was given; drop it or use --mode live")
        }
        return settings
    }

    /// The live-only flags given (`--time-scale`, `--llm-url`, `--target-url`, `--mock-port`, `--no-tag`,
    /// `--mock-token`).
    var liveOnlyFlags: [String] {
        (timeScale != nil || autoTimeScale ? ["--time-scale"] : []) + (llmURL != nil ? ["--llm-url"] : []) + (targetURL != nil ? ["--target-url"] : [])
            + (mockPort != nil ? ["--mock-port"] : []) + (noTag ? ["--no-tag"] : []) + (mockToken != nil ? ["--mock-token"] : [])
    }

    /// The live options for a scenario run at `timeScale`.
    func liveOptions(timeScale: Double) -> LiveOptions {
        var options = LiveOptions(timeScale: timeScale, llmURL: llmURL, targetURL: targetURL, mockPort: mockPort, tagging: !noTag)
        options.mockToken = mockToken
        return options
    }

    /// With `--target-url`, every live scenario needs a Squall-owned mock the service can be pointed
    /// at (`--mock-port`, `llm: { listen: }` or `--llm-url`): the mock's call log is the only source of
    /// the service's LLM-side figures.
    func checkTargetReachesMock(_ scenarios: [Scenario]) throws(FlagError) {
        guard let targetURL else { return }
        for s in scenarios where (mode ?? s.mode) == .live {
            if s.launch != nil {
                throw FlagError(
                    "\(s.name): --target-url \(targetURL) and the scenario's target.command both name the service to drive; give one "
                        + "(drop --target-url to let Squall start it)")
            }
            if let problem = LiveScenarioDriver.unreachableMock(s, liveOptions(timeScale: 1)) {
                throw FlagError("\(s.name): \(problem)")
            }
        }
    }

    /// With `--target-url`, every expectation of a live scenario must be observable at that target
    /// (issue #9 item 5): a foreign service shows its task outcomes and API, and its LLM calls through
    /// Squall's mock, but not its client stack's events (the breaker's transitions, the idempotency
    /// layer's decisions). An expectation it cannot observe is bad input naming it and the target,
    /// never a verdict.
    /// `expect.service` (the service's latency) needs a task service: a simulated run or a live run
    /// of the in-process stack cannot observe it (exit 2 naming it).
    func checkTargetCanObserve(_ scenarios: [Scenario]) throws(FlagError) {
        for s in scenarios {
            let runMode = mode ?? s.mode
            let target = runMode == .sim ? "the simulator" : "the in-process stack (no 'service:', no --target-url)"
            do {
                try ServiceLatencyExpectation.requireService(
                    s, measuresService: runMode == .live && (targetURL != nil || s.service != nil || s.launch != nil), target: target)
                // A service Squall starts (target.command) shows what a foreign one does.
                if runMode == .live, targetURL == nil, s.service == nil, let launch = s.launch {
                    try ObservabilityCheck.require(
                        s, provided: LiveScenarioDriver.foreignTargetEvidence,
                        target: "target.command '\(launch.process.command)' (a service Squall started, not built)")
                }
            } catch {
                throw FlagError("\(s.name): \(error.message)")
            }
        }
        guard let targetURL else { return }
        for s in scenarios where (mode ?? s.mode) == .live {
            do {
                try ObservabilityCheck.require(
                    s, provided: LiveScenarioDriver.foreignTargetEvidence, target: "--target-url \(targetURL) (a task service Squall did not build)")
            } catch {
                throw FlagError("\(s.name): \(error.message)")
            }
        }
    }

    /// Live-only flags need at least one scenario that runs live (`--mode live`, or a scenario's `mode: live`).
    func checkLiveOnlyFlags(against scenarios: [Scenario]) throws(FlagError) {
        guard let flag = liveOnlyFlags.first else { return }
        let anyLive = scenarios.contains { (mode ?? $0.mode) == .live }
        guard anyLive else {
            throw FlagError(
                "\(flag) applies only to live runs, and every scenario given runs in the simulator; drop it or add --mode live")
        }
    }
}

extension RunSettings {
    /// Live runs must stay within what the live driver holds in memory (`ScenarioLimits.maxLiveTasks`
    /// submissions) and what the load generator can send (`FlagLimits.maxRealRate`, rate × time scale).
    func checkLiveLimits(_ scenarios: [Scenario]) throws(FlagError) {
        for s in scenarios where (mode ?? s.mode) == .live {
            let scale = timeScale ?? s.timeScale ?? 1
            let duplicates = 1 + (s.load.duplicates?.rate ?? 0)
            let tasks = s.load.ratePerSecond * s.duration.seconds * duplicates
            if tasks > Double(ScenarioLimits.maxLiveTasks) {
                throw FlagError(
                    "\(s.name): about \(Int(tasks)) submissions is too many for a live run (at most \(ScenarioLimits.maxLiveTasks)); shorten the duration or run it in the simulator")
            }
            let real = FidelityRule.peakSubmissionRate(s) * scale
            if real > FlagLimits.maxRealRate {
                throw FlagError(
                    "\(s.name): \(Int(real)) tasks/s in real time (rate × time scale \(scale)) is more than the load generator can honour (at most \(Int(FlagLimits.maxRealRate))/s); lower --time-scale")
            }
        }
    }
}

/// Marks a result cut short by a signal as incomplete (unless the driver already said why).
enum RunInterruption {
    static func mark(_ result: inout ScenarioResult, signal: Int32) {
        guard !result.incomplete else { return }
        result.incomplete = true
        result.incompleteReason = "interrupted by \(Interruption.name(signal)); the figures cover what ran until then"
    }
}
