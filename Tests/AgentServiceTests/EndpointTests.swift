import AgentService
import CurlClient
import Foundation
import Testing

@Suite struct EndpointTests {
    @Test func submittedTaskIsAcceptedPendingAndEndsComplete() async throws {
        let runner = FakeRunner()
        let s = try await RunningService.start(AgentServiceConfiguration(workers: 2), runner: runner)
        let http = try TestHTTP()
        let r = try await http.post(s.base + "/tasks", json: taskJSON("What is the capital of France?"))
        #expect(r.status == 202)
        let doc = try json(r)
        #expect(doc["status"] as? String == "pending")
        let id = try #require(doc["task_id"] as? String)
        let done = try await http.waitForEnd(s.base, id: id)
        #expect(done["status"] as? String == "complete")
        #expect(done["result"] as? String == "answer: What is the capital of France?")
        #expect(done["attempts"] as? Int == 1)
        #expect(done["model"] as? String == "fake")
        #expect(done["cost_usd"] as? Double == 0.001)
        #expect(done["duration_ms"] is Double)
        #expect(done["error"] is NSNull)
        #expect(runner.total == 1)
        await http.shutdown()
        try await s.shutdown()
    }

    @Test func unknownTaskIdIs404WithJSONError() async throws {
        let s = try await RunningService.start(AgentServiceConfiguration(), runner: FakeRunner())
        let http = try TestHTTP()
        let r = try await http.get(s.base + "/tasks/t_doesnotexist")
        #expect(r.status == 404)
        let doc = try json(r)
        #expect(doc["field"] as? String == "id")
        #expect((doc["error"] as? String)?.contains("t_doesnotexist") == true)
        let bad = try await http.get(s.base + "/tasks/not%20an%20id")
        #expect(bad.status == 400)
        await http.shutdown()
        try await s.shutdown()
    }

    @Test func healthReportsOkAndTasksInFlight() async throws {
        let s = try await RunningService.start(AgentServiceConfiguration(), runner: FakeRunner())
        let http = try TestHTTP()
        let r = try await http.get(s.base + "/health")
        #expect(r.status == 200)
        let doc = try json(r)
        #expect(doc["status"] as? String == "ok")
        #expect(doc["tasks_in_flight"] as? Int == 0)
        await http.shutdown()
        try await s.shutdown()
    }

    @Test func metricsServePrometheusTextWithTheCounters() async throws {
        let s = try await RunningService.start(AgentServiceConfiguration(), runner: FakeRunner())
        let http = try TestHTTP()
        let id = try json(try await http.post(s.base + "/tasks", json: taskJSON("count me")))["task_id"] as! String
        _ = try await http.waitForEnd(s.base, id: id)
        _ = try await http.post(s.base + "/tasks", json: "{")
        let r = try await http.get(s.base + "/metrics")
        #expect(r.status == 200)
        #expect(r.headers["Content-Type"]?.hasPrefix("text/plain") == true)
        let text = r.bodyText
        #expect(text.contains("# TYPE squall_service_tasks_accepted_total counter"))
        #expect(text.contains("squall_service_tasks_accepted_total 1\n"))
        #expect(text.contains("squall_service_tasks_finished_total{status=\"complete\"} 1\n"))
        #expect(text.contains("squall_service_tasks_rejected_total{reason=\"invalid\"} 1\n"))
        #expect(text.contains("squall_service_queue_depth 0.0\n"))
        await http.shutdown()
        try await s.shutdown()
    }

    @Test func duplicateKeyReturnsTheSameTaskAndRunsItOnce() async throws {
        let runner = FakeRunner()
        let s = try await RunningService.start(AgentServiceConfiguration(), runner: runner)
        let http = try TestHTTP()
        let first = try await http.post(s.base + "/tasks", json: taskJSON("summarise the report", key: "key-1"))
        #expect(first.status == 202)
        let id = try #require(try json(first)["task_id"] as? String)
        // The key also arrives as the Idempotency-Key header.
        let second = try await http.post(
            s.base + "/tasks", json: taskJSON("summarise the report"), headers: ["Idempotency-Key": "key-1"])
        #expect(second.status == 202)
        #expect(try json(second)["task_id"] as? String == id)
        #expect(second.headers["Idempotent-Replayed"] == "true")
        _ = try await http.waitForEnd(s.base, id: id)
        let third = try await http.post(s.base + "/tasks", json: taskJSON("summarise the report", key: "key-1"))
        #expect(try json(third)["task_id"] as? String == id)
        #expect(try json(third)["status"] as? String == "complete")
        #expect(runner.executions["summarise the report"] == 1)
        await http.shutdown()
        try await s.shutdown()
    }

    @Test func sameKeyWithADifferentTaskIs422() async throws {
        let s = try await RunningService.start(AgentServiceConfiguration(), runner: FakeRunner())
        let http = try TestHTTP()
        #expect(try await http.post(s.base + "/tasks", json: taskJSON("task A", key: "k-x")).status == 202)
        let r = try await http.post(s.base + "/tasks", json: taskJSON("task B", key: "k-x"))
        #expect(r.status == 422)
        #expect(try json(r)["field"] as? String == "idempotency_key")
        let otherUser = try await http.post(s.base + "/tasks", json: taskJSON("task A", user: "u2", key: "k-x"))
        #expect(otherUser.status == 422)
        await http.shutdown()
        try await s.shutdown()
    }

    @Test func fullQueueAnswers429WithRetryAfter() async throws {
        let runner = FakeRunner()
        let s = try await RunningService.start(AgentServiceConfiguration(workers: 1, queueLimit: 1, drainTimeout: .milliseconds(200)), runner: runner)
        let http = try TestHTTP()
        #expect(try await http.post(s.base + "/tasks", json: taskJSON("stuck 1")).status == 202)
        // Wait until the only worker holds the first task, so the next one waits in the queue.
        for _ in 0..<500 where runner.inFlight == 0 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(runner.inFlight == 1)
        #expect(try await http.post(s.base + "/tasks", json: taskJSON("stuck 2")).status == 202)
        let r = try await http.post(s.base + "/tasks", json: taskJSON("stuck 3"))
        #expect(r.status == 429)
        #expect(r.headers["Retry-After"] == "1")
        #expect(try json(r)["error"] is String)
        await http.shutdown()
        try await s.shutdown()
    }
}
