import LoadGen
import Reliability
import Synchronization

/// Measures a live run's timing fidelity as it goes (`TimingFidelity`): the scheduler lag of
/// submissions and timers and the real overhead of every LLM attempt, into a bounded
/// `FidelityTally` behind a lock, shared by the scheduling loop, the tasks and the HTTP client.
final class FidelityProbe: Sendable {
    private let tally = Mutex(FidelityTally())
    /// Real time added to every measured overhead (tests plant a per-attempt delay with it). Default zero.
    let planted: Duration

    init(planted: Duration = .zero) { self.planted = planted }

    /// Records how late a submission (`timer == false`) or a timer woke, real time.
    func lag(_ real: Duration, timer: Bool) {
        tally.withLock { $0.recordLag(real, timer: timer) }
    }

    /// Records one attempt's real overhead.
    func overhead(_ real: Duration) {
        tally.withLock { $0.recordOverhead(real) }
    }

    /// The tally so far (a sharded live run's part keeps it, to merge exactly).
    func currentTally() -> FidelityTally { tally.withLock { $0 } }

    /// The summary at `scale`.
    func summary(timeScale scale: Double) -> TimingFidelity {
        tally.withLock { $0.summary(timeScale: scale) }
    }
}

/// The live stack's HTTP client with the per-attempt overhead measured: the real round trip of every
/// request answered over HTTP minus the delay the mock says it injected (`x-squall-delay-us`,
/// scenario time) ÷ K. Transport failures (timeouts, drops) are not measured: their duration is
/// the scenario's (a timeout) or the fault's, not overhead.
struct TimedLLMClient: LoadHTTPClient {
    let base: any LoadHTTPClient
    let probe: FidelityProbe
    let scale: Double

    /// The mock's response header with its injected delay in scenario microseconds.
    static let delayHeader = "x-squall-delay-us"

    var preferredExecutor: (any TaskExecutor)? { base.preferredExecutor }

    func send(_ call: HTTPCall) async -> Result<HTTPReply, TransportFailureError> {
        await send(building: { call })
    }

    /// As the base client's (so a request waiting for a connection is built only once one is free),
    /// timed from the call.
    func send(building make: () -> HTTPCall) async -> Result<HTTPReply, TransportFailureError> {
        let clock = ContinuousClock()
        let start = clock.now
        if probe.planted > .zero { try? await Task.sleep(for: probe.planted) }
        let result = await base.send(building: make)
        let roundTrip = clock.now - start
        if case .success(let reply) = result {
            let delayMicros = reply.header(Self.delayHeader).flatMap { Int64($0) } ?? 0
            let injected = Duration.microseconds(delayMicros)
            probe.overhead(roundTrip - (scale == 1 ? injected : injected.scaled(by: 1 / scale)))
        }
        return result
    }
}
