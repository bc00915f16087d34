/// The first request after each fault window's end: from the stack events, the first admission
/// the client stack asked for (an attempt, or a rejection by the open breaker) — the first call
/// that could have succeeded once the provider recovered; and from the LLM call log, the first
/// call the provider saw. `breaker.closes_within … of the first call after the window` measures the
/// breaker's closing from there, so the gap before traffic happened to return does not count.
/// State: two instants per window.
struct WindowEdgeTally: Sendable, Equatable, Codable {
    let ends: [Int64]
    var firstRequest: [Int64?]
    var firstCall: [Int64?]
    var pendingRequests: Int
    var pendingCalls: Int

    init(windows: [FaultWindowInfo]) {
        ends = windows.map { Int64(($0.end * 1e9).rounded()) }
        firstRequest = Array(repeating: nil, count: ends.count)
        firstCall = firstRequest
        pendingRequests = ends.count
        pendingCalls = ends.count
    }

    /// The stack asked to make a call at `at` (admitted or rejected).
    @inline(__always)
    mutating func request(at: Int64) {
        guard pendingRequests > 0 else { return }
        for i in ends.indices where firstRequest[i] == nil && at >= ends[i] {
            firstRequest[i] = at
            pendingRequests -= 1
        }
    }

    /// The provider saw a call at `at`.
    @inline(__always)
    mutating func call(at: Int64) {
        guard pendingCalls > 0 else { return }
        for i in ends.indices where firstCall[i] == nil && at >= ends[i] {
            firstCall[i] = at
            pendingCalls -= 1
        }
    }

    /// Combines with another shard's tally (the earlier instant wins): exact.
    mutating func merge(_ o: WindowEdgeTally) {
        for i in ends.indices where i < o.ends.count {
            firstRequest[i] = Self.earlier(firstRequest[i], o.firstRequest[i])
            firstCall[i] = Self.earlier(firstCall[i], o.firstCall[i])
        }
        pendingRequests = firstRequest.filter { $0 == nil }.count
        pendingCalls = firstCall.filter { $0 == nil }.count
    }

    static func earlier(_ a: Int64?, _ b: Int64?) -> Int64? {
        switch (a, b) {
        case (let x?, let y?): return min(x, y)
        default: return a ?? b
        }
    }

    /// The first request and call after each window, in window order.
    func finish() -> [WindowEdge] {
        ends.indices.map { i in
            WindowEdge(
                window: i + 1, firstRequestSeconds: firstRequest[i].map(ScenarioClock.seconds),
                firstCallSeconds: firstCall[i].map(ScenarioClock.seconds))
        }
    }
}

/// The first request after one fault window ended.
public struct WindowEdge: Sendable, Hashable, Codable {
    /// The window's 1-based index.
    public var window: Int
    /// The first admission the client stack asked for at or after the window's end (stack
    /// events), seconds of scenario time; nil when none (or no stack events).
    public var firstRequestSeconds: Double?
    /// The first call the provider saw at or after the window's end, seconds; nil when none.
    public var firstCallSeconds: Double?
}
