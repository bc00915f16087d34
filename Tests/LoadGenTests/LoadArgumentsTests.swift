import Foundation
import Reliability
import Testing
import Traffic

@testable import LoadGen

@Suite("squall load arguments")
struct LoadArgumentsTests {
    func args(_ edit: (inout LoadArguments) -> Void) -> LoadArguments {
        var a = LoadArguments()
        a.target = "raw"
        a.url = "http://127.0.0.1:8080"
        a.rate = "100/s"
        a.duration = "10s"
        edit(&a)
        return a
    }

    func message(_ a: LoadArguments) -> String {
        do {
            _ = try a.options()
            return ""
        } catch { return error.message }
    }

    @Test func rateAndDurationMakeAConstantOpenLoop() throws {
        let o = try args { _ in }.options()
        guard case .open(let s) = o.model else { Issue.record("expected open loop"); return }
        #expect(s.shape == .constant(rate: 100))
        #expect(s.process == .even)
        #expect(o.limit == ArrivalLimit(duration: .seconds(10)))
    }

    @Test func tasksPerDayIsARate() throws {
        let o = try args { $0.rate = nil; $0.tasksPerDay = "86400"; $0.arrival = "poisson" }.options()
        guard case .open(let s) = o.model else { Issue.record("expected open loop"); return }
        #expect(s.shape == .constant(rate: 1))
        #expect(s.process == .poisson)
    }

    @Test func concurrencyMakesAClosedLoop() throws {
        let o = try args { $0.rate = nil; $0.concurrency = 8; $0.tasks = 100; $0.duration = nil }.options()
        guard case .closed(let users) = o.model else { Issue.record("expected closed loop"); return }
        #expect(users == 8)
        #expect(o.limit.count == 100)
    }

    @Test func stackFlagsShapeTheStackConfig() throws {
        let o = try args { $0.target = "stack"; $0.attempts = 3; $0.noBreaker = true; $0.idempotencyTTL = "10m"; $0.timeout = "5s" }
            .options()
        #expect(o.stack.retry.maxAttempts == 3)
        #expect(o.stack.breaker == nil)
        #expect(o.stack.idempotencyTTL == .seconds(600))
        #expect(o.stack.attemptTimeout == .seconds(5))
    }

    @Test func diurnalRampAndBurstsAreBuilt() throws {
        let d = try args { $0.arrival = "diurnal"; $0.peakFactor = 3 }.schedule()
        #expect(d.shape == .diurnal(tasksPerDay: 8_640_000, peakFactor: 3, peakAt: .seconds(50_400), startAt: .zero))
        let r = try args { $0.arrival = "ramp"; $0.rampFrom = "10/s" }.schedule()
        #expect(r.shape == .ramp(from: 10, to: 100, over: .seconds(10)))
        let b = try args { $0.arrival = "bursts"; $0.burstRate = "1000/s" }.schedule()
        #expect(
            b.shape == .bursts(Bursts(every: .seconds(300), size: 30_000, length: .seconds(30), start: .seconds(270), base: 100)))
    }

    @Test func errorsNameTheFlagAndWhatIsValid() {
        #expect(message(args { $0.target = "nope" }).hasPrefix("--target: 'nope' is not a target; expected raw, stack or tasks"))
        #expect(message(args { $0.url = "localhost:80" }).hasPrefix("--url:"))
        #expect(message(args { $0.rate = "fast" }).hasPrefix("--rate: 'fast' is not valid"))
        #expect(message(args { $0.duration = nil }) == "give --duration D or --tasks N")
        #expect(message(args { $0.concurrency = 3 }) == "give one of --rate, --tasks-per-day or --concurrency")
        #expect(message(args { $0.duplicates = "200%" }).hasPrefix("--duplicates:"))
        #expect(message(args { $0.arrival = "zigzag" }).contains("expected constant, poisson, ramp, diurnal, bursts or replay"))
        #expect(message(args { $0.arrival = "bursts" }) == "--arrival bursts needs --burst-rate R")
        #expect(message(args { $0.whenFull = "queue" }).hasPrefix("--when-full:"))
        #expect(message(args { $0.timeScale = 0 }).hasPrefix("--time-scale:"))
    }

    @Test func csvStreamsOneLinePerRecordWithAHeader() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("squall-csv-\(UUID()).csv").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let recorder = try LoadRecorder(csvPath: path)
        let factory = TaskFactory()
        for i in 0..<3 {
            recorder.record(
                LoadTaskRecord(
                    task: factory.task(index: i, at: .seconds(Int64(i))),
                    result: TargetResult(status: i == 2 ? .failed : .succeeded, cause: i == 2 ? .attemptsExhausted : nil),
                    sentAt: .seconds(Int64(i)), finishedAt: .seconds(Int64(i)) + .milliseconds(250), schedulerLag: .microseconds(120)))
        }
        recorder.close()
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 4)
        #expect(lines[0] == Substring(LoadTaskRecord.csvHeader))
        #expect(lines[3].contains(",failed,attempts_exhausted,"))
        #expect(lines[1].contains(",0.250000,0.120,succeeded,"))
        let summary = recorder.summary(target: "raw", timeScale: 1, realElapsed: .seconds(3), offered: 3, breaker: nil)
        let text = summary.render()
        #expect(text.contains("succeeded 2"))
        #expect(text.contains("failures by cause: attempts_exhausted 1"))
        #expect(summary.latency(percentile: 50) >= .milliseconds(249) && summary.latency(percentile: 50) <= .milliseconds(251))
    }

    @Test func unwritableCSVIsAnOutputError() {
        #expect(throws: LoadError.self) { try LoadRecorder(csvPath: "/nonexistent-dir/x.csv") }
    }

    @Test func progressLineShowsDoneRateFailuresBreakerAndETA() {
        let line = ProgressLine.render(
            done: 50, total: 100, elapsed: .seconds(10), failures: [.breakerOpen: 3, .attemptsExhausted: 1], breaker: .open)
        #expect(line == "50/100 done  5.0/s  failed 4 (breaker_open 3, attempts_exhausted 1)  breaker open  ETA 10s")
    }
}
