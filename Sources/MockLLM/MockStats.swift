import Reliability

/// Counters the mock keeps: requests by path, model, status and action, and completions fully
/// generated per idempotency key (how duplicate suppression is verified from outside). Bounded: model
/// labels are folded (`ModelLabels`), the key table keeps at most `maxKeys` keys of at most
/// `maxKeyBytes` bytes (the oldest key is evicted first and counted).
public struct MockStats: Sendable {
    /// The labels of one request series.
    public struct Labels: Sendable, Hashable {
        /// Route path (`/v1/chat/completions`, …; unknown paths are `other`).
        public var path: String
        /// Model label (empty when the body had none; `other` for folded names).
        public var model: String
        /// Status sent (`none` for reset and hang).
        public var status: String
        /// Decision label (`ok`, `status_503`, `rate_limited`, `reset`, `bad_request`, …).
        public var action: String
    }

    /// Requests and completions of one idempotency key.
    public struct KeyCounts: Sendable, Hashable {
        /// Requests with the key, whatever happened to them.
        public var requests = 0
        /// Completions fully generated for the key.
        public var executions = 0
    }

    /// Default bound of the key table.
    public static let defaultMaxKeys = 65_536
    /// Longest idempotency key counted per key, in bytes (longer keys are counted in `keysTooLong`).
    public static let maxKeyBytes = 255

    /// Request counts per label set.
    public var series: [Labels: Int] { seriesPosition.mapValues { seriesCounts[$0] } }
    /// Where each label set's count is in `seriesCounts`.
    private var seriesPosition: [Labels: Int] = [:]
    private var seriesCounts: [Int] = []
    /// All requests counted.
    public private(set) var total = 0
    /// Completions fully generated (healthy or dripped replies).
    public private(set) var completions = 0
    /// Completions generated again for a key that already had one (exact, even for evicted keys'
    /// later requests only while the key is held).
    public private(set) var duplicateExecutions = 0
    /// Requests whose idempotency key was longer than `maxKeyBytes` (not counted per key).
    public private(set) var keysTooLong = 0
    /// Connections refused (503 and closed) because the connection limit was reached.
    public internal(set) var connectionsRefused = 0
    /// Requests whose model name was counted as `other`.
    public internal(set) var modelsFolded = 0
    private var keys: BoundedKeyTable<KeyCounts>
    /// The series counted last and its position in `seriesCounts`: consecutive requests mostly
    /// share their labels, and comparing four short strings is cheaper than hashing them.
    private var lastSeries: (labels: Labels, position: Int)?

    /// Empty counters keeping at most `maxKeys` idempotency keys.
    public init(maxKeys: Int = MockStats.defaultMaxKeys) {
        keys = BoundedKeyTable(capacity: maxKeys)
    }

    /// Completions fully generated per idempotency key (keys with at least one).
    public var executionsByKey: [String: Int] { keys.values.compactMapValues { $0.executions > 0 ? $0.executions : nil } }
    /// Requests (any outcome) per idempotency key.
    public var requestsByKey: [String: Int] { keys.values.mapValues(\.requests) }
    /// Keys held in the key table now.
    public var keysTracked: Int { keys.count }
    /// Keys evicted from the key table to keep it bounded.
    public var keysEvicted: Int { keys.evicted }
    /// The key table's bound.
    public var maxKeys: Int { keys.capacity }

    /// Counts one request. `executed` marks a completion fully generated.
    public mutating func record(path: String, model: String, status: Int?, action: String, idempotencyKey: String?, executed: Bool) {
        recordSeries(path: path, model: model, status: status, action: action, executed: executed)
        if let key = idempotencyKey { recordKey(key, executed: executed) }
    }

    /// Counts one request in its series, the total and the completions (not per key): what a
    /// per-event-loop `StatsShard` keeps, merged with `addSeries(of:)`.
    mutating func recordSeries(path: String, model: String, status: Int?, action: String, executed: Bool) {
        let labels = Labels(path: path, model: model, status: status.map(String.init) ?? "none", action: action)
        if let last = lastSeries, last.labels == labels {
            seriesCounts[last.position] += 1
        } else if let position = seriesPosition[labels] {
            seriesCounts[position] += 1
            lastSeries = (labels, position)
        } else {
            seriesPosition[labels] = seriesCounts.count
            lastSeries = (labels, seriesCounts.count)
            seriesCounts.append(1)
        }
        total += 1
        if executed { completions += 1 }
    }

    /// Counts one request of idempotency key `key` (the key table, duplicate executions, keys too
    /// long): kept in one table for all event loops, since a key's requests may arrive on any of them.
    mutating func recordKey(_ key: String, executed: Bool) {
        guard key.utf8.count <= Self.maxKeyBytes else {
            keysTooLong += 1
            return
        }
        var duplicate = false
        keys.update(key, initial: KeyCounts()) { c in
            c.requests += 1
            if executed {
                duplicate = c.executions > 0
                c.executions += 1
            }
        }
        if duplicate { duplicateExecutions += 1 }
    }

    /// Adds `other`'s series counts, total and completions (its key table and other counters are
    /// not looked at): how the per-event-loop shards are merged into the stats a reader gets.
    mutating func addSeries(of other: MockStats) {
        for (labels, position) in other.seriesPosition {
            let n = other.seriesCounts[position]
            if let mine = seriesPosition[labels] {
                seriesCounts[mine] += n
            } else {
                seriesPosition[labels] = seriesCounts.count
                seriesCounts.append(n)
            }
        }
        total += other.total
        completions += other.completions
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
        s += ",\"duplicate_executions\":" + String(duplicateExecutions)
        s += ",\"keys_tracked\":" + String(keysTracked) + ",\"keys_max\":" + String(maxKeys)
        s += ",\"keys_evicted\":" + String(keysEvicted) + ",\"keys_too_long\":" + String(keysTooLong)
        s += ",\"models_folded\":" + String(modelsFolded) + ",\"connections_refused\":" + String(connectionsRefused)
        s += "}"
        return s
    }
}
