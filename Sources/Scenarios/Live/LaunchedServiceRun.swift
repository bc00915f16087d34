import Foundation
import LiveRuntime
import LoadGen
import MockLLM
import Reliability

/// A live run of the team's own service started by Squall (`target: { command: … }`, issue #9 item 8):
/// the mock first (the child gets its URL in `OPENAI_BASE_URL`, `GROQ_BASE_URL`, `SQUALL_LLM_URL`),
/// then the service on a loopback port (`ServiceProcess`), then the run exactly as with `--target-url`
/// at its URL; SIGTERM at `sigterm_at` (drain time = SIGTERM → exit, real time × the scale); after
/// the run the service is stopped, and every task it accepted that was never seen in a terminal
/// state is **lost** (`ScenarioResult.service`, judged by `expect.shutdown`).
struct LaunchedServiceRun {
    let scenario: Scenario
    let launch: ServiceLaunch
    let seed: UInt64
    let options: LiveOptions
    let drainLimit: Duration

    /// What a foreign target is called in messages.
    var targetName: String { "target.command '\(launch.process.command)' (a service Squall started, not built)" }

    func run(maxConnections: Int, tasksFile: TaskCSVWriter?, logDirectory: String?) async throws -> ScenarioResult {
        do {
            try ObservabilityCheck.require(scenario, provided: LiveScenarioDriver.foreignTargetEvidence, target: targetName)
        } catch {
            throw ScenarioRunError(error.message)
        }
        let client: CurlLoadClient
        do { client = try CurlLoadClient(maxConnections: maxConnections) } catch {
            throw ScenarioRunError("cannot start the HTTP client: \(error)")
        }
        let endpoint: LLMEndpoint
        do {
            endpoint = try await LLMEndpoint.make(
                scenario: scenario, seed: seed, timeScale: options.timeScale, given: options.llmURL, listen: options.listen(scenario),
                client: client, token: options.mockToken)
        } catch {
            await client.shutdown()
            throw error
        }
        let mock = endpoint.mock
        let logPath =
            (logDirectory ?? FileManager.default.temporaryDirectory.path) + "/" + (logDirectory == nil ? "squall-service-\(UUID().uuidString).log" : "service.log")
        let process: ServiceProcess
        do {
            process = try await ServiceProcess.start(launch.process, llmURL: endpoint.url, logPath: logPath, client: client)
        } catch {
            await client.shutdown()
            await mock?.stop()
            throw error
        }
        var runOptions = options
        runOptions.targetURL = process.url
        let attribution = RunAttribution(run: options.runID, tagging: options.tagging && scenario.tagging)
        let live = LiveRun(scenario: scenario, seed: seed, options: runOptions, drainLimit: drainLimit)
        let mockOrigin: Int64?
        do {
            mockOrigin = try await endpoint.startRun(attribution, scenario: scenario, seed: seed, timeScale: options.timeScale, client: client)
        } catch {
            _ = await process.stop()
            await client.shutdown()
            await mock?.stop()
            throw ScenarioRunError("\(error)")
        }
        let timeline = LiveTimeline(scale: options.timeScale)
        let offset = WallClock.offset(mockOrigin: mockOrigin, timelineOrigin: WallClock.unixNanos(), scale: options.timeScale)
        let probe = ServiceLatencyProbe()
        let ledger = TasksLedger()
        let target = TasksTarget(
            urls: [process.url], client: client, timeline: timeline, contract: scenario.target ?? .reference,
            pollInterval: .milliseconds(250).scaled(by: options.timeScale), taskTimeout: drainLimit, probe: probe, ledger: ledger,
            abandon: { !process.child.isRunning })
        // SIGTERM at `sigterm_at`; the drain is SIGTERM → the process's exit.
        let sigterm = launch.sigtermAt.map { at in
            Task { () -> Duration? in
                do { try await timeline.sleep(untilScenario: at) } catch { return nil }
                let clock = ContinuousClock()
                let sent = clock.now
                process.sigterm()
                _ = await process.child.exit()
                return clock.now - sent
            }
        }
        let (result, fileError) = await live.execute(
            llmURL: endpoint.url, client: client, callLog: endpoint.callLog, attribution: attribution, tasksFile: tasksFile,
            target: .service(target), timeline: timeline, mockTimeOffset: offset, breakerObserved: false,
            service: ServiceProbe(probe: probe, urls: [process.url], healthPath: (scenario.target ?? .reference).healthPath))
        sigterm?.cancel()  // not yet sent: never; sent: waits for the exit below
        let exit = await process.stop()
        // Killed after ignoring SIGTERM (`stop_timeout`): it never drained, whatever the clock says.
        let killed = exit == .signalled(SIGKILL)
        let drain = killed ? nil : await sigterm?.value ?? nil
        await client.shutdown()
        await mock?.stop()
        if let fileError { throw ScenarioRunError(fileError) }
        let unfinished = ledger.unfinished
        var out = result
        out.service = ServiceRunSummary(
            replicas: 1, redis: false, accepted: ledger.acceptedCount, lost: unfinished.count, lostIDs: Array(unfinished.prefix(10)),
            endedByShutdown: result.failuresByCause.first { $0.name == FailureCause.shutdown.rawValue }?.count ?? 0,
            sigtermReplica: launch.sigtermAt == nil ? nil : 0, sigtermAtSeconds: launch.sigtermAt?.seconds,
            drainSeconds: drain.map { $0.seconds * options.timeScale })
        out.service?.command = launch.process.command
        if killed { out.service?.killed = true }
        return out
    }
}
