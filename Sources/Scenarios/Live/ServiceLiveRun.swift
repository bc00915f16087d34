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

    /// Real time between polls of a task: half a second
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
                client: client, token: options.mockToken)
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
        // One replica: its breaker is the run's breaker, and its stack hands each transition over
        // at the instant it makes it. Several have one breaker each (not a run-wide breaker).
        let observeBreaker = spec.replicas == 1 && scenario.stack.breaker != nil
        let relay = BreakerRelay()
        // Every replica's stack runs on this one timeline; the run's scenario time zero is an exact
        // instant on it (`rebasedToNow` below), so the replicas' event times map onto the run's.
        let replicaTimeline = LiveTimeline(scale: scale)
        var onEvent: (@Sendable (Int, LiveEvent) -> Void)?
        if observeBreaker {
            onEvent = { _, event in
                if case .breaker(let t) = event.event { relay.send(t) }
            }
        }
        let cluster: ServiceCluster
        do {
            cluster = try await ServiceCluster.start(
                count: spec.replicas, configuration: configuration, stack: scenario.stack, llmURL: llmURL,
                redis: redis?.configuration, namespace: "squall-live:\(scenario.name):\(UInt32.random(in: 0...UInt32.max))",
                timeScale: scale, timeline: replicaTimeline,
                onEvent: onEvent,
                logger: logger)
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
        // Scenario time 0 at the mock == scenario time 0 here, an exact instant on the replicas' timeline.
        let (timeline, shift) = replicaTimeline.rebasedToNow()
        relay.start(shift: replicaTimeline.toScenario(shift))
        let offset = WallClock.offset(mockOrigin: mockOrigin, timelineOrigin: WallClock.unixNanos(), scale: scale)
        // The reference service speaks the reference contract; its replicas share `cluster.store`,
        // read for a task's final state when no replica answers its poll (all shut down).
        let store = cluster.store
        let probe = ServiceLatencyProbe()
        let ledger = TasksLedger(keepsAccepted: true)
        let target = TasksTarget(
            urls: cluster.replicas.map(\.url), name: "service", client: client, timeline: timeline, contract: .reference,
            pollInterval: Self.pollInterval(scale: scale).scaled(by: scale), taskTimeout: drainLimit, requestTimeout: .seconds(30),
            probe: probe, ledger: ledger,
            fallback: { id in (try? await store.get(id: id)).flatMap { $0 }.map { $0.jsonBytes() } })
        let live = LiveRun(scenario: scenario, seed: seed, options: options, drainLimit: drainLimit)

        let (result, drainSeconds, fileError) = await withTaskGroup(of: Double?.self) {
            group -> (ScenarioResult, Double?, String?) in
            if let sigterm = spec.sigterm {
                group.addTask {
                    do { try await timeline.sleep(untilScenario: sigterm.at) } catch { return nil }
                    return await cluster.shutdown(replica: sigterm.replica)
                }
            }
            let (r, fileError) = await live.execute(
                llmURL: llmURL, client: client, callLog: endpoint.callLog, attribution: attribution, tasksFile: tasksFile,
                target: .service(target), timeline: timeline, mockTimeOffset: offset, breakerObserved: observeBreaker,
                service: ServiceProbe(probe: probe, urls: target.urls), attach: { relay.attach($0) })
            relay.close()
            // Stops waiting for the SIGTERM instant; a shutdown under way is not interrupted (it waits for its own drain).
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
        await Self.audit(accepted: ledger.acceptedIDs ?? [], store: cluster.store, into: &summary)
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

/// Hands the breaker transitions a replica's stack makes (on the replicas' timeline, from its own
/// thread) to the run's recorder once the run has attached it, shifted onto the run's scenario time;
/// drops them before the run starts and after `close()`.
final class BreakerRelay: Sendable {
    typealias Apply = @Sendable (@Sendable (inout ResultRecorder) -> Void) -> Void
    private struct State {
        var apply: Apply?
        /// The run's scenario time zero on the replicas' timeline.
        var shift: Duration = .zero
    }
    private let state = Mutex(State())
    /// The run's scenario time zero is `shift` on the replicas' timeline.
    func start(shift: Duration) { state.withLock { $0.shift = shift } }
    func attach(_ apply: @escaping Apply) { state.withLock { $0.apply = apply } }
    func close() { state.withLock { $0.apply = nil } }
    func send(_ transition: BreakerTransition) {
        let (apply, shift) = state.withLock { ($0.apply, $0.shift) }
        guard let apply else { return }
        var shifted = transition
        shifted.at -= shift
        let t = shifted
        apply { $0.record(.breaker(t)) }
    }
}
