import Foundation
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
