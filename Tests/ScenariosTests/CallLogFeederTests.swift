import Foundation
import LoadGen
import MockLLM
import Reliability
import Testing

@testable import Scenarios

/// The call-log feeder: the mock's per-request records become the recorder's LLM-call stream
/// (the only source of a live run's LLM-side figures), with attribution by tag.
struct CallLogFeederTests {
    static let run = "abcd1234"

    static func recorder() -> ResultRecorder {
        let info = ScenarioInfo(
            name: "t", description: "", file: "t", tasksPerDay: 0, arrival: "constant", concurrency: nil, stackSummary: "")
        return ResultRecorder(
            ResultRecorder.Setup(
                info: info, mode: .live, seed: 1, duration: .seconds(60), breakerConfigured: false, idempotencyTTL: nil,
                prices: .defaults, faultWindows: [], routes: [ResultRecorder.RouteName(name: "default", model: "m")]))
    }

    static func record(
        _ seq: UInt64, at ms: Int64, run: String? = CallLogFeederTests.run, key: UInt64? = 0, outcome: CallOutcome = .status(200),
        completed: Bool = true, retryAfter: Duration? = nil, retryAfterMs: Duration? = nil
    ) -> CallRecord {
        let tag = run.flatMap { r in key.flatMap { SquallTag(run: r, key: $0) } }
        return CallRecord(
            seq: seq, time: .milliseconds(ms), tag: tag, model: "m", outcome: outcome, retryAfter: retryAfter,
            retryAfterMs: retryAfterMs, completed: completed, promptTokens: 10, completionTokens: completed ? 5 : 0)
    }

    /// Feeds `records` as one page and returns the records the recorder got, via a recording sink.
    static func mapped(_ records: [CallRecord], keys: [Int: CallLogFeeder.KeyInfo] = [:]) -> ([LLMCallRecord], CallLogFeeder) {
        var feeder = CallLogFeeder(run: run, tagged: true, source: "test")
        var rec = recorder()
        var out: [LLMCallRecord] = []
        for r in records { if let c = feeder.map(r, keys: keys, recorder: &rec) { out.append(c) } }
        return (out, feeder)
    }

    @Test func eachTaggedRecordBecomesOneCallOfItsKeyWithTheKeysAttemptNumber() {
        let records = [
            Self.record(1, at: 100, key: 7, outcome: .status(503), completed: false, retryAfter: .seconds(2)),
            Self.record(2, at: 150, key: 9),
            Self.record(3, at: 2_100, key: 7),
        ]
        let (calls, feeder) = Self.mapped(records, keys: [7: .init(task: 3, route: 0)])
        #expect(calls.count == 3)
        #expect(calls.map(\.keyID) == [7, 9, 7])
        #expect(calls.map(\.attempt) == [1, 1, 2])
        #expect(calls[0].outcome == .status(503) && calls[0].retryAfter == .seconds(2) && !calls[0].generated)
        #expect(calls[0].taskID == 3 && calls[0].route == 0)
        #expect(calls[1].taskID == -1 && calls[1].route == -1)
        #expect(calls[2].at == .milliseconds(2_100) && calls[2].generated)
        #expect(feeder.summary.attributed == 3 && feeder.summary.untagged == 0 && feeder.summary.otherRun == 0)
    }

    @Test func tokensAreBilledOnlyForAGeneratedCompletion() {
        let (calls, _) = Self.mapped([
            Self.record(1, at: 0, outcome: .status(429), completed: false), Self.record(2, at: 1, outcome: .drop(.drip)),
        ])
        #expect(calls[0].promptTokens == 0 && calls[0].completionTokens == 0)
        #expect(calls[1].promptTokens == 10 && calls[1].completionTokens == 5 && calls[1].outcome == .dropped(.drip))
    }

    @Test func retryAfterMsIsPreferredOverRetryAfter() {
        let (calls, _) = Self.mapped([
            Self.record(1, at: 0, outcome: .status(429), completed: false, retryAfter: .seconds(2), retryAfterMs: .milliseconds(1500))
        ])
        #expect(calls[0].retryAfter == .milliseconds(1500))
    }

    @Test func theAnswerTimeIsTheMocksDelayExceptForAnswersThatNeverComplete() {
        var answered = Self.record(1, at: 1_000, outcome: .status(429), completed: false, retryAfter: .seconds(2))
        answered.delay = .milliseconds(250)
        var hung = Self.record(2, at: 2_000, outcome: .drop(.hang), completed: false)
        hung.delay = .milliseconds(250)
        let (calls, _) = Self.mapped([answered, hung])
        // Retry-After compliance measures from when the 429 left the mock: 1.25 s, not 1 s.
        #expect(calls[0].delayNanos == 250_000_000)
        #expect(calls[1].delayNanos == -1)
    }

    @Test func aForeignMocksRetryAfterThatNoDurationCanHoldIsDroppedNotTrapped() {
        #expect(HTTPCallLog.duration(1.5, unit: 1e9) == .milliseconds(1500))
        #expect(HTTPCallLog.duration(250, unit: 1e6) == .milliseconds(250))
        #expect(HTTPCallLog.duration(1e300, unit: 1e9) == nil)
        #expect(HTTPCallLog.duration(-1, unit: 1e9) == nil)
        #expect(HTTPCallLog.duration(.nan, unit: 1e6) == nil)
        #expect(HTTPCallLog.duration(.infinity, unit: 1e6) == nil)
    }

    @Test func anotherRunsCallsAreNotCountedAndUntaggedOnesCountWithoutAKey() {
        let (calls, feeder) = Self.mapped([
            Self.record(1, at: 0, run: "zzzz9999", key: 1), Self.record(2, at: 1, run: nil, key: nil),
            Self.record(3, at: 2, key: 1),
        ])
        #expect(calls.count == 2)
        #expect(calls[0].keyID == -1)
        #expect(feeder.summary.otherRun == 1 && feeder.summary.untagged == 1 && feeder.summary.attributed == 1)
        #expect(feeder.summary.counted == 2)
    }

    @Test func everyConnectionFaultMapsToTheRecordersDropOfTheSameName() {
        for kind in DropKind.allCases {
            guard case .dropped(let d) = CallLogFeeder.outcome(.drop(kind)) else {
                Issue.record("\(kind) did not map to a drop")
                continue
            }
            #expect(d.rawValue == kind.rawValue)
        }
    }

    @Test func aPageFeedsTheRecorderAndCountsWhatTheLogDropped() {
        var feeder = CallLogFeeder(run: Self.run, tagged: true, source: "test")
        var rec = Self.recorder()
        let page = CallLogPage(
            records: [Self.record(5, at: 0, key: 1), Self.record(6, at: 1, key: 2)], next: 6, dropped: 4, lastSeq: 9,
            run: Self.run)
        let caughtUp = feeder.feed(page, keys: [:], into: &rec)
        #expect(!caughtUp && feeder.cursor == 6)
        #expect(feeder.summary.read == 2 && feeder.summary.dropped == 4 && !feeder.summary.complete)
        let result = rec.finish(end: .seconds(60))
        #expect(result.usage.llmCalls == 2)
        feeder.conclude(succeededTasks: 2, mockRun: Self.run)
        #expect(feeder.summary.warnings.contains { $0.contains("overwrote 4 records") })
    }

    @Test func aMockThatSawNoCallWhileTasksSucceededIsSaidLoudly() {
        var feeder = CallLogFeeder(run: Self.run, tagged: true, source: "in-process mock at http://127.0.0.1:1")
        feeder.conclude(succeededTasks: 12, mockRun: Self.run)
        #expect(feeder.summary.warnings.count == 1)
        #expect(feeder.summary.warnings[0].contains("saw no call of this run although 12 tasks succeeded"))
        var quiet = CallLogFeeder(run: Self.run, tagged: true, source: "m")
        quiet.conclude(succeededTasks: 0, mockRun: Self.run)
        #expect(quiet.summary.warnings.isEmpty)
    }

    @Test func callsThatLostTheTagMakePerKeyFiguresUnavailable() {
        var feeder = CallLogFeeder(run: Self.run, tagged: true, source: "m")
        var rec = Self.recorder()
        feeder.feed(
            CallLogPage(records: [Self.record(1, at: 0, run: nil, key: nil)], next: 1, dropped: 0, lastSeq: 1), keys: [:],
            into: &rec)
        feeder.conclude(succeededTasks: 1, mockRun: "other000")
        #expect(feeder.summary.warnings.contains { $0.contains("drops the prompt's tag") })
        #expect(feeder.summary.warnings.contains { $0.contains("restarted with run id other000") })
    }

    @Test func theHTTPPageFormatDecodesToTheSameRecords() throws {
        let body = """
            {"run":"abcd1234","next":2,"dropped":1,"last":3,"records":[\
            {"seq":2,"t_ns":1500000000,"delay_ns":0,"run":"abcd1234","key":35,"idempotency_key":"abcd1234-kz","model":"m",\
            "path":"/v1/chat/completions","stream":false,"attempt":2,"status":429,"drop":null,"retry_after":2,\
            "retry_after_ms":1500,"completed":false,"prompt_tokens":10,"completion_tokens":0,"rule":0}]}
            """
        let page = try HTTPCallLog.decode(Array(body.utf8), url: "u")
        #expect(page.run == "abcd1234" && page.next == 2 && page.dropped == 1 && page.lastSeq == 3)
        let r = try #require(page.records.first)
        #expect(r.tag == SquallTag(run: "abcd1234", key: 35))
        #expect(r.time == .milliseconds(1500) && r.outcome == .status(429) && r.attempt == 2 && r.rule == 0)
        #expect(r.retryAfter == .seconds(2) && r.retryAfterMs == .milliseconds(1500))
        #expect(throws: CallLogReadError.self) { try HTTPCallLog.decode(Array("{\"records\":1}".utf8), url: "u") }
    }

    @Test func theMocksTimesAreShiftedOntoTheRunsTimeline() {
        // The mock's scenario time zero came 2 ms (real) after the run's, at time scale 60: 120 ms.
        let offset = WallClock.offset(mockOrigin: 1_000_002_000_000, timelineOrigin: 1_000_000_000_000, scale: 60)
        #expect(offset == .milliseconds(120))
        #expect(WallClock.offset(mockOrigin: nil, timelineOrigin: 5, scale: 60) == .zero)
        var feeder = CallLogFeeder(run: Self.run, tagged: true, source: "test")
        feeder.timeOffset = offset
        var rec = Self.recorder()
        let call = feeder.map(Self.record(1, at: 1_000), keys: [:], recorder: &rec)
        #expect(call?.at == .milliseconds(1_120))
        #expect(LLMEndpoint.origin(Array(#"{"ok":true,"run":"abcd1234","origin_unix_ns":1234}"#.utf8)) == 1234)
        #expect(LLMEndpoint.origin(Array("not json".utf8)) == nil)
    }

    @Test func theOriginOfAnLLMURLDropsItsPath() {
        #expect(HTTPCallLog.origin(of: "http://127.0.0.1:8080/v1") == "http://127.0.0.1:8080")
        #expect(HTTPCallLog.origin(of: "http://h:1/openai/v1/") == "http://h:1")
        #expect(HTTPCallLog.origin(of: "http://h:1") == "http://h:1")
    }
}

/// Run ids on keys and task ids, and the tag on prompts.
struct RunAttributionTests {
    @Test func keysAndTaskIDsCarryTheRunIDSoRerunsNeverShareThem() {
        let a = RunAttribution(run: "abcd1234")
        let b = RunAttribution()
        #expect(a.key(35) == "abcd1234-kz" && a.taskID(4) == "abcd1234-t4")
        #expect(b.run != a.run && SquallTag.isValidRunID(b.run))
        #expect(a.key(35) != b.key(35))
        #expect(a.keyID(fromKey: a.key(35)) == 35 && b.keyID(fromKey: a.key(35)) == nil)
    }

    @Test func promptsCarryTheKeysMarkerUnlessTaggingIsOff() {
        let on = RunAttribution(run: "abcd1234")
        #expect(on.prompt("Hi", keyID: 35) == "Hi [sq:abcd1234:z]")
        #expect(SquallTag.find(in: on.prompt("Hi", keyID: 35))?.tag.key == 35)
        let off = RunAttribution(run: "abcd1234", tagging: false)
        #expect(off.prompt("Hi", keyID: 35) == "Hi")
    }

    @Test func anInvalidRunIDIsReplacedByARandomOne() {
        #expect(RunAttribution(run: "NOT-VALID").run != "NOT-VALID")
    }
}
