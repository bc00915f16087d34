import Foundation
import LiveRuntime
import Reliability
import Synchronization
import Testing

@testable import LoadGen

/// A scripted job service with another contract: `PUT /jobs` with the key in `X-Request-Key` and the
/// body `{"job": {"input": …}}` → `201 {"job": {"id", "state": "QUEUED"}}`; `GET /jobs/{id}` →
/// `{"job": {"state": "RUNNING"|"DONE"|…}}`. Keys seen before get the same job id (deduplication
/// by id, no header).
final class JobService: LoadHTTPClient, Sendable {
    struct State {
        var calls: [HTTPCall] = []
        var jobs: [String: String] = [:]
        var polls = 0
    }
    let state = Mutex(State())
    let finalState: String
    let answerID: Bool

    init(finalState: String = "DONE", answerID: Bool = true) {
        self.finalState = finalState
        self.answerID = answerID
    }

    func send(_ call: HTTPCall) async -> Result<HTTPReply, TransportFailureError> {
        let (id, polls) = state.withLock { s -> (String, Int) in
            s.calls.append(call)
            if call.method == "GET" { s.polls += 1 }
            let key = call.headers.first { $0.name == "X-Request-Key" }?.value ?? "?"
            let id = s.jobs[key] ?? "job-\(s.jobs.count + 1)"
            if call.method == "PUT" { s.jobs[key] = id }
            return (id, s.polls)
        }
        if call.method == "PUT" {
            let doc = answerID ? #"{"job":{"id":"\#(id)","state":"QUEUED"}}"# : #"{"job":{"state":"QUEUED"}}"#
            return .success(HTTPReply(status: 201, body: Array(doc.utf8)))
        }
        let s = polls >= 2 ? finalState : "RUNNING"
        return .success(HTTPReply(status: 200, body: Array(#"{"job":{"id":"x","state":"\#(s)","tries":3}}"#.utf8)))
    }

    var calls: [HTTPCall] { state.withLock { $0.calls } }
}

@Suite("Task contract")
struct TaskContractTests {
    static var jobs: TaskContract {
        var c = TaskContract()
        c.method = "PUT"
        c.path = "/jobs"
        c.body = .object([BodyField("job", .object([BodyField("input", .text("{task}")), BodyField("priority", .literal("2"))]))])
        c.keyHeader = "X-Request-Key"
        c.id = JSONFieldPath("job.id")!
        c.status = JSONFieldPath("job.state")!
        c.success = ["DONE"]
        c.failure = ["ERROR"]
        c.pending = ["QUEUED", "RUNNING"]
        c.pollPath = "/jobs/{id}"
        c.replayedHeader = nil
        c.attempts = JSONFieldPath("job.tries")!
        return c
    }

    func task(_ index: Int = 0, duplicate: DuplicateKind? = nil, duplicated: Bool = false) -> LoadTask {
        var t = LoadTask(index: index, id: "t\(index)", prompt: "Say \"hi\"", idempotencyKey: "key-\(index)", intendedStart: .zero, duplicate: duplicate)
        if duplicated { t.duplicatedAs = .afterCompletion }
        return t
    }

    func target(_ service: JobService, _ contract: TaskContract = Self.jobs) -> TasksTarget {
        TasksTarget(baseURL: "http://h", client: service, timeline: LiveTimeline(clock: JumpClock()), contract: contract)
    }

    @Test func drivesAServiceWithAnotherContract() async throws {
        let service = JobService()
        let r = await target(service).run(task())
        #expect(r.status == .succeeded && r.attempts == 3)
        let calls = service.calls
        #expect(calls[0].method == "PUT" && calls[0].url == "http://h/jobs")
        #expect(calls[0].headers.contains(HTTPField("X-Request-Key", "key-0")))
        #expect(!calls[0].headers.contains { $0.name == "Idempotency-Key" })
        #expect(String(decoding: calls[0].body, as: UTF8.self) == #"{"job":{"input":"Say \"hi\"","priority":2}}"#)
        #expect(calls.dropFirst().allSatisfy { $0.method == "GET" && $0.url == "http://h/jobs/job-1" })
    }

    @Test func aFailureStatusFailsTheTask() async {
        let r = await target(JobService(finalState: "ERROR")).run(task())
        #expect(r.status == .failed && r.cause == nil)
    }

    @Test func anAnswerOutsideTheContractIsCountedUnderACauseNamingTheField() async {
        let noID = await target(JobService(answerID: false)).run(task())
        #expect(noID.status == .failed && noID.cause == .contractID && noID.lastOutcome == "no job.id in the answer")
        let unknown = await target(JobService(finalState: "EXPLODED")).run(task())
        #expect(unknown.status == .failed && unknown.cause == .contractStatus && unknown.lastOutcome == "job.state=EXPLODED")
        // With no pending set declared, any other status means still running.
        var open = Self.jobs
        open.pending = []
        let service = JobService(finalState: "EXPLODED")
        let target = TasksTarget(
            baseURL: "http://h", client: service, timeline: LiveTimeline(clock: JumpClock()), contract: open, pollInterval: .seconds(1),
            taskTimeout: .seconds(5))
        #expect(await target.run(task()).cause == .deadlineExceeded)
    }

    @Test func aDuplicateGivenTheOriginalsIDIsDeduplicatedWithoutAHeader() async {
        let service = JobService()
        let t = target(service)
        #expect(await t.run(task(0, duplicated: true)).status == .succeeded)
        let dup = await t.run(task(0, duplicate: .afterCompletion))
        #expect(dup.status == .replayed)
        // Another key gets another id and runs.
        #expect(await t.run(task(1)).status == .succeeded)
    }

    @Test func aSynchronousEndpointsAnswerIsTheResult() async {
        var sync = Self.jobs
        sync.pollPath = nil
        sync.success = ["QUEUED"]
        sync.pending = []
        let service = JobService()
        #expect(await target(service, sync).run(task()).status == .succeeded)
        #expect(service.calls.count == 1)
        // A 2xx answer without a status is a success; with a failure status, a failure.
        sync.status = JSONFieldPath("job.missing")!
        #expect(await target(JobService(), sync).run(task()).status == .succeeded)
        sync.status = JSONFieldPath("job.state")!
        sync.success = ["DONE"]
        sync.failure = ["QUEUED"]
        #expect(await target(JobService(), sync).run(task()).status == .failed)
    }

    @Test func theReferenceContractIsTodays() {
        let c = TaskContract.reference
        #expect(c.method == "POST" && c.path == "/tasks" && c.keyHeader == "Idempotency-Key" && c.replayedHeader == "Idempotent-Replayed")
        #expect(c.body.render(task: "a\"b", key: "k") == #"{"task":"a\"b","idempotency_key":"k"}"#)
        #expect(c.pollPath(id: "t 1/2", key: "k") == "/tasks/t%201%2F2")
        #expect(c.state(of: ["status": "running"], requireStatus: true) == .pending)
        #expect(c.state(of: ["status": "complete"], requireStatus: true) == .succeeded)
        #expect(c.state(of: ["status": "weird"], requireStatus: true) == .unknown(status: "weird"))
        #expect(c.state(of: [String: Any](), requireStatus: true) == .unknown(status: nil))
        #expect(JSONFieldPath("a..b") == nil && JSONFieldPath("") == nil)
        #expect(JSONFieldPath("items.1.id")?.text(in: ["items": [["id": 1], ["id": 2]]]) == "2")
    }
}

/// A job service whose answers to the key `key-0` are held until released, so a duplicate's answer
/// can arrive while its original's is still in flight.
final class HeldJobService: LoadHTTPClient, Sendable {
    let base = JobService()
    let gate = Mutex<[CheckedContinuation<Void, Never>]?>([])

    func release() {
        let waiting = gate.withLock { g -> [CheckedContinuation<Void, Never>] in
            let w = g ?? []
            g = nil
            return w
        }
        for w in waiting { w.resume() }
    }

    func send(_ call: HTTPCall) async -> Result<HTTPReply, TransportFailureError> {
        let isOriginal = call.method == "PUT" && base.state.withLock { $0.jobs.isEmpty }
        let reply = await base.send(call)
        if isOriginal {
            await withCheckedContinuation { c in
                let held = gate.withLock { g -> Bool in
                    guard g != nil else { return false }
                    g!.append(c)
                    return true
                }
                if !held { c.resume() }
            }
        }
        return reply
    }
}

@Suite("Task contract: a concurrent duplicate")
struct ConcurrentDuplicateTests {
    @Test func aDuplicateAnsweredBeforeItsOriginalWaitsForTheOriginalsID() async {
        let service = HeldJobService()
        let target = TasksTarget(baseURL: "http://h", client: service, timeline: LiveTimeline(clock: JumpClock()), contract: TaskContractTests.jobs)
        var original = LoadTask(index: 0, id: "t0", prompt: "p", idempotencyKey: "key-0", intendedStart: .zero)
        original.duplicatedAs = .concurrent
        let duplicate = LoadTask(index: 0, id: "t0-dup", prompt: "p", idempotencyKey: "key-0", intendedStart: .zero, duplicate: .concurrent)
        async let first = target.run(original)
        // The original's answer is held; the duplicate is answered with the same job id meanwhile.
        var spins = 0  // bounded waits: the test fails instead of hanging
        while service.base.state.withLock({ $0.jobs.isEmpty }), spins < 1_000_000 { spins += 1; await Task.yield() }
        async let second = target.run(duplicate)
        while service.base.calls.filter({ $0.method == "PUT" }).count < 2, spins < 2_000_000 { spins += 1; await Task.yield() }
        service.release()
        let (o, d) = await (first, second)
        #expect(o.status == .succeeded)
        #expect(d.status == .replayed)
    }
}
