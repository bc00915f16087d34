import AgentService
import Foundation
import Testing

/// `/metrics` comes from swift-metrics + swift-prometheus; the names dashboards and alerts use are pinned.
@Suite struct MetricsNamesTests {
    static let pinned: [(name: String, type: String)] = [
        ("squall_service_tasks_accepted_total", "counter"), ("squall_service_tasks_duplicate_total", "counter"),
        ("squall_service_tasks_rejected_total", "counter"), ("squall_service_tasks_started_total", "counter"),
        ("squall_service_tasks_finished_total", "counter"), ("squall_service_tasks_failed_total", "counter"),
        ("squall_service_llm_attempts_total", "counter"), ("squall_service_cost_usd_total", "counter"),
        ("squall_service_store_unavailable_total", "counter"), ("squall_service_task_duration_seconds", "histogram"),
        ("squall_service_task_queue_seconds", "histogram"), ("squall_service_tasks_in_flight", "gauge"),
        ("squall_service_queue_depth", "gauge"), ("squall_service_workers", "gauge"), ("squall_service_draining", "gauge"),
        ("squall_service_last_drain_seconds", "gauge"),
    ]

    @Test func everyPinnedMetricIsExportedWithItsTypeAndLatencyHistogramsHaveBuckets() async throws {
        let s = try await RunningService.start(AgentServiceConfiguration(workers: 1, drainTimeout: .seconds(5)), runner: FakeRunner())
        let http = try TestHTTP()
        let id = try #require(try json(try await http.post(s.base + "/tasks", json: taskJSON("one")))["task_id"] as? String)
        _ = try await http.waitForEnd(s.base, id: id)
        _ = try await http.post(s.base + "/tasks", json: "{not json")
        await http.shutdown()
        try await s.shutdown()
        let text = s.service.engine.metrics.render(queueDepth: 0, workers: 1)
        for m in Self.pinned {
            #expect(text.contains("# TYPE \(m.name) \(m.type)\n"), "\(m.name) missing or not a \(m.type)")
        }
        #expect(text.contains("squall_service_tasks_accepted_total 1\n"))
        #expect(text.contains("squall_service_tasks_rejected_total{reason=\"invalid\"} 1\n"))
        #expect(text.contains("squall_service_task_duration_seconds_count 1\n"))
        #expect(text.contains("squall_service_task_duration_seconds_bucket{le=\"0.01\"} "))
        #expect(text.contains("squall_service_task_duration_seconds_bucket{le=\"+Inf\"} 1\n"))
        #expect(text.contains("squall_service_task_queue_seconds_count 1\n"))
        #expect(text.contains("squall_service_draining 1.0\n"))
        #expect(text.contains("squall_service_tasks_failed_total{cause=\"shutdown\"} 0\n"))
        // Every exported family is one of the pinned names: a rename shows up here.
        let families = Set(text.split(separator: "\n").filter { $0.hasPrefix("# TYPE ") }.map { $0.split(separator: " ")[2] })
        #expect(families == Set(Self.pinned.map { Substring($0.name) }))
    }
}
