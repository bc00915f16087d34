import Testing

@testable import Reliability

@Suite struct QuantityTests {
    @Test(arguments: [
        ("250ms", 0.25), ("1.5s", 1.5), ("6m0s", 360), ("24h", 86_400), ("1h30m", 5_400), ("7.66s", 7.66),
        ("12ms", 0.012), ("500us", 0.0005), ("0", 0), ("2d", 172_800),
    ])
    func parsesGoStyleDurations(text: String, seconds: Double) throws {
        #expect(close(try DurationFormat.parse(text), seconds, tolerance: 1e-9))
    }

    @Test(arguments: ["", "5", "1.5x", "ms", "1s2", "--1s", "1 s"])
    func rejectsMalformedDurations(text: String) {
        #expect(throws: QuantityError.self) { try DurationFormat.parse(text) }
    }

    @Test func formatsLikeGo() {
        #expect(DurationFormat.format(.seconds(360)) == "6m0s")
        #expect(DurationFormat.format(.milliseconds(7660)) == "7.66s")
        #expect(DurationFormat.format(.milliseconds(12)) == "12ms")
        #expect(DurationFormat.format(.seconds(3600)) == "1h0m0s")
        #expect(DurationFormat.format(.zero) == "0s")
    }

    @Test func parsesPercentagesAndFractions() throws {
        #expect(try Percent.parse("99.9%") == 0.999)
        #expect(try Percent.parse("0.02") == 0.02)
        #expect(throws: QuantityError.self) { try Percent.parse("150%") }
        #expect(throws: QuantityError.self) { try Percent.parse("2") }
    }

    @Test func parsesRates() throws {
        #expect(try Rate.parse("2000/s") == 2000)
        #expect(try Rate.parse("86400/day") == 1)
        #expect(try Rate.parse("300/m") == 5)
        #expect(throws: QuantityError.self) { try Rate.parse("300/week") }
    }

    @Test func parsesDurationRanges() throws {
        let r = try DurationRange.parse("20m..25m")
        #expect(r.lower == .seconds(1200) && r.upper == .seconds(1500))
        #expect(r.contains(.seconds(1200)) && !r.contains(.seconds(1500)))
        #expect(throws: QuantityError.self) { try DurationRange.parse("25m..20m") }
    }

    @Test func parsesRetryHintsWithMillisecondsWinning() {
        let hints = ResponseHints.parse(headers: [("Retry-After", "5"), ("retry-after-ms", "250"), ("x-should-retry", "false")])
        #expect(hints.retryAfter == .milliseconds(250))
        #expect(hints.shouldRetry == false)
        let date = ResponseHints.parse(
            headers: [("retry-after", "Sun, 06 Nov 1994 08:49:37 GMT")],
            responseDate: HTTPDate.parse("Sun, 06 Nov 1994 08:49:30 GMT"))
        #expect(date.retryAfter == .seconds(7))
    }
}

@Suite struct PercentTextTests {
    @Test func percentagesParseToTheSameDoubleAsTheirFraction() throws {
        #expect(try Percent.parse("99.5%") == 0.995)
        #expect(try Percent.parse("0.2%") == 0.002)
        #expect(try Percent.parse("1%") == 0.01)
        #expect(try Percent.parse("100%") == 1)
        #expect(try Percent.parse("0%") == 0)
    }
}
