import Foundation
import Reliability
import Testing
import Traffic

@testable import LoadGen

@Suite("squall load arguments")
struct LoadArgumentsTests {
    /// Parses `squall load` flags: a raw open loop at 100/s for 10 s, plus `extra` (a later flag wins).
    func args(_ extra: String...) throws -> LoadArguments {
        try LoadArguments.parse(
            ["--target", "raw", "--url", "http://127.0.0.1:8080", "--rate", "100/s", "--duration", "10s"] + extra)
    }

    /// The message a bad flag set gives (parsing runs `validate()`), or "" when it is accepted.
    func message(_ argv: [String]) -> String {
        do {
            _ = try LoadArguments.parse(argv)
            return ""
        } catch {
            return LoadArguments.message(for: error)
        }
    }

    func message(_ extra: String...) -> String {
        message(["--target", "raw", "--url", "http://127.0.0.1:8080", "--rate", "100/s", "--duration", "10s"] + extra)
    }

    @Test func rateAndDurationMakeAConstantOpenLoop() throws {
        let o = try args().options()
        guard case .open(let s) = o.model else { Issue.record("expected open loop"); return }
        #expect(s.shape == .constant(rate: 100))
        #expect(s.process == .even)
        #expect(o.limit == ArrivalLimit(duration: .seconds(10)))
    }

    @Test func tasksPerDayIsARate() throws {
        let a = try LoadArguments.parse(
            ["--target", "raw", "--url", "http://127.0.0.1:8080", "--tasks-per-day", "86400", "--arrival", "poisson", "--duration", "1h"])
        guard case .open(let s) = try a.options().model else { Issue.record("expected open loop"); return }
        #expect(s.shape == .constant(rate: 1))
        #expect(s.process == .poisson)
    }

    @Test func concurrencyMakesAClosedLoop() throws {
        let o = try LoadArguments.parse(["--target", "raw", "--url", "http://127.0.0.1:8080", "--concurrency", "8", "--tasks", "100"])
            .options()
        guard case .closed(let users) = o.model else { Issue.record("expected closed loop"); return }
        #expect(users == 8)
        #expect(o.limit.count == 100)
    }

    @Test func stackFlagsShapeTheStackConfig() throws {
        let o = try args(
            "--target", "stack", "--attempts", "3", "--no-breaker", "--idempotency-ttl", "10m", "--timeout", "5s",
            "--backoff-min", "2s", "--jitter", "full"
        ).options()
        #expect(o.stack.retry.maxAttempts == 3)
        #expect(o.stack.breaker == nil)
        #expect(o.stack.idempotencyTTL == .seconds(600))
        #expect(o.stack.attemptTimeout == .seconds(5))
        #expect(o.stack.retry.backoff.min == .seconds(2))
        #expect(o.stack.retry.backoff.jitter == .full)
        // Absent stack flags keep the library's defaults (written once, in StackConfig).
        #expect(try args("--target", "stack").options().stack.retry == StackConfig().retry)
    }

    @Test func diurnalRampAndBurstsAreBuilt() throws {
        let d = try args("--arrival", "diurnal", "--peak-factor", "3").schedule()
        #expect(d.shape == .diurnal(tasksPerDay: 8_640_000, peakFactor: 3, peakAt: .seconds(50_400), startAt: .zero))
        let r = try args("--arrival", "ramp", "--ramp-from", "10/s").schedule()
        #expect(r.shape == .ramp(from: 10, to: 100, over: .seconds(10)))
        let b = try args("--arrival", "bursts", "--burst-rate", "1000/s").schedule()
        #expect(
            b.shape == .bursts(Bursts(every: .seconds(300), size: 30_000, length: .seconds(30), start: .seconds(270), base: 100)))
    }

    @Test func errorsNameTheFlagAndWhatIsValid() {
        #expect(message("--target", "nope").hasPrefix("--target: 'nope' is not a target; expected raw, stack or tasks"))
        #expect(message("--url", "localhost:80").hasPrefix("--url 'localhost:80': expected an http:// or https:// URL"))
        #expect(message("--rate", "fast").hasPrefix("--rate 'fast': expected"))
        #expect(message(["--target", "raw", "--url", "http://127.0.0.1:8080", "--rate", "100/s"]) == "give --duration D or --tasks N")
        #expect(message("--concurrency", "3") == "give one of --rate, --tasks-per-day or --concurrency")
        #expect(message("--duplicates", "200%").hasPrefix("--duplicates:"))
        #expect(message("--arrival", "zigzag").contains("expected constant, poisson, ramp, diurnal, bursts or replay"))
        #expect(message("--arrival", "bursts") == "--arrival bursts needs --burst-rate R")
        #expect(message("--when-full", "queue").hasPrefix("--when-full: 'queue' is not valid; expected drop or wait"))
        #expect(message("--time-scale", "0").hasPrefix("--time-scale 0.0: expected a number above 0"))
    }

    @Test func negativeAndZeroValuesAreRefusedNamingTheFlag() {
        // A negative number as a separate argument is a value, not "Missing value for '--rate'".
        #expect(message("--rate", "-5") == "--rate '-5': must not be negative")
        #expect(message("--rate", "-5/s") == "--rate '-5/s': must not be negative")
        #expect(message("--rate", "0/s") == "--rate '0/s': must be above zero")
        #expect(message("--timeout", "0s") == "--timeout '0s': must be more than 0s")
        #expect(message("--timeout", "-1s") == "--timeout '-1s': must not be negative")
        #expect(message("--poll-interval", "0s") == "--poll-interval '0s': must be more than 0s")
        #expect(message("--poll-interval", "100us") == "--poll-interval '100us': must be at least 1ms")
        #expect(message("--duration", "-3s") == "--duration '-3s': must not be negative")
        #expect(message("--time-scale", "-2").hasPrefix("--time-scale -2.0: expected a number above 0"))
        #expect(message("--max-in-flight", "-1") == "--max-in-flight -1: expected 1 to 1000000")
        #expect(message("--connections", "0").hasPrefix("--connections 0: expected 1 to"))
        #expect(message("--connections", "100000").hasPrefix("--connections 100000: expected 1 to"))
        #expect(message("--target", "stack", "--attempts", "0") == "--attempts 0: expected 1 to 100")
        #expect(message("--target", "stack", "--backoff-min", "-1s") == "--backoff-min '-1s': must not be negative")
        #expect(message("--grace", "-1s") == "--grace '-1s': must not be negative")
        #expect(message("--csv", "") == "--csv '': expected a file path")
    }

    @Test func aRateTheGeneratorCannotHonourIsRefusedWithTheLimitNamed() {
        #expect(
            message("--rate", "1e12/s")
                == "--rate: 1000000000000/s is 1000000000000 tasks/s in real time; the load generator can honour at most 100000/s (see the README's limits)")
        #expect(message("--rate", "1000/s", "--time-scale", "1000").contains("× time scale 1000.0 is 1000000 tasks/s in real time"))
        #expect(message("--rate", "100000/s") == "")
    }

    @Test func invalidURLsNameTheFlag() {
        #expect(message("--url", "notaurl").hasPrefix("--url 'notaurl': expected an http:// or https:// URL with a host"))
        #expect(message("--url", "ftp://x").hasPrefix("--url 'ftp://x': expected an http:// or https:// URL"))
        #expect(message("--url", "http://").hasPrefix("--url 'http://': no host"))
        #expect(message("--url", "http://127.0.0.1:99999").hasPrefix("--url 'http://127.0.0.1:99999': port 99999 is out of range"))
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
