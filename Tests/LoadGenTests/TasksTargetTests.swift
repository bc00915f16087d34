import Foundation
import LiveRuntime
import Reliability
import Synchronization
import Testing

@testable import LoadGen

/// A scripted task service behind the `LoadHTTPClient` seam.
final class FakeTaskService: LoadHTTPClient, Sendable {
    struct State {
        var calls: [HTTPCall] = []
        var polls = 0
    }
    private let state = Mutex(State())
    let postStatus: Int
    let pollsBeforeDone: Int
    let finalStatus: String
    let replayed: Bool

    init(postStatus: Int = 202, pollsBeforeDone: Int = 2, finalStatus: String = "complete", replayed: Bool = false) {
        self.replayed = replayed
        self.postStatus = postStatus
        self.pollsBeforeDone = pollsBeforeDone
        self.finalStatus = finalStatus
    }

    func send(_ call: HTTPCall) async -> Result<HTTPReply, TransportFailureError> {
        let polls = state.withLock { s -> Int in
            s.calls.append(call)
            if call.method == "GET" { s.polls += 1 }
            return s.polls
        }
        if call.method == "POST" {
            return .success(HTTPReply(status: postStatus, headers: replayed ? [HTTPField("Idempotent-Replayed", "true")] : [], body: Array(#"{"task_id":"abc","status":"pending"}"#.utf8)))
        }
        let status = polls > pollsBeforeDone ? finalStatus : "running"
        return .success(HTTPReply(status: 200, body: Array(#"{"task_id":"abc","status":"\#(status)","attempts":2,"cause":"attempts_exhausted"}"#.utf8)))
    }

    var calls: [HTTPCall] { state.withLock { $0.calls } }
}

@Suite("Tasks target")
struct TasksTargetTests {
    let task = LoadTask(index: 0, id: "t0", prompt: "Say \"hi\"", idempotencyKey: "key-0", intendedStart: .zero)

    @Test func postsWithTheKeyInHeaderAndBodyThenPollsUntilComplete() async throws {
        let service = FakeTaskService()
        let target = TasksTarget(
            baseURL: "http://127.0.0.1:1/", client: service, timeline: LiveTimeline(clock: JumpClock()))
        let r = await target.run(task)
        #expect(r.status == .succeeded)
        #expect(r.attempts == 2)
        let calls = service.calls
        #expect(calls.count == 4)
        #expect(calls[0].method == "POST" && calls[0].url == "http://127.0.0.1:1/tasks")
        #expect(calls[0].headers.contains(HTTPField("Idempotency-Key", "key-0")))
        let body = try JSONSerialization.jsonObject(with: Data(calls[0].body)) as? [String: String]
        #expect(body == ["task": "Say \"hi\"", "idempotency_key": "key-0"])
        #expect(calls.dropFirst().allSatisfy { $0.method == "GET" && $0.url == "http://127.0.0.1:1/tasks/abc" })
    }

    @Test func failedTaskCarriesTheServiceCause() async {
        let target = TasksTarget(
            baseURL: "http://h", client: FakeTaskService(finalStatus: "failed"), timeline: LiveTimeline(clock: JumpClock()))
        let r = await target.run(task)
        #expect(r.status == .failed)
        #expect(r.cause == .attemptsExhausted)
    }

    @Test func conflictAndMismatchAreRecognised() async {
        let timeline = LiveTimeline(clock: JumpClock())
        #expect(await TasksTarget(baseURL: "http://h", client: FakeTaskService(postStatus: 409), timeline: timeline).run(task).status == .conflict)
        #expect(await TasksTarget(baseURL: "http://h", client: FakeTaskService(postStatus: 422), timeline: timeline).run(task).status == .mismatch)
    }

    @Test func aReplayedSubmissionIsNotPolled() async {
        let service = FakeTaskService(replayed: true)
        let r = await TasksTarget(baseURL: "http://h", client: service, timeline: LiveTimeline(clock: JumpClock())).run(task)
        #expect(r.status == .replayed)
        #expect(service.calls.count == 1)
    }

    @Test func givesUpAfterTheTaskTimeout() async {
        let target = TasksTarget(
            baseURL: "http://h", client: FakeTaskService(pollsBeforeDone: 1_000_000), timeline: LiveTimeline(clock: JumpClock()),
            pollInterval: .seconds(1), taskTimeout: .seconds(10))
        let r = await target.run(task)
        #expect(r.status == .failed)
        #expect(r.cause == .deadlineExceeded)
    }
}

/// A task service that never answers a submission: every request fails with `failure`.
struct UnansweringService: LoadHTTPClient {
    let failure: TransportFailure
    func send(_ call: HTTPCall) async -> Result<HTTPReply, TransportFailureError> {
        .failure(TransportFailureError(failure, message: "scripted"))
    }
}

@Suite("Tasks target: submission failures and service latency")
struct TasksTargetServiceLatencyTests {
    let task = LoadTask(index: 0, id: "t0", prompt: "hi", idempotencyKey: "key-0", intendedStart: .zero)

    @Test func aSubmissionThatTimedOutIsItsOwnCauseNotPermanent() async {
        let target = TasksTarget(baseURL: "http://h", client: UnansweringService(failure: .timeout), timeline: LiveTimeline(clock: JumpClock()))
        let r = await target.run(task)
        #expect(r.status == .failed && r.cause == .submitTimeout && r.lastOutcome == "timeout")
    }

    @Test func aRefusedSubmissionIsSubmitRefused() async {
        let target = TasksTarget(baseURL: "http://h", client: UnansweringService(failure: .refused), timeline: LiveTimeline(clock: JumpClock()))
        let r = await target.run(task)
        #expect(r.status == .failed && r.cause == .submitRefused && r.lastOutcome == "refused")
    }

    @Test func aServerErrorOnSubmitIsSubmitErrorWithTheStatus() async {
        for status in [500, 503, 429, 400] {
            let target = TasksTarget(baseURL: "http://h", client: FakeTaskService(postStatus: status), timeline: LiveTimeline(clock: JumpClock()))
            let r = await target.run(task)
            #expect(r.status == .failed && r.cause == .submitError && r.lastOutcome == String(status))
        }
    }

    @Test func everySubmissionAndPollIsTimedIntoTheProbe() async {
        let probe = ServiceLatencyProbe()
        let service = FakeTaskService(pollsBeforeDone: 2)
        let target = TasksTarget(baseURL: "http://h", client: service, timeline: LiveTimeline(clock: JumpClock()), probe: probe)
        #expect(await target.run(task).status == .succeeded)
        let s = probe.summary()
        #expect(s.accept.count == 1 && s.poll.count == service.calls.count - 1 && s.health.count == 0)
    }

    @Test func aTimeoutCountsAtTheTimeWaitedAndARefusalIsNotALatency() {
        let probe = ServiceLatencyProbe(healthInterval: .milliseconds(100))
        probe.record(.health, elapsed: .milliseconds(20), failure: nil)
        probe.record(.health, elapsed: .seconds(30), failure: .timeout)
        probe.record(.health, elapsed: .milliseconds(1), failure: .refused)
        let h = probe.summary().health
        #expect(h.count == 2 && h.timeouts == 1 && h.failures == 1)
        #expect(abs(h.max - 30) < 0.03 && abs(h.p50 - 0.02) < 0.0001)
        #expect(probe.summary().healthIntervalSeconds == 0.1)
        #expect(probe.summary().accept == .empty)
    }
}

/// Replicas behind the `LoadHTTPClient` seam: `r0` accepts the task and then stops answering; each
/// replica's polls answer from `polls[replica]` in turn (nil: refused), the last one repeating.
final class ReplicaSet: LoadHTTPClient, Sendable {
    private let script: [String: [String?]]
    private let state = Mutex<(calls: [String], next: [String: Int])>(([], [:]))

    init(polls: [String: [String?]]) { script = polls }

    func send(_ call: HTTPCall) async -> Result<HTTPReply, TransportFailureError> {
        let replica = String(call.url.dropFirst("http://".count).prefix { $0 != "/" })
        let status = state.withLock { s -> String?? in
            s.calls.append("\(call.method) \(replica)")
            guard call.method == "GET" else { return .some(nil) }
            let answers = script[replica] ?? [nil]
            let i = s.next[replica, default: 0]
            s.next[replica] = i + 1
            return .some(answers[min(i, answers.count - 1)])
        }
        if call.method == "POST" {
            return .success(HTTPReply(status: 202, body: Array(#"{"task_id":"abc","status":"pending"}"#.utf8)))
        }
        guard case .some(.some(let s)) = status else {
            return .failure(TransportFailureError(.refused, message: "scripted"))
        }
        return .success(HTTPReply(status: 200, body: Array(#"{"task_id":"abc","status":"\#(s)","attempts":1}"#.utf8)))
    }

    var calls: [String] { state.withLock { $0.calls } }
}

@Suite("Tasks target: polling across replicas")
struct TasksTargetReplicaTests {
    let task = LoadTask(index: 0, id: "t0", prompt: "hi", idempotencyKey: "key-0", intendedStart: .zero)

    @Test func aPollMovesToTheNextReplicaWhenOneStopsAnsweringAndStaysThere() async {
        let service = ReplicaSet(polls: ["r0": [nil], "r1": ["running", "complete"]])
        let target = TasksTarget(urls: ["http://r0", "http://r1"], client: service, timeline: LiveTimeline(clock: JumpClock()))
        let r = await target.run(task)
        #expect(r.status == .succeeded)
        // r0 is asked once; from then on the poll starts at r1, which answered.
        #expect(service.calls == ["POST r0", "GET r0", "GET r1", "GET r1"])
    }

    @Test func whenNoReplicaAnswersTheSharedStoreIsRead() async {
        let service = ReplicaSet(polls: [:])
        let asked = Mutex<[String]>([])
        let target = TasksTarget(
            urls: ["http://r0", "http://r1"], client: service, timeline: LiveTimeline(clock: JumpClock()),
            fallback: { id in
                asked.withLock { $0.append(id) }
                return Array(#"{"task_id":"abc","status":"failed","cause":"attempts_exhausted","attempts":5}"#.utf8)
            })
        let r = await target.run(task)
        #expect(r.status == .failed && r.cause == .attemptsExhausted && r.attempts == 5)
        #expect(asked.withLock { $0 } == ["abc"])
        #expect(service.calls == ["POST r0", "GET r0", "GET r1"])
    }

    @Test func aStoreWithoutTheFinishedTaskKeepsPollingAndAbandonEndsItAsShutdown() async {
        // The store has the task still running, so polling goes on until `abandon` says the
        // service is gone: cause `shutdown` with the last failure seen, not `deadline_exceeded`.
        let service = ReplicaSet(polls: [:])
        let rounds = Mutex(0)
        let target = TasksTarget(
            urls: ["http://r0", "http://r1"], client: service, timeline: LiveTimeline(clock: JumpClock()),
            fallback: { _ in Array(#"{"task_id":"abc","status":"running"}"#.utf8) },
            abandon: { rounds.withLock { $0 += 1; return $0 == 3 } })
        let r = await target.run(task)
        #expect(r.status == .failed && r.cause == .shutdown && r.lastOutcome == "refused")
        #expect(service.calls.count == 1 + 3 * 2)
    }

    @Test func withoutAbandonAnUnansweredTaskFailsAtItsDeadline() async {
        let service = ReplicaSet(polls: [:])
        let target = TasksTarget(
            urls: ["http://r0", "http://r1"], client: service, timeline: LiveTimeline(clock: JumpClock()),
            pollInterval: .seconds(1), taskTimeout: .seconds(5))
        let r = await target.run(task)
        #expect(r.status == .failed && r.cause == .deadlineExceeded && r.lastOutcome == "refused")
        #expect(service.calls.count == 1 + 5 * 2)
    }
}

/// A task service whose task id is the submission's idempotency key (so a duplicate the service
/// deduplicates gets its original's id); tasks whose key is in `stuck` never finish. With
/// `synchronous`, the POST answers the finished task itself.
final class KeyedTaskService: LoadHTTPClient, Sendable {
    let stuck: Set<String>
    let synchronous: Bool
    init(stuck: Set<String> = [], synchronous: Bool = false) {
        self.stuck = stuck
        self.synchronous = synchronous
    }

    func send(_ call: HTTPCall) async -> Result<HTTPReply, TransportFailureError> {
        if call.method == "POST" {
            let key = call.headers.first { $0.name == "Idempotency-Key" }?.value ?? "?"
            let status = synchronous ? "complete" : "pending"
            return .success(HTTPReply(status: synchronous ? 200 : 202, body: Array(#"{"task_id":"\#(key)","status":"\#(status)"}"#.utf8)))
        }
        let id = String(call.url.split(separator: "/").last ?? "")
        let status = stuck.contains(id) ? "running" : "complete"
        return .success(HTTPReply(status: 200, body: Array(#"{"task_id":"\#(id)","status":"\#(status)","attempts":1}"#.utf8)))
    }
}

@Suite("Tasks target: the ledger of accepted tasks")
struct TasksLedgerTests {
    func task(_ i: Int, duplicate: DuplicateKind? = nil, duplicatedAs: DuplicateKind? = nil) -> LoadTask {
        var t = LoadTask(index: i, id: "t\(i)", prompt: "hi", idempotencyKey: "key-\(i)", intendedStart: .zero)
        t.duplicate = duplicate
        t.duplicatedAs = duplicatedAs
        return t
    }

    @Test(arguments: [false, true])
    func finishedTasksAreForgottenAndOnlyTheUnfinishedAreKept(keepsAccepted: Bool) async {
        let ledger = TasksLedger(keepsAccepted: keepsAccepted)
        let target = TasksTarget(
            urls: ["http://h"], client: KeyedTaskService(stuck: ["key-2"]), timeline: LiveTimeline(clock: JumpClock()),
            taskTimeout: .seconds(5), ledger: ledger)
        for i in 0..<4 { _ = await target.run(task(i)) }
        #expect(ledger.acceptedCount == 4)
        #expect(ledger.unfinished == ["key-2"])
        #expect(ledger.sizes.open == 1)
        #expect(ledger.sizes.kept == (keepsAccepted ? 4 : 0))
        #expect(ledger.acceptedIDs == (keepsAccepted ? ["key-0", "key-1", "key-2", "key-3"] : nil))
    }

    @Test func aDuplicateTheServiceAnswersWithItsOriginalsTaskIsNotANewTask() async {
        // The original finishes; its after-completion duplicate gets the same task id (deduplicated):
        // one task accepted, none unfinished (counting it again would leave it open forever).
        let ledger = TasksLedger()
        let target = TasksTarget(
            urls: ["http://h"], client: KeyedTaskService(), timeline: LiveTimeline(clock: JumpClock()), ledger: ledger)
        let original = await target.run(task(0, duplicatedAs: .afterCompletion))
        let duplicate = await target.run(task(0, duplicate: .afterCompletion))
        #expect(original.status == .succeeded && duplicate.status == .replayed)
        #expect(ledger.acceptedCount == 1)
        #expect(ledger.unfinished.isEmpty)
    }

    @Test func aSynchronousEndpointsAnswerEndsTheTask() async {
        var contract = TaskContract()
        contract.pollPath = nil
        let ledger = TasksLedger()
        let target = TasksTarget(
            urls: ["http://h"], client: KeyedTaskService(synchronous: true), timeline: LiveTimeline(clock: JumpClock()),
            contract: contract, ledger: ledger)
        let r = await target.run(task(0))
        #expect(r.status == .succeeded)
        #expect(ledger.acceptedCount == 1)
        #expect(ledger.unfinished.isEmpty)
    }
}
