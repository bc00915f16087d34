/// Counters the mock keeps: requests by path, model, status and action, and completions fully
/// generated per idempotency key (how duplicate suppression is verified from outside).
public struct MockStats: Sendable {
    /// The labels of one request series.
    public struct Labels: Sendable, Hashable {
        /// Route path (`/v1/chat/completions`, …; unknown paths are `other`).
        public var path: String
        /// Model (empty when the body had none).
        public var model: String
        /// Status sent (`none` for reset and hang).
        public var status: String
        /// Decision label (`ok`, `status_503`, `rate_limited`, `reset`, `bad_request`, …).
        public var action: String
    }

    /// Request counts per label set.
    public private(set) var series: [Labels: Int] = [:]
    /// Completions fully generated per idempotency key.
    public private(set) var executionsByKey: [String: Int] = [:]
    /// Requests (any outcome) per idempotency key.
    public private(set) var requestsByKey: [String: Int] = [:]
    /// All requests counted.
    public private(set) var total = 0
    /// Completions fully generated (healthy or dripped replies).
    public private(set) var completions = 0

    /// Empty counters.
    public init() {}

    /// Counts one request. `executed` marks a completion fully generated.
    public mutating func record(path: String, model: String, status: Int?, action: String, idempotencyKey: String?, executed: Bool) {
        let labels = Labels(path: path, model: model, status: status.map(String.init) ?? "none", action: action)
        series[labels, default: 0] += 1
        total += 1
        if executed { completions += 1 }
        if let key = idempotencyKey {
            requestsByKey[key, default: 0] += 1
            if executed { executionsByKey[key, default: 0] += 1 }
        }
    }

    private func totals(_ by: (Labels) -> String) -> [(String, Int)] {
        var out: [String: Int] = [:]
        for (l, n) in series { out[by(l), default: 0] += n }
        return out.sorted { $0.key < $1.key }
    }

    /// The `/_squall/stats` JSON.
    public func json(scenarioSeconds: Double) -> String {
        func object(_ pairs: [(String, Int)]) -> String {
            "{" + pairs.map { JSONText.quoted($0.0) + ":" + String($0.1) }.joined(separator: ",") + "}"
        }
        var s = "{\"requests_total\":\(total),\"completions_total\":\(completions)"
        s += ",\"scenario_time_seconds\":" + String(scenarioSeconds)
        s += ",\"by_path\":" + object(totals(\.path))
        s += ",\"by_model\":" + object(totals(\.model))
        s += ",\"by_status\":" + object(totals(\.status))
        s += ",\"by_action\":" + object(totals(\.action))
        s += ",\"executions_by_key\":" + object(executionsByKey.sorted { $0.key < $1.key })
        s += ",\"requests_by_key\":" + object(requestsByKey.sorted { $0.key < $1.key })
        s += ",\"duplicate_executions\":" + String(executionsByKey.values.reduce(0) { $0 + max(0, $1 - 1) })
        s += "}"
        return s
    }

    /// The `/metrics` Prometheus text exposition.
    public func prometheus() -> String {
        func esc(_ v: String) -> String {
            v.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                .replacingOccurrences(of: "\n", with: "\\n")
        }
        var s = "# HELP squall_mock_requests_total Requests answered by the mock LLM.\n# TYPE squall_mock_requests_total counter\n"
        let rows = series.sorted { ($0.key.path, $0.key.model, $0.key.status, $0.key.action) < ($1.key.path, $1.key.model, $1.key.status, $1.key.action) }
        for (l, n) in rows {
            s += "squall_mock_requests_total{path=\"\(esc(l.path))\",model=\"\(esc(l.model))\",status=\"\(l.status)\",action=\"\(esc(l.action))\"} \(n)\n"
        }
        s += "# HELP squall_mock_completions_total Completions fully generated.\n# TYPE squall_mock_completions_total counter\n"
        s += "squall_mock_completions_total \(completions)\n"
        s += "# HELP squall_mock_idempotency_keys Distinct idempotency keys seen.\n# TYPE squall_mock_idempotency_keys gauge\n"
        s += "squall_mock_idempotency_keys \(requestsByKey.count)\n"
        s += "# HELP squall_mock_duplicate_executions_total Completions generated again for an idempotency key already executed.\n# TYPE squall_mock_duplicate_executions_total counter\n"
        s += "squall_mock_duplicate_executions_total \(executionsByKey.values.reduce(0) { $0 + max(0, $1 - 1) })\n"
        return s
    }
}

import Reliability
import Foundation
