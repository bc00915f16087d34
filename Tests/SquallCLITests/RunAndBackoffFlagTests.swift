import ArgumentParser
import CommandFlags
import Foundation
import Scenarios
import Testing

@testable import squall

/// `squall run` and `squall backoff` flags: every bad value exits 2 naming the flag (through
/// `validate()`, so before anything runs), checked without spawning the binary.
@Suite struct RunAndBackoffFlagTests {
    func runMessage(_ argv: String...) -> String {
        do {
            _ = try RunCommand.parse(argv)
            return ""
        } catch { return RunCommand.message(for: error) }
    }

    func backoffMessage(_ argv: String...) -> String {
        do {
            _ = try BackoffCommand.parse(argv)
            return ""
        } catch { return BackoffCommand.message(for: error) }
    }

    @Test func runRefusesBadOutTimeScaleURLsAndGrace() {
        #expect(runMessage("x.yaml", "--out", "") == "--out '': expected a directory path (the reports go to OUT/<scenario>/)")
        #expect(runMessage("x.yaml", "--time-scale", "-2").hasPrefix("--time-scale -2.0: expected a number above 0"))
        #expect(runMessage("x.yaml", "--time-scale", "1e9").hasPrefix("--time-scale 1000000000.0: at most 10000"))
        #expect(runMessage("x.yaml", "--mode", "live", "--llm-url", "notaurl").hasPrefix("--llm-url 'notaurl': expected an http:// or https:// URL"))
        #expect(runMessage("x.yaml", "--mode", "live", "--target-url", "ftp://x").hasPrefix("--target-url 'ftp://x': expected an http:// or https:// URL"))
        #expect(runMessage("x.yaml", "--grace", "-1s") == "--grace '-1s': must not be negative")
        #expect(runMessage("x.yaml", "--mode", "fast").contains("'fast'"))
        #expect(runMessage("x.yaml") == "")
    }

    @Test func liveOnlyFlagsInSimModeAreRefused() {
        #expect(runMessage("x.yaml", "--mode", "sim", "--time-scale", "60").hasPrefix("--time-scale applies only to live runs"))
        #expect(runMessage("x.yaml", "--mode", "sim", "--llm-url", "http://127.0.0.1:1").hasPrefix("--llm-url applies only to live runs"))
        #expect(runMessage("x.yaml", "--mode", "sim", "--target-url", "http://127.0.0.1:1").hasPrefix("--target-url applies only to live runs"))
    }

    @Test func liveOnlyFlagsNeedALiveScenario() throws {
        let sim = try ScenarioCatalog.load("provider-outage-breaker")
        let live = try ScenarioCatalog.load("live-service-end-to-end")
        let settings = try RunSettings.check(
            mode: nil, out: "Reports", timeScale: TimeScaleOption.parse(["--time-scale", "10"]), llmURL: nil, targetURL: nil,
            grace: "5s")
        #expect(throws: FlagError.self) { try settings.checkLiveOnlyFlags(against: [sim]) }
        try settings.checkLiveOnlyFlags(against: [sim, live])
    }

    @Test func liveRunsBeyondWhatTheLoadGeneratorHonoursAreRefused() throws {
        let live = try ScenarioCatalog.load("live-service-end-to-end")
        let fast = try RunSettings.check(
            mode: nil, out: "Reports", timeScale: TimeScaleOption.parse(["--time-scale", "10000"]), llmURL: nil, targetURL: nil,
            grace: "5s")
        try fast.checkLiveLimits([live])  // 2/s × 10,000 = 20,000/s real
        var big = live
        big.load.ratePerSecond = 100
        big.duration = .seconds(86_400)
        let plain = try RunSettings.check(mode: nil, out: "R", timeScale: TimeScaleOption.parse([]), llmURL: nil, targetURL: nil, grace: "5s")
        #expect { try plain.checkLiveLimits([big]) } throws: { ($0 as? FlagError)?.message.contains("too many for a live run") == true }
    }

    @Test func backoffRefusesNegativeDurations() {
        #expect(backoffMessage("--min=-1s") == "--min '-1s': must not be negative")
        #expect(backoffMessage("--min", "-1s") == "--min '-1s': must not be negative")
        #expect(backoffMessage("--retry-after=-2s") == "--retry-after '-2s': must not be negative")
        #expect(backoffMessage("--retry-after-cap=-1s") == "--retry-after-cap '-1s': must not be negative")
        #expect(backoffMessage("--attempts", "-3") == "--attempts -3: expected a whole number from 1 to 1000")
        #expect(backoffMessage("--multiplier", "-1") == "--multiplier -1.0: expected a number from 0 to 1000000")
        #expect(backoffMessage("--retry-after", "0s") == "")
    }

    @Test func flagCheckSharesOneMessagePerProblem() {
        #expect(throws: FlagError("--x 'ftp://h': expected an http:// or https:// URL with a host, e.g. http://127.0.0.1:8080")) {
            try FlagCheck.httpURL("ftp://h", flag: "--x")
        }
        #expect(throws: FlagError("--x '1e400/s': expected a rate such as 2000/s, 300/m, 50/h or 10000/day")) {
            try FlagCheck.rate("1e400/s", flag: "--x")
        }
        #expect(FlagCheck.connectionLimit >= 1 && FlagCheck.connectionLimit <= FlagLimits.maxConnections)
    }
}

/// `squall list --names --mode` is what scripts/run uses to send live reports to the git-ignored Reports/live/.
@Suite struct CatalogListingTests {
    @Test func namesByModeSplitTheCatalog() {
        let live = CatalogListing.render(names: true, mode: .live).split(separator: "\n").map(String.init)
        let sim = CatalogListing.render(names: true, mode: .sim).split(separator: "\n").map(String.init)
        #expect(live == ["live-service-end-to-end", "live-service-sigterm", "live-service-two-replicas"])
        #expect(Set(sim).isDisjoint(with: live))
        #expect((sim + live).sorted() == ScenarioCatalog.names.sorted())
        #expect(CatalogListing.render(names: false, mode: nil).contains("provider-outage-breaker  "))
    }
}
