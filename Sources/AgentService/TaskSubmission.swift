import Foundation
import Reliability

/// A validated `POST /tasks` body.
public struct TaskSubmission: Sendable, Hashable {
    /// The task text (non-empty).
    public var task: String
    /// Who asked; `anonymous` when the body had no `user_id`.
    public var userID: String
    /// The idempotency key from the body or the `Idempotency-Key` header.
    public var idempotencyKey: String?

    /// The fingerprint compared when a key is reused: the task and the user.
    public var fingerprint: String { String(stableHash(task + "\u{1F}" + userID), radix: 16) }

    /// Parses and validates a request body and header; the error names the field.
    public static func parse(
        body: [UInt8], headerKey: String?, configuration: AgentServiceConfiguration
    ) throws(APIError) -> TaskSubmission {
        guard body.count <= configuration.maxBodyBytes else {
            throw APIError(
                status: 413, field: "body",
                message: "request body is \(body.count) bytes; at most \(configuration.maxBodyBytes) are accepted")
        }
        guard !body.isEmpty else {
            throw APIError(status: 400, field: "body", message: "request body is empty; expected a JSON object with \"task\"")
        }
        let parsed: Any
        do { parsed = try JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed]) } catch {
            throw APIError(status: 400, field: "body", message: "request body is not valid JSON")
        }
        guard let object = parsed as? [String: Any] else {
            throw APIError(status: 400, field: "body", message: "request body must be a JSON object with \"task\"")
        }
        guard let rawTask = object["task"], !(rawTask is NSNull) else {
            throw APIError(status: 400, field: "task", message: "\"task\" is required")
        }
        guard let task = rawTask as? String else {
            throw APIError(status: 400, field: "task", message: "\"task\" must be a string")
        }
        guard !task.allSatisfy(\.isWhitespace) else {
            throw APIError(status: 400, field: "task", message: "\"task\" must not be empty")
        }
        guard task.count <= configuration.maxTaskCharacters else {
            throw APIError(
                status: 400, field: "task",
                message: "\"task\" is \(task.count) characters; at most \(configuration.maxTaskCharacters) are accepted")
        }
        var userID = "anonymous"
        if let raw = object["user_id"], !(raw is NSNull) {
            guard let s = raw as? String else {
                throw APIError(status: 400, field: "user_id", message: "\"user_id\" must be a string")
            }
            guard !s.isEmpty else { throw APIError(status: 400, field: "user_id", message: "\"user_id\" must not be empty") }
            guard s.count <= configuration.maxUserIDCharacters else {
                throw APIError(
                    status: 400, field: "user_id",
                    message: "\"user_id\" is \(s.count) characters; at most \(configuration.maxUserIDCharacters) are accepted")
            }
            userID = s
        }
        var key: String?
        if let raw = object["idempotency_key"], !(raw is NSNull) {
            guard let s = raw as? String else {
                throw APIError(status: 400, field: "idempotency_key", message: "\"idempotency_key\" must be a string")
            }
            key = s
        }
        if let headerKey {
            if let key, key != headerKey {
                throw APIError(
                    status: 400, field: "idempotency_key",
                    message: "the Idempotency-Key header and \"idempotency_key\" differ; send one, or the same value")
            }
            key = headerKey
        }
        if let key {
            do { try validateIdempotencyKey(key) } catch {
                throw APIError(status: 400, field: "idempotency_key", message: error.description)
            }
        }
        return TaskSubmission(task: task, userID: userID, idempotencyKey: key)
    }
}

/// An error answer: status plus `{"error": message, "field": field}`.
public struct APIError: Error, Sendable, Hashable, CustomStringConvertible {
    /// HTTP status.
    public var status: Int
    /// The request field at fault, if any (`body`, `task`, `user_id`, `idempotency_key`, `id`).
    public var field: String?
    /// What is wrong and what would be valid.
    public var message: String
    /// Seconds for `Retry-After`, on 429/503.
    public var retryAfterSeconds: Int?

    /// Creates an error.
    public init(status: Int, field: String? = nil, message: String, retryAfterSeconds: Int? = nil) {
        self.status = status
        self.field = field
        self.message = message
        self.retryAfterSeconds = retryAfterSeconds
    }

    public var description: String { "\(status) \(field.map { "\($0): " } ?? "")\(message)" }

    /// The JSON body.
    public var jsonBytes: [UInt8] {
        var object: [String: Any] = ["error": message, "status": status]
        if let field { object["field"] = field }
        if let retryAfterSeconds { object["retry_after"] = retryAfterSeconds }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return Array(data)
    }
}
