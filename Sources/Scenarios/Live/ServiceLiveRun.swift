import AgentService
import Foundation
import LiveRuntime
import LoadGen
import Logging
import MockLLM
import RedisStore
import Reliability
import Synchronization

/// A live run through the reference task service (`service:`): an in-process MockLLM with the
/// scenario's `llm:` profile, `ServiceCluster` replicas on loopback ports (sharing Redis when
/// `redis: true`) each running the scenario's stack at the run's time scale, and the scenario's
/// exact submission sequence sent over HTTP through LoadGen's `TasksTarget` balancing over the replicas. At `sigterm.at` one
/// replica is shut down exactly as SIGTERM would; afterwards every task id accepted with 202 is
/// read from the shared store, and any that is missing or not finished counts as lost.
struct ServiceLiveRun: Sendable {
    let scenario: Scenario
    let spec: ServiceSpec
    let seed: UInt64
    let options: LiveOptions
    let drainLimit: Duration

    /// Real time between polls of a task and between looks at a replica's breaker: half a second
    /// of scenario time, kept within 5…100 ms of real time.
    static func pollInterval(scale: Double) -> Duration {
        min(.milliseconds(100), max(.milliseconds(5), Duration.milliseconds(500).scaled(by: 1 / scale)))
    }
    /// Longest real time any one phase of setup or teardown may take.
    static let setupTimeout = Duration.seconds(10)

    func run(maxConnections: Int, tasksFile: TaskCSVWriter? = nil) async throws -> ScenarioResult {
        let scale = options.timeScale
        var redis: RedisProvision?
        if spec.redis { redis = try await RedisProvision.acquire() }
        defer { redis?.stop() }

        let client: CurlLoadClient
        do { client = try CurlLoadClient(maxConnections: maxConnections) } catch {
            throw ScenarioRunError("cannot start the HTTP client: \(error)")
        }
        let endpoint: LLMEndpoint
        do {
            endpoint = try await LLMEndpoint.make(
                scenario: scenario, seed: seed, timeScale: scale, given: options.llmURL, listen: options.listen(scenario),
                client: client)
        } catch {
            await client.shutdown()
            throw error
        }
        let mock = endpoint.mock
        let llmURL = endpoint.url

        var configuration = AgentServiceConfiguration()
        configuration.workers = spec.workers
        configuration.queueLimit = spec.queue
        configuration.drainTimeout = spec.drainTimeout.scaled(by: 1 / scale)
        configuration.idempotencyWait = spec.idempotencyWait.scaled(by: 1 / scale)
        configuration.retryAfter = .milliseconds(100)
        configuration.pollInterval = .milliseconds(20)
        if let ttl = scenario.stack.idempotencyTTL { configuration.idempotencyTTL = ttl }
        var logger = Logger(label: "squall.service.live")
        logger.logLevel = .error
        let cluster: ServiceCluster
        do {
            cluster = try await ServiceCluster.start(
                count: spec.replicas, configuration: configuration, stack: scenario.stack, llmURL: llmURL,
                redis: redis?.configuration, namespace: "squall-live:\(scenario.name):\(UInt32.random(in: 0...UInt32.max))",
                timeScale: scale, logger: logger)
        } catch {
            await client.shutdown()
            await mock?.stop()
            throw ScenarioRunError("cannot start the task service: \(error)")
        }
        let attribution = RunAttribution(run: options.runID, tagging: options.tagging && scenario.tagging)
        let mockOrigin: Int64?
        do {
            mockOrigin = try await endpoint.startRun(attribution, scenario: scenario, seed: seed, timeScale: scale, client: client)
        } catch {
            await client.shutdown()
            await cluster.stop()
            await mock?.stop()
            throw ScenarioRunError("\(error)")
        }
        // Scenario time 0 at the mock == scenario time 0 here.
        let timeline = LiveTimeline(scale: scale)
        let offset = WallClock.offset(mockOrigin: mockOrigin, timelineOrigin: WallClock.unixNanos(), scale: scale)
        // The reference service speaks the reference contract; its replicas share `cluster.store`,
        // read for a task's final state when no replica answers its poll (all shut down).
        let store = cluster.store
        let probe = ServiceLatencyProbe()
        let ledger = TasksLedger()
        let target = TasksTarget(
            urls: cluster.replicas.map(\.url), name: "service", client: client, timeline: timeline, contract: .reference,
            pollInterval: Self.pollInterval(scale: scale).scaled(by: scale), taskTimeout: drainLimit, requestTimeout: .seconds(30),
            probe: probe, ledger: ledger,
            fallback: { id in (try? await store.get(id: id)).flatMap { $0 }.map { $0.jsonBytes() } })
        let live = LiveRun(scenario: scenario, seed: seed, options: options, drainLimit: drainLimit)
        // One replica: its breaker is the run's breaker, observed by polling. Several have one each.
        let executor = spec.replicas == 1 ? (cluster.replicas[0].service.engine.runner as? LiveTaskRunner)?.executor : nil
        let observeBreaker = executor != nil && scenario.stack.breaker != nil
        let sink = EventSink()

        let (result, drainSeconds, fileError) = await withTaskGroup(of: Double?.self) {
            group -> (ScenarioResult, Double?, String?) in
            if let sigterm = spec.sigterm {
                group.addTask {
                    do { try await timeline.sleep(untilScenario: sigterm.at) } catch { return nil }
                    return await cluster.shutdown(replica: sigterm.replica)
                }
            }
            if observeBreaker, let executor, let breaker = scenario.stack.breaker {
                group.addTask {
                    await BreakerObserver(executor: executor, config: breaker, timeline: timeline, interval: .milliseconds(2))
                        .run(sink)
                    return nil
                }
            }
            let (r, fileError) = await live.execute(
                llmURL: llmURL, client: client, callLog: endpoint.callLog, attribution: attribution, tasksFile: tasksFile,
                target: .service(target), timeline: timeline, mockTimeOffset: offset, breakerObserved: observeBreaker,
                service: ServiceProbe(probe: probe, urls: target.urls), attach: { sink.attach($0) })
            sink.close()
            // Stops the observer; a shutdown under way is not interrupted (it waits for its own drain).
            group.cancelAll()
            var drain: Double?
            for await seconds in group { if let seconds { drain = seconds } }
            return (r, drain, fileError)
        }

        var summary = ServiceRunSummary(replicas: spec.replicas, redis: spec.redis, failovers: ledger.failovers)
        if let sigterm = spec.sigterm {
            summary.sigtermReplica = sigterm.replica
            summary.sigtermAtSeconds = sigterm.at.seconds
            summary.drainSeconds = drainSeconds.map { $0 * scale }
        }
        await Self.audit(accepted: ledger.accepted, store: cluster.store, into: &summary)
        await client.shutdown()
        await cluster.stop()
        await mock?.stop()
        if let fileError { throw ScenarioRunError(fileError) }
        var out = result
        out.service = summary
        return out
    }
}

extension ServiceLiveRun {
    /// Reads every accepted task from the store: missing or not finished counts as lost; failed
    /// with cause `shutdown` is counted apart.
    static func audit(accepted: [String], store: any TaskStore, into summary: inout ServiceRunSummary) async {
        summary.accepted = accepted.count
        for id in accepted {
            let record = try? await store.get(id: id)
            guard let record, record.status.isTerminal else {
                summary.lost += 1
                if summary.lostIDs.count < 10 { summary.lostIDs.append(id) }
                continue
            }
            if record.status == .failed, record.cause == FailureCause.shutdown.rawValue { summary.endedByShutdown += 1 }
        }
    }
}

/// Hands breaker changes from a side task to the run's recorder once the run has attached it; drops them after `close()`.
final class EventSink: Sendable {
    typealias Apply = @Sendable (@Sendable (inout ResultRecorder) -> Void) -> Void
    private let state = Mutex<Apply?>(nil)
    func attach(_ apply: @escaping Apply) { state.withLock { $0 = apply } }
    func close() { state.withLock { $0 = nil } }
    func send(at: Duration, from: BreakerState, to: BreakerState, cause: BreakerCause) {
        state.withLock { $0?({ $0.recordBreakerChange(at: at, from: from, to: to, cause: cause) }) }
    }
}

/// Watches a replica's breaker (its executor's state) and reports each change as a transition at
/// the scenario time it was seen; resolution is `interval` of real time (× the time scale).
struct BreakerObserver: Sendable {
    let executor: LiveExecutor
    let config: BreakerConfig
    let timeline: LiveTimeline
    let interval: Duration

    func run(_ sink: EventSink) async {
        var last = executor.breakerState ?? .closed
        while !Task.isCancelled {
            do { try await Task.sleep(for: interval) } catch { return }
            let now = executor.breakerState ?? .closed
            guard now != last else { continue }
            let at = timeline.now()
            if last == .open, now == .closed {
                // The half-open period fell between two looks: report both steps.
                sink.send(at: at, from: .open, to: .halfOpen, cause: .recoveryTimeoutElapsed)
                sink.send(at: at, from: .halfOpen, to: .closed, cause: .probesSucceeded)
            } else {
                sink.send(at: at, from: last, to: now, cause: cause(from: last, to: now))
            }
            last = now
        }
    }

    func cause(from: BreakerState, to: BreakerState) -> BreakerCause {
        switch (from, to) {
        case (.closed, .open):
            switch config.trip {
            case .failureCount(let n, _): return .failureThreshold(failures: n)
            case .failureRate(let r, let m, _): return .failureRate(rate: r, calls: m)
            }
        case (.open, .halfOpen): return .recoveryTimeoutElapsed
        case (.halfOpen, .open): return .probeFailed
        case (.halfOpen, .closed): return .probesSucceeded
        default: return .manual
        }
    }
}
