import Foundation
import Reliability

/// How a submitted task ended, as a load run counts it.
public enum RecordStatus: String, Sendable, Hashable, CaseIterable, Codable {
    /// The task succeeded (executed).
    case succeeded
    /// The task failed; `cause` says why.
    case failed
    /// A duplicate whose stored result was replayed without running.
    case replayed
    /// A duplicate rejected because the original was still in flight (409).
    case conflict
    /// The key was reused with a different payload (422).
    case mismatch
    /// The task could not start on time: the in-flight cap was reached (k6's dropped_iterations).
    case dropped
}

/// What a target reports for one task (the driver adds the timing).
public struct TargetResult: Sendable, Hashable {
    /// How it ended.
    public var status: RecordStatus
    /// Why it failed, when it failed.
    public var cause: FailureCause?
    /// LLM attempts (for `raw`, 1).
    public var attempts: Int
    /// LLM calls actually sent.
    public var calls: Int
    /// The last attempt's outcome label (`200`, `503`, `reset`), when known.
    public var lastOutcome: String?
    /// Tokens used.
    public var usage: TokenUsage
    /// The model the task was routed to, when known (stack target).
    public var model: String?
    /// A digest (`stableHash`) of the reply the caller got — the completion, or the stored one a
    /// replay returned — when the target sees it (stack target): a replay is compared with its
    /// original by digest, so no reply text is kept per key.
    public var replyDigest: UInt64?
    /// Creates a result.
    public init(
        status: RecordStatus, cause: FailureCause? = nil, attempts: Int = 1, calls: Int = 1, lastOutcome: String? = nil,
        usage: TokenUsage = .zero, model: String? = nil, replyDigest: UInt64? = nil
    ) {
        self.model = model
        self.replyDigest = replyDigest
        self.status = status
        self.cause = cause
        self.attempts = attempts
        self.calls = calls
        self.lastOutcome = lastOutcome
        self.usage = usage
    }
}

/// One task of a load run, as streamed to CSV. Times are scenario time except `schedulerLag`.
public struct LoadTaskRecord: Sendable, Hashable {
    /// The task.
    public var task: LoadTask
    /// What the target reported.
    public var result: TargetResult
    /// When the task was actually sent (scenario time); equal to the intended start for a dropped task.
    public var sentAt: Duration
    /// When it finished (scenario time).
    public var finishedAt: Duration
    /// How late the send was against the intended start, in real time (the scheduler's own lag,
    /// measured when the task's own coroutine starts, just before it calls the target).
    public var schedulerLag: Duration
    /// How late the driver's pacing loop handed the task over (real time), before it waited for an
    /// executor thread; nil when not paced (closed loop, duplicates, dropped tasks).
    public var dispatchLag: Duration?
    /// Latency from the intended start (scenario time): what a user would have waited.
    public var latency: Duration { finishedAt - task.intendedStart }

    /// Creates a record.
    public init(
        task: LoadTask, result: TargetResult, sentAt: Duration, finishedAt: Duration, schedulerLag: Duration,
        dispatchLag: Duration? = nil
    ) {
        self.dispatchLag = dispatchLag
        self.task = task
        self.result = result
        self.sentAt = sentAt
        self.finishedAt = finishedAt
        self.schedulerLag = schedulerLag
    }

    /// The CSV header line (no newline).
    public static let csvHeader =
        "index,task_id,idempotency_key,duplicate,intended_start_s,sent_s,finished_s,latency_s,scheduler_lag_ms,status,cause,attempts,calls,last_outcome,prompt_tokens,completion_tokens"

    /// This record as one CSV line (no newline).
    public var csvLine: String {
        func s(_ d: Duration) -> String { String(format: "%.6f", d.seconds) }
        return [
            String(task.index), task.id, task.idempotencyKey, task.duplicate?.rawValue ?? "", s(task.intendedStart), s(sentAt),
            s(finishedAt), s(latency), String(format: "%.3f", schedulerLag.milliseconds), result.status.rawValue,
            result.cause?.rawValue ?? "", String(result.attempts), String(result.calls), result.lastOutcome ?? "",
            String(result.usage.promptTokens), String(result.usage.completionTokens),
        ].joined(separator: ",")
    }
}
