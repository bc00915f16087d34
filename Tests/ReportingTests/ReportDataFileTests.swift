import Foundation
import Scenarios
import Testing

#if canImport(FoundationXML)
import FoundationXML
#endif
import Reporting

@Suite struct ReportDataFileTests {
    @Test func tasksCSVStreamsOneRowPerRecordAndQuotesSpecialCharacters() throws {
        let dir = try Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("tasks.csv")
        let file = try TaskCSVWriter(path: url.path)
        let model = Array("llama-3.1-8b-instant".utf8)
        file.append(
            TaskRecord(
                id: 0, keyID: 0, duplicate: false, intendedStart: .milliseconds(1500), started: .milliseconds(1500),
                finished: .milliseconds(2300), result: .succeeded, cause: nil, attempts: 1, calls: 1, lastOutcome: .ok,
                route: 0, model: 0, promptTokens: 57, completionTokens: 160),
            route: Array("default".utf8), model: model, cost: 0.0000585)
        file.append(
            TaskRecord(
                id: 1, keyID: 71, duplicate: true, intendedStart: .seconds(610), started: .seconds(610),
                finished: .milliseconds(625_125), result: .failed, cause: .attemptsExhausted, attempts: 5, calls: 5,
                lastOutcome: .status(503), route: 1, model: 0, promptTokens: 285, completionTokens: 0),
            route: Array("\"weird,\"\"rule\"\"\nline\"".utf8), model: model, cost: 0.0000142)
        file.append(
            TaskRecord(
                id: 2, keyID: 2, duplicate: false, intendedStart: .seconds(700), started: .seconds(700),
                finished: .seconds(730), result: .failed, cause: .attemptsExhausted, attempts: 1, calls: 1,
                lastOutcome: .transport(.timeout), route: 0, model: 0, promptTokens: 0, completionTokens: 0),
            route: Array("default".utf8), model: model, cost: 0)
        #expect(file.close() == nil)
        #expect(file.rows == 3)
        let text = try Fixture.read(url)
        let rows = CSV.parse(text)
        #expect(rows.count == 4)
        #expect(rows[0] == TasksCSV.columns)
        #expect(rows[2][12] == "weird,\"rule\"\nline")
        #expect(text.hasPrefix("id,key,duplicate,intended_start,started,finished,latency,result,cause,attempts,calls,last_outcome,route,model,prompt_tokens,completion_tokens,cost\n0,k0,false,1.500000,1.500000,2.300000,0.800000,succeeded,,1,1,200,default,llama-3.1-8b-instant,57,160,0.0000585\n"))
        #expect(text.contains("\n1,k1z,true,610.000000,610.000000,625.125000,15.125000,failed,attempts_exhausted,5,5,503,"))
        #expect(text.hasSuffix("\n2,k2,false,700.000000,700.000000,730.000000,30.000000,failed,attempts_exhausted,1,1,timeout,default,llama-3.1-8b-instant,0,0,0\n"))
        #expect(rows.allSatisfy { $0.count == TasksCSV.columns.count })
    }

    @Test func aReportMovesTheStreamedTasksFileInOrWritesTheHeaderOnly() throws {
        let root = try Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let streamed = root.appendingPathComponent("run.tasks.csv.partial")
        try Data("id\n7\n".utf8).write(to: streamed)
        var options = Fixture.quiet
        options.tasksCSV = streamed
        let written = try ReportWriter.write(Fixture.result(), to: root, options: options)
        #expect(try Fixture.read(written.directory.appendingPathComponent("tasks.csv")) == "id\n7\n")
        #expect(!FileManager.default.fileExists(atPath: streamed.path))
        let bare = try ReportWriter.write(Fixture.result(name: "bare"), to: root, options: Fixture.quiet)
        #expect(try Fixture.read(bare.directory.appendingPathComponent("tasks.csv")) == CSV.row(TasksCSV.columns))
    }

    @Test func timeseriesCSVHasOneRowPerInterval() {
        let text = TimeSeriesCSV.text(Fixture.result().timeSeries)
        let rows = CSV.parse(text)
        #expect(rows.count == 31)
        #expect(rows[0] == TimeSeriesCSV.columns)
        let lines = text.components(separatedBy: "\n")
        #expect(lines[1] == "0,60,7,8,1,0,0,7,0,0.800000,4.250000,6.000000,closed,0.0000")
        #expect(lines[11] == "600,660,7,3,3,0,4,2,5,2.500000,31.500000,40.000000,open,1.0000")
    }

    @Test func csvQuotesCommasQuotesAndNewlinesAndParsesBack() {
        #expect(CSV.field("plain") == "plain")
        #expect(CSV.field("a,b") == "\"a,b\"")
        #expect(CSV.field("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CSV.field("two\nlines") == "\"two\nlines\"")
        #expect(CSV.field("cr\rhere") == "\"cr\rhere\"")
        let row = ["a,b", "say \"hi\"", "two\nlines", "", "x"]
        #expect(CSV.parse(CSV.row(row) + CSV.row(["1", "2"])) == [row, ["1", "2"]])
    }

    @Test func junitXMLParsesWithOneTestcasePerExpectationAndEscapedFailure() throws {
        let xml = ReportJUnit.document(Fixture.result(), context: ReportContext(squallVersion: "0.1.0")).text()
        let doc = try #require(XMLCheck.parse(xml))
        let suites = doc.named("testsuite")
        #expect(suites.count == 1)
        #expect(suites[0].attributes["name"] == "breaker-outage")
        #expect(suites[0].attributes["tests"] == "3")
        #expect(suites[0].attributes["failures"] == "1")
        #expect(suites[0].attributes["errors"] == "0")
        #expect(doc.named("testsuites")[0].attributes["failures"] == "1")
        let cases = doc.named("testcase")
        #expect(cases.map { $0.attributes["name"] } == ["success_rate", "breaker.opens_within", "latency_p99"])
        let failures = doc.named("failure")
        #expect(failures.count == 1)
        #expect(failures[0].attributes["message"] == "expected < 5s, observed 12.5s (n=210)")
        #expect(failures[0].attributes["type"] == "ExpectationFailed")
        #expect(failures[0].text == "expected: < 5s\nobserved: 12.5s\nobservations: 210\np99 of 210 tasks > limit; note <b>&\"quotes\"</b> | pipe")
        let observations = doc.named("property").filter { $0.attributes["name"] == "observations" }
        #expect(observations.map { $0.attributes["value"] } == ["210", "91", "210"])
        let props = Dictionary(
            uniqueKeysWithValues: doc.named("property").filter { $0.attributes["name"] != "observations" }
                .map { ($0.attributes["name"]!, $0.attributes["value"]!) })
        #expect(props["seed"] == "42")
        #expect(props["mode"] == "sim")
        #expect(props["squall_version"] == "0.1.0")
    }

    @Test func junitMarksNoEvidenceAsItsOwnFailureType() throws {
        var r = Fixture.result()
        r.expectations.append(
            .noEvidence(name: "during[1].success_rate", expected: ">= 99%", observed: "no tasks", detail: "no task arrived"))
        let doc = try #require(XMLCheck.parse(ReportJUnit.document(r).text()))
        let failures = doc.named("failure")
        #expect(failures.count == 2)
        #expect(failures[1].attributes["type"] == "NoEvidence")
        #expect(failures[1].attributes["message"] == "no evidence: expected >= 99%, observed no tasks (n=0)")
        #expect(doc.named("testsuite")[0].attributes["failures"] == "2")
    }

    @Test func summaryJSONCarriesStatusAndObservations() throws {
        var r = Fixture.result()
        r.expectations.append(.noEvidence(name: "x", expected: "e", observed: "o", detail: "d"))
        let json = String(decoding: try r.summaryJSON(), as: UTF8.self)
        #expect(json.contains("\"observations\" : 210"))
        #expect(json.contains("\"status\" : \"no_evidence\""))
        #expect(json.contains("\"status\" : \"pass\""))
        let back = try ScenarioResult.makeDecoder().decode(ScenarioResult.self, from: try r.summaryJSON())
        #expect(back.expectations.last?.status == .noEvidence)
        #expect(back.expectations.last?.passed == false)
    }

    @Test func aVerdictFromAnOlderSummaryDecodesWithWhatItHad() throws {
        let old = #"{"name":"success_rate","expected":">= 90%","observed":"92%","passed":true,"detail":""}"#
        let v = try ScenarioResult.makeDecoder().decode(ExpectationVerdict.self, from: Data(old.utf8))
        #expect(v.status == .pass && v.observations == 0 && v.value == nil)
        let failed = old.replacingOccurrences(of: "true", with: "false")
        #expect(try ScenarioResult.makeDecoder().decode(ExpectationVerdict.self, from: Data(failed.utf8)).status == .fail)
    }

    @Test func junitMarksIncompleteRunAsError() throws {
        let xml = ReportJUnit.document(Fixture.result(incomplete: true)).text()
        let doc = try #require(XMLCheck.parse(xml))
        #expect(doc.named("testsuite")[0].attributes["errors"] == "1")
        #expect(doc.named("testsuite")[0].attributes["tests"] == "4")
        #expect(doc.named("error").count == 1)
        #expect(doc.named("error")[0].attributes["type"] == "Incomplete")
    }

    @Test func xmlEscapingSurvivesAttributesAndDropsForbiddenControls() throws {
        let nasty = "a<b>&\"c\"'d'\ttab\nline\u{01}end"
        let xml = "<r a=\"\(XMLText.escape(nasty))\">\(XMLText.escapeContent(nasty))</r>"
        let doc = try #require(XMLCheck.parse(xml))
        #expect(doc.named("r")[0].attributes["a"] == "a<b>&\"c\"'d'\ttab\nlineend")
        #expect(doc.named("r")[0].text == "a<b>&\"c\"'d'\ttab\nlineend")
    }

    @Test func summaryJSONRoundTripsWithSortedKeys() throws {
        let dir = try Fixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = Fixture.result()
        let written = try ReportWriter.write(r, to: dir, options: Fixture.quiet)
        let data = try Data(contentsOf: written.directory.appendingPathComponent("summary.json"))
        let back = try ScenarioResult.makeDecoder().decode(ScenarioResult.self, from: data)
        #expect(back.scenario == r.scenario)
        #expect(back.expectations == r.expectations)
        #expect(back.arithmetic == r.arithmetic)
        #expect(back.breaker == r.breaker)
        #expect(back.timeSeries == r.timeSeries)
        #expect(back.duplicates == r.duplicates)
        #expect(back.totals == r.totals)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["seed"] as? Int == 42)
        #expect(object["incomplete"] as? Bool == false)
        let text = String(decoding: data, as: UTF8.self)
        let topKeys = text.components(separatedBy: "\n").filter { $0.hasPrefix("  \"") }.map { $0.split(separator: "\"")[1] }
        #expect(topKeys == topKeys.sorted())
        #expect(topKeys.contains("failures_by_cause"))
    }

    @Test func everyChartIsWellFormedSVGWithViewBoxAndTitle() throws {
        let r = Fixture.result()
        let charts = [
            ReportCharts.outcomes(r).svg(), ReportCharts.load(r).svg(), ReportCharts.latency(r).svg(), try #require(ReportCharts.breaker(r)).svg(),
            ReportCharts.distribution(r).svg(),
        ]
        for svg in charts {
            let doc = try #require(XMLCheck.parse(svg))
            let root = doc.elements[0]
            #expect(root.name == "svg")
            #expect(root.attributes["xmlns"] == "http://www.w3.org/2000/svg")
            #expect(root.attributes["viewBox"]?.hasPrefix("0 0 760 ") == true)
            #expect(!doc.named("title").isEmpty)
            #expect(!svg.contains("<script"))
            #expect(!svg.contains("<style"))
        }
    }

    @Test func outcomesChartStacksFirstTryRetriedAndFailedByCause() throws {
        let chart = ReportCharts.outcomes(Fixture.result())
        #expect(chart.series.map(\.name) == ["succeeded first attempt", "succeeded after retry", "failed: breaker open", "failed: attempts exhausted"])
        // Task 4 finished at 955.5s after 2 attempts: interval 15 (900..960).
        #expect(chart.series[1].values[15] == 1)
        #expect(chart.series[2].values[11] == 4)
        #expect(chart.series[3].values[10] == 1)
        #expect(chart.series[0].values[0] == 7)
        #expect(chart.series[0].values[15] == 6)
        let svg = chart.svg()
        #expect(svg.contains("<title>15m: succeeded after retry 1</title>"))
    }

    @Test func outcomesChartFallsBackToTimeSeriesWithoutTheBreakdown() {
        var r = Fixture.result()
        r.aggregates = RunAggregates()
        let chart = ReportCharts.outcomes(r)
        #expect(chart.series.map(\.name) == ["succeeded", "failed"])
        #expect(chart.series[1].values[12] == 5)
    }

    @Test func breakerBandFollowsTransitions() throws {
        let band = try #require(ReportCharts.breaker(Fixture.result()))
        #expect(band.segments.map(\.state) == [.closed, .open, .halfOpen, .open, .halfOpen, .closed])
        #expect(band.segments.first?.end == 604.25)
        #expect(band.segments.last?.end == 1812.5)
        #expect(ReportCharts.breaker(Fixture.result(breaker: false)) == nil)
    }

    @Test func latencyChartBreaksLinesWhereNoTaskFinished() {
        var r = Fixture.result()
        r.timeSeries.points[5].succeeded = 0
        r.timeSeries.points[5].failed = 0
        let chart = ReportCharts.latency(r)
        #expect(chart.series[0].values[5] == nil)
        #expect(chart.series[1].values[4] == 4.25)
        #expect(chart.svg().components(separatedBy: "<polyline").count - 1 == 4)
    }
}
