import LoadGen
import Testing

@testable import Scenarios

/// The per-attempt overhead the live stack measures: real round trip minus the mock's injected delay ÷ K.
@Suite struct TimedLLMClientTests {
    /// Answers at once, saying the mock waited `delayMicros` of scenario time (nil: no header).
    struct Instant: LoadHTTPClient {
        let delayMicros: Int64?
        let fail: Bool
        func send(_ call: HTTPCall) async -> Result<HTTPReply, TransportFailureError> {
            if fail { return .failure(TransportFailureError(.timeout)) }
            return .success(HTTPReply(status: 200, headers: delayMicros.map { [HTTPField("x-squall-delay-us", String($0))] } ?? []))
        }
    }

    func overhead(delayMicros: Int64?, planted: Duration, scale: Double, fail: Bool = false) async -> TimingFidelity {
        let probe = FidelityProbe(planted: planted)
        let client = TimedLLMClient(base: Instant(delayMicros: delayMicros, fail: fail), probe: probe, scale: scale)
        _ = await client.send(HTTPCall(method: "POST", url: "http://127.0.0.1:1/v1/chat/completions", timeout: .seconds(1)))
        return probe.summary(timeScale: scale)
    }

    @Test func theInjectedDelayDividedByTheScaleIsNotOverhead() async {
        // 5 ms real planted. The mock says it waited 1 h at ×1: more than any round trip, so nothing
        // is left as overhead (recorded as 0, the histogram's 1 µs floor) — however slow the machine.
        let f = await overhead(delayMicros: 3_600_000_000, planted: .milliseconds(5), scale: 1)
        #expect(f.overhead.n == 1 && f.overhead.maxMs < 5)
        // The same 1 h at ×1,000,000 is 3.6 ms real: at least 5 − 3.6 ms of the round trip is overhead
        // (were the delay not divided by K, nothing would be left).
        let g = await overhead(delayMicros: 3_600_000_000, planted: .milliseconds(5), scale: 1_000_000)
        #expect(g.overhead.n == 1 && g.overhead.maxMs >= 1.3)
        // Without the header the planted 5 ms is all overhead.
        let h = await overhead(delayMicros: nil, planted: .milliseconds(5), scale: 1000)
        #expect(h.overhead.n == 1 && h.overhead.maxMs >= 5)
    }

    @Test func transportFailuresAreNotMeasured() async {
        let f = await overhead(delayMicros: nil, planted: .zero, scale: 1, fail: true)
        #expect(f.overhead.n == 0)
    }
}
