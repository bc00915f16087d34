import Reliability

/// The `GET /_squall/calls` body: one compact JSON object per page, records in sequence order.
///
///     {"run":"k3x9a0zq","next":42,"dropped":0,"last":42,"records":[{"seq":41,"t_ns":…},…]}
enum CallLogJSON {
    /// The page as JSON text.
    static func page(_ p: CallLogPage) -> String {
        var s = "{\"run\":"
        if let run = p.run { JSONText.appendString(run, to: &s) } else { s += "null" }
        s += ",\"next\":" + String(p.next) + ",\"dropped\":" + String(p.dropped) + ",\"last\":" + String(p.lastSeq)
        s += ",\"records\":["
        s.reserveCapacity(s.utf8.count + p.records.count * 330)
        for (i, r) in p.records.enumerated() {
            if i > 0 { s += "," }
            record(r, into: &s)
        }
        s += "]}"
        return s
    }

    /// One record: every key is always present (null when not applicable).
    static func record(_ r: CallRecord, into s: inout String) {
        s += "{\"seq\":" + String(r.seq)
        s += ",\"t_ns\":" + String(nanoseconds(r.time))
        s += ",\"delay_ns\":" + String(nanoseconds(r.delay))
        if let tag = r.tag {
            s += ",\"run\":\"" + tag.run + "\",\"key\":" + String(tag.key)
        } else {
            s += ",\"run\":null,\"key\":null"
        }
        s += ",\"idempotency_key\":"
        if let k = r.idempotencyKey { JSONText.appendString(k, to: &s) } else { s += "null" }
        s += ",\"model\":"
        JSONText.appendString(r.model, to: &s)
        s += ",\"path\":"
        JSONText.appendString(r.path, to: &s)
        s += r.stream ? ",\"stream\":true" : ",\"stream\":false"
        s += ",\"attempt\":" + (r.attempt.map { String($0) } ?? "null")
        switch r.outcome {
        case .status(let code): s += ",\"status\":" + String(code) + ",\"drop\":null"
        case .drop(let kind):
            s += ",\"status\":" + (r.outcome.wireStatus.map { String($0) } ?? "null") + ",\"drop\":\"" + kind.rawValue + "\""
        }
        s += ",\"retry_after\":" + (r.retryAfter.map { number($0.seconds) } ?? "null")
        s += ",\"retry_after_ms\":" + (r.retryAfterMs.map { number($0.milliseconds) } ?? "null")
        s += r.completed ? ",\"completed\":true" : ",\"completed\":false"
        s += ",\"prompt_tokens\":" + String(r.promptTokens) + ",\"completion_tokens\":" + String(r.completionTokens)
        s += ",\"rule\":" + (r.rule.map { String($0) } ?? "null")
        s += "}"
    }

    static func nanoseconds(_ d: Duration) -> Int64 {
        let c = d.components
        return c.seconds &* 1_000_000_000 &+ c.attoseconds / 1_000_000_000
    }

    /// A header-style number: `2`, `1.5`.
    static func number(_ v: Double) -> String { FaultEnactor.number(v) }
}
