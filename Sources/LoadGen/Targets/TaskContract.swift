import Foundation
import Reliability

/// A JSON value whose strings may hold the placeholders `{task}` (the task text) and `{key}` (the
/// idempotency key): the body of a task service's submit request.
public indirect enum BodyTemplate: Sendable, Hashable {
    /// An object; fields in order.
    case object([BodyField])
    /// An array.
    case array([BodyTemplate])
    /// A JSON string; placeholders are substituted, then the text is JSON-escaped.
    case text(String)
    /// A number, `true`, `false` or `null`, written as is.
    case literal(String)

    /// The body as JSON text for one submission.
    public func render(task: String, key: String) -> String {
        switch self {
        case .object(let fields):
            return "{" + fields.map { JSONText.quoted($0.name) + ":" + $0.value.render(task: task, key: key) }.joined(separator: ",") + "}"
        case .array(let items):
            return "[" + items.map { $0.render(task: task, key: key) }.joined(separator: ",") + "]"
        case .text(let s):
            return JSONText.quoted(s.replacingOccurrences(of: "{task}", with: task).replacingOccurrences(of: "{key}", with: key))
        case .literal(let s):
            return s
        }
    }

    /// Whether a string of the template holds `placeholder` (`{task}`, `{key}`).
    public func uses(_ placeholder: String) -> Bool {
        switch self {
        case .object(let fields): return fields.contains { $0.value.uses(placeholder) }
        case .array(let items): return items.contains { $0.uses(placeholder) }
        case .text(let s): return s.contains(placeholder)
        case .literal: return false
        }
    }
}

/// One field of a `BodyTemplate` object.
public struct BodyField: Sendable, Hashable {
    /// The field name.
    public var name: String
    /// Its value.
    public var value: BodyTemplate
    /// Creates a field.
    public init(_ name: String, _ value: BodyTemplate) {
        self.name = name
        self.value = value
    }
}

/// A dotted path to a field of a JSON document (`task_id`, `job.id`, `data.items.0.state`: object
/// keys, or array indices as numbers).
public struct JSONFieldPath: Sendable, Hashable, CustomStringConvertible {
    /// The path's components.
    public let components: [String]

    /// A path from its dotted form; nil when empty or with an empty component (`a..b`, `.a`).
    public init?(_ dotted: String) {
        let parts = dotted.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !dotted.isEmpty, !parts.contains(where: \.isEmpty) else { return nil }
        components = parts
    }

    /// The dotted form.
    public var description: String { components.joined(separator: ".") }

    /// The value at the path in a parsed JSON document (`JSONSerialization`), or nil.
    public func value(in document: Any?) -> Any? {
        var node = document
        for c in components {
            if let object = node as? [String: Any] {
                node = object[c]
            } else if let array = node as? [Any], let i = Int(c), array.indices.contains(i) {
                node = array[i]
            } else {
                return nil
            }
        }
        return node is NSNull ? nil : node
    }

    /// The value at the path as text: a string, or a number or boolean written out; nil otherwise.
    public func text(in document: Any?) -> String? {
        switch value(in: document) {
        case let s as String: return s
        case let n as NSNumber: return n.stringValue
        default: return nil
        }
    }
}

/// How Squall talks to a task service (`target:` in a scenario, `--target-file`): the submit
/// request, where the answer's task id and status are, which statuses end a task as a success or a
/// failure, how a task is polled — or a synchronous endpoint whose answer is the result — and how
/// the service says it deduplicated a submission. The default is the reference contract: `POST /tasks`
/// `{"task": …, "idempotency_key": …}` with the key also in `Idempotency-Key` → `202 {"task_id", "status"}`,
/// then `GET /tasks/{id}` until `status` is `complete` or `failed` (`pending`, `running` before).
public struct TaskContract: Sendable, Hashable {
    /// The submit request's method. Default `POST`.
    public var method: String = "POST"
    /// The submit request's path. Default `/tasks`.
    public var path: String = "/tasks"
    /// The submit body. Default `{"task": "{task}", "idempotency_key": "{key}"}`.
    public var body: BodyTemplate = .object([BodyField("task", .text("{task}")), BodyField("idempotency_key", .text("{key}"))])
    /// The header carrying the idempotency key; nil for none. Default `Idempotency-Key`.
    public var keyHeader: String? = "Idempotency-Key"
    /// Where the task id is in the submit answer. Default `task_id`.
    public var id: JSONFieldPath = JSONFieldPath("task_id")!
    /// Where the status is in a task document. Default `status`.
    public var status: JSONFieldPath = JSONFieldPath("status")!
    /// Statuses of a task that succeeded. Default `complete`.
    public var success: Set<String> = ["complete"]
    /// Statuses of a task that failed. Default `failed`.
    public var failure: Set<String> = ["failed"]
    /// Statuses of a task still running. When empty, any status outside `success` and `failure`
    /// means still running; otherwise such a status is a contract mismatch. Default `pending`, `running`.
    public var pending: Set<String> = ["pending", "running"]
    /// The poll path, `{id}` (and `{key}`) substituted; nil for a synchronous endpoint whose answer
    /// is the result. Default `/tasks/{id}`.
    public var pollPath: String? = "/tasks/{id}"
    /// The answer header whose `true` says the service deduplicated the submission; nil for none.
    /// Default `Idempotent-Replayed`.
    public var replayedHeader: String? = "Idempotent-Replayed"
    /// The path Squall samples for the service's health (`GET`; 200–399 is healthy, as a
    /// Kubernetes `httpGet` probe judges it) and checks before a run. Default `/health`.
    public var healthPath: String = "/health"
    /// Where a failed task's cause is (a `FailureCause` name). Default `cause`.
    public var cause: JSONFieldPath = JSONFieldPath("cause")!
    /// Where the LLM attempts of a task are (an integer; 0 when absent). Default `attempts`.
    public var attempts: JSONFieldPath = JSONFieldPath("attempts")!
    /// Where the model that answered is. Default `model`.
    public var model: JSONFieldPath = JSONFieldPath("model")!

    /// The reference contract.
    public init() {}

    /// The reference contract.
    public static let reference = TaskContract()

    /// What a task document says, by this contract.
    public enum State: Sendable, Hashable {
        /// Still running (or no status in a submit answer).
        case pending
        /// Ended with a success status.
        case succeeded
        /// Ended with a failure status.
        case failed
        /// A status outside the contract's sets (`status` holds it), or none where one was required (nil).
        case unknown(status: String?)
    }

    /// The state of `document`; `requireStatus` when a status must be there (a poll answer).
    public func state(of document: Any?, requireStatus: Bool) -> State {
        guard let s = status.text(in: document) else { return requireStatus ? .unknown(status: nil) : .pending }
        if success.contains(s) { return .succeeded }
        if failure.contains(s) { return .failed }
        if pending.isEmpty || pending.contains(s) { return .pending }
        return .unknown(status: s)
    }

    /// The poll URL path of task `id` (percent-encoded into the path).
    public func pollPath(id: String, key: String) -> String? {
        guard let pollPath else { return nil }
        let enc = { (s: String) in s.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? s }
        return pollPath.replacingOccurrences(of: "{id}", with: enc(id)).replacingOccurrences(of: "{key}", with: enc(key))
    }
}
