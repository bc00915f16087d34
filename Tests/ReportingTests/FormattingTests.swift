import Foundation
import Testing

import Reporting

@Suite struct FormattingTests {
    @Test func fixedAndTrimmedNumbers() {
        #expect(NumberText.fixed(0.5, 2) == "0.50")
        #expect(NumberText.fixed(-0.0001, 2) == "0.00")
        #expect(NumberText.fixed(.nan, 2) == "NaN")
        #expect(NumberText.fixed(-1.25, 1) == "-1.2")
        #expect(NumberText.fixed(2.5, 0) == "2")
        #expect(NumberText.fixed(625.125, 6) == "625.125000")
        #expect(NumberText.fixed(1e20, 1) == "100000000000000000000.0")
        // The fast path agrees with printf on ordinary values.
        for v in [0.0, 0.1, 0.8123, 1.005, 12.3456789, 604.25, 86_399.999999, 0.0000142, -3.14159] {
            for d in 0...8 { #expect(NumberText.fixed(v, d) == String(format: "%.\(d)f", v), "\(v) \(d)") }
        }
        #expect(NumberText.trimmed(2.50, 3) == "2.5")
        #expect(NumberText.trimmed(3, 3) == "3")
        #expect(NumberText.grouped(1_234_567) == "1,234,567")
        #expect(NumberText.grouped(-1000) == "-1,000")
        #expect(NumberText.grouped(12_345.67, digits: 1) == "12,345.7")
        #expect(NumberText.dollars(0.01234) == "$0.0123")
        #expect(NumberText.dollars(1234.5) == "$1,234.5")
        #expect(NumberText.probability(1e-10) == "1.00e-10")
        #expect(NumberText.probability(0.0123) == "1.23%")
        #expect(NumberText.probability(0) == "0%")
        #expect(NumberText.expectedCount(6.92e-8) == "6.92e-08")
        #expect(NumberText.expectedCount(0) == "0")
        #expect(NumberText.expectedCount(1200) == "1,200")
        #expect(NumberText.timeTick(0) == "0s")
        #expect(NumberText.timeTick(1200) == "20m")
        #expect(NumberText.timeTick(3600) == "1h")
        #expect(NumberText.timeTick(5400) == "1h30m")
        #expect(NumberText.timeTick(172_800) == "2d")
        #expect(NumberText.timeTick(0.5) == "500ms")
        #expect(NumberText.decadeTick(0.01) == "10ms")
        #expect(NumberText.decadeTick(100) == "100s")
        #expect(NumberText.latency(0.8123) == "812ms")
        #expect(NumberText.latency(1.234) == "1.23s")
        #expect(NumberText.latency(0) == "0")
        #expect(NumberText.instant(604.25) == "10m4.25s")
    }

    @Test func niceLinearTicksCoverTheMaximum() {
        let (ticks, upper) = Ticks.linear(max: 37)
        #expect(ticks == [0, 10, 20, 30, 40])
        #expect(upper == 40)
        #expect(Ticks.linear(max: 0.9).ticks == [0, 0.2, 0.4, 0.6000000000000001, 0.8, 1] || Ticks.linear(max: 0.9).upper == 1)
        #expect(Ticks.linear(max: 1, integral: true).ticks == [0, 1])
        #expect(Ticks.linear(max: 0).ticks == [0, 1])
    }

    @Test func timeTicksUseCalendarSteps() {
        #expect(Ticks.time(duration: 1800) == [0, 300, 600, 900, 1200, 1500, 1800])
        #expect(Ticks.time(duration: 2000) == [0, 600, 1200, 1800])
        #expect(Ticks.time(duration: 3600) == [0, 600, 1200, 1800, 2400, 3000, 3600])
        #expect(Ticks.time(duration: 86_400) == [0, 21_600, 43_200, 64_800, 86_400])
    }

    @Test func decadeTicksSpanTheRange() {
        #expect(Ticks.decades(lower: 0.064, upper: 65.5) == [0.01, 0.1, 1, 10, 100])
        #expect(Ticks.decades(lower: 1, upper: 1) == [1, 10])
    }

    @Test func markdownEscapesCellsAndText() {
        #expect(Markdown.cell("a|b\nc") == "a\\|b<br>c")
        #expect(Markdown.text("<b>*x*</b> & [y] <= 5 &amp;") == "\\<b>\\*x\\*\\</b> & \\[y\\] <= 5 \\&amp;")
        #expect(Markdown.code("a`b") == "``a`b``")
        #expect(Markdown.table(["h1", "h2"], [["1", "2"]], align: [.left, .right]) == "| h1 | h2 |\n| --- | ---: |\n| 1 | 2 |\n")
    }

    @Test func svgCanvasEscapesTextAndRoundsCoordinates() throws {
        var c = SVGCanvas(width: 100, height: 50)
        c.text("a < b & \"c\"", x: 1.23456, y: 2)
        c.rect(x: 0.005, y: 1, width: 3.333, height: -2, fill: "#000000", title: "<t>")
        let doc = c.document(title: "T&T", description: "d")
        #expect(doc.contains(">a &lt; b &amp; &quot;c&quot;</text>"))
        #expect(doc.contains("x=\"1.23\""))
        #expect(doc.contains("width=\"3.33\" height=\"0\""))
        #expect(doc.contains("<title>T&amp;T</title>"))
        #expect(XMLCheck.parse(doc) != nil)
    }

    @Test func distributionBinsAreLogSpaced() {
        let bins = DistributionChart.bins(of: [0.01, 0.1, 0.1, 1, 10], perDecade: 1)
        #expect(bins.count == 3)
        #expect(bins.map(\.count) == [1, 2, 2])
    }
}
