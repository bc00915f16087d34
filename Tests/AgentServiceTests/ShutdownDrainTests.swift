import AgentService
import CurlClient
import Foundation
import Testing

@Suite struct ShutdownDrainTests {
    @Test func drainRefusesNewWorkFinishesRunningTasksAndFailsStuckOnesWithShutdown() async throws {
        let runner = FakeRunner(delay: .milliseconds(50))
        let store = InMemoryTaskStore()
        let s = try await RunningService.start(
            AgentServiceConfiguration(workers: 2, drainTimeout: .seconds(1)), store: store, runner: runner)
        let http = try TestHTTP()
        var accepted: [String] = []
        for task in ["stuck forever", "fast 1", "fast 2", "fast 3"] {
            let r = try await http.post(s.base + "/tasks", json: taskJSON(task))
            #expect(r.status == 202)
            accepted.append(try #require(try json(r)["task_id"] as? String))
        }
        for _ in 0..<500 where runner.inFlight == 0 { try await Task.sleep(for: .milliseconds(5)) }

        await s.group.triggerGracefulShutdown()
        // While draining (the stuck task holds the drain open for 1 s): health is 503, submissions 503 + Retry-After,
        // and polls still answer.
        var health = try await http.get(s.base + "/health")
        for _ in 0..<100 where health.status != 503 {
            try await Task.sleep(for: .milliseconds(5))
            health = try await http.get(s.base + "/health")
        }
        #expect(health.status == 503)
        #expect(try json(health)["status"] as? String == "draining")
        let refused = try await http.post(s.base + "/tasks", json: taskJSON("too late"))
        #expect(refused.status == 503)
        #expect(refused.headers["Retry-After"] == "1")
        #expect(try await http.get(s.base + "/tasks/" + accepted[0]).status == 200)
        await http.shutdown()
        try await s.run.value

        // No accepted task is lost: each ended complete, or failed with cause shutdown.
        let stuck = try #require(store.get(id: accepted[0]))
        #expect(stuck.status == .failed)
        #expect(stuck.cause == "shutdown")
        for id in accepted.dropFirst() {
            let r = try #require(store.get(id: id))
            #expect(r.status == .complete)
        }
        #expect(runner.executions["too late"] == nil)
        let drained = try #require(s.service.engine.metrics.lastDrainSeconds)
        print("drain with one task stuck past a 1 s drain timeout took \(String(format: "%.3f", drained)) s")
    }

    @Test func queuedTasksLeftAtTheDeadlineEndWithShutdownInMemoryMode() async throws {
        let runner = FakeRunner()
        let store = InMemoryTaskStore()
        let s = try await RunningService.start(
            AgentServiceConfiguration(workers: 1, drainTimeout: .milliseconds(200)), store: store, runner: runner)
        let http = try TestHTTP()
        var accepted: [String] = []
        for task in ["stuck 1", "stuck 2", "stuck 3"] {
            let r = try await http.post(s.base + "/tasks", json: taskJSON(task))
            accepted.append(try #require(try json(r)["task_id"] as? String))
        }
        for _ in 0..<500 where runner.inFlight == 0 { try await Task.sleep(for: .milliseconds(5)) }
        await http.shutdown()
        try await s.shutdown()
        for id in accepted {
            let r = try #require(store.get(id: id))
            #expect(r.status == .failed)
            #expect(r.cause == "shutdown")
        }
        #expect(store.pendingCount() == 0)
        // Only the first ever ran; the other two never reached the LLM.
        #expect(runner.total == 1)
    }

    @Test func drainEndsAsSoonAsTheLastTaskFinishes() async throws {
        let runner = FakeRunner(delay: .milliseconds(20))
        let store = InMemoryTaskStore()
        let s = try await RunningService.start(
            AgentServiceConfiguration(workers: 2, drainTimeout: .seconds(60)), store: store, runner: runner)
        let http = try TestHTTP()
        var accepted: [String] = []
        for i in 0..<6 {
            let r = try await http.post(s.base + "/tasks", json: taskJSON("quick \(i)"))
            accepted.append(try #require(try json(r)["task_id"] as? String))
        }
        await http.shutdown()
        // Bounded by the test's own limit, not the 60 s drain timeout: the drain returns once the work is done.
        try await s.shutdown()
        for id in accepted { #expect(store.get(id: id)?.status == .complete) }
        #expect(runner.total == 6)
    }
}
