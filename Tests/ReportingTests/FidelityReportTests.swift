import Foundation
import Testing

@testable import Reporting
@testable import Scenarios

/// report.md's "Timing fidelity" section and the untrustworthy marker in report.md and junit.xml.
@Suite struct FidelityReportTests {
    func liveResult() -> ScenarioResult {
        var r = Fixture.result()
        r.mode = .live
        var f = TimingFidelity(
            timeScale: 1440, lag: RealTimeFigure(n: 120, p50Ms: 0.2, p99Ms: 3, maxMs: 7, p99ScenarioSeconds: 4.32), lagSubmissions: 100,
            overhead: RealTimeFigure(n: 110, p50Ms: 0.5, p99Ms: 0.8, maxMs: 2, p99ScenarioSeconds: 1.152))
        f.untrustworthy = 1
        r.fidelity = f
        r.expectations[0].untrustworthy = true
        r.expectations[0].status = .fail
        return r
    }

    @Test func aLiveReportShowsLagOverheadAndDistortion() {
        let md = ReportMarkdown.render(liveResult(), charts: .none)
        #expect(md.contains("## Timing fidelity"))
        #expect(md.contains("| scheduler lag (submissions and timers) | 120 |"), "\(md)")
        #expect(md.contains("Measured from: live runtime clock; lag over 100 submissions and 20 timers"))
        #expect(md.contains("(lag p99 + overhead p99) × K = **5.472s**"), "\(md)")
        #expect(md.contains("⏱ untrustworthy"))
    }

    @Test func aSimulatorReportSaysItsTimeIsExact() {
        let md = ReportMarkdown.render(Fixture.result(), charts: .none)
        #expect(md.contains("## Timing fidelity\n\nExact: virtual time (simulator)"))
        #expect(!md.contains("⏱ untrustworthy"))
    }

    @Test func junitFlagsTheUntrustworthyVerdict() {
        let xml = ReportJUnit.document(liveResult()).text()
        #expect(xml.contains("<property name=\"untrustworthy\" value=\"true\"/>"))
        #expect(xml.contains("type=\"Untrustworthy\""))
        let plain = ReportJUnit.document(Fixture.result()).text()
        #expect(!plain.contains("untrustworthy"))
    }
}
