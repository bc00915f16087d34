/// A validated chat-completions request body (only the fields the mock uses).
public struct ChatRequest: Sendable, Hashable {
    /// `model`.
    public var model: String
    /// The text of each message (`content` strings, or the `text` parts of a content array).
    public var contents: [String]
    /// `stream`. Default: false.
    public var stream: Bool = false
    /// `stream_options.include_usage`. Default: false.
    public var includeUsage: Bool = false
    /// `max_completion_tokens`, else `max_tokens`.
    public var maxTokens: Int?
    /// The attribution marker (`SquallTag`) of the last message that carries one; every marker is
    /// removed from `contents`, so token estimates do not count it.
    public var tag: SquallTag?

    /// Estimated prompt tokens (see `ReplyText.estimatePromptTokens`).
    public var promptTokens: Int { ReplyText.estimatePromptTokens(contents: contents) }

    /// The largest `max_tokens` / `max_completion_tokens` accepted.
    public static let maxTokensLimit = 10_000_000

    /// A 400 the provider would send: message, the offending parameter and the error code.
    public struct Invalid: Error, Sendable, Hashable {
        /// What is wrong, naming the field.
        public var message: String
        /// The parameter (`model`, `messages[0].content`), nil for a body that is not JSON.
        public var param: String?
        /// The provider's error code (`missing_required_parameter`, `integer_above_max_value`, …), if any.
        public var code: String?

        /// Creates an error.
        public init(message: String, param: String?, code: String? = nil) {
            self.message = message
            self.param = param
            self.code = code
        }
    }

    /// Validates a body: it must be a JSON object with a string `model` and a non-empty `messages`
    /// array of objects with a string `role`; optional fields must have the right types.
    public static func parse<C: Collection>(_ body: C) throws(Invalid) -> ChatRequest where C.Element == UInt8 {
        if let fast = ChatBodyScanner.read(body) { return fast }
        return try parseTree(body)
    }

    /// `parse` through a full JSON tree: every body the fast reader (`ChatBodyScanner`) leaves, and
    /// every error message.
    static func parseTree<C: Collection>(_ body: C) throws(Invalid) -> ChatRequest where C.Element == UInt8 {
        guard let json = JSONValue.parse(body) else {
            throw Invalid(
                message:
                    "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
                param: nil)
        }
        guard case .object = json else {
            throw Invalid(message: "The request body must be a JSON object, got \(json.typeName).", param: nil)
        }
        guard let modelValue = json["model"] else {
            throw Invalid(message: "you must provide a model parameter", param: "model")
        }
        guard case .string(let model) = modelValue, !model.isEmpty else {
            throw Invalid(message: "Invalid type for 'model': expected a non-empty string, but got \(modelValue.typeName) instead.", param: "model")
        }
        guard let messagesValue = json["messages"] else {
            throw Invalid(message: "Missing required parameter: 'messages'.", param: "messages")
        }
        guard case .array(let messages) = messagesValue else {
            throw Invalid(message: "Invalid type for 'messages': expected an array, but got \(messagesValue.typeName) instead.", param: "messages")
        }
        guard !messages.isEmpty else {
            throw Invalid(message: "Invalid 'messages': empty array. Expected an array with minimum length 1.", param: "messages")
        }
        var contents: [String] = []
        contents.reserveCapacity(messages.count)
        for (i, m) in messages.enumerated() {
            guard case .object = m else {
                throw Invalid(message: "Invalid type for 'messages[\(i)]': expected an object, but got \(m.typeName) instead.", param: "messages[\(i)]")
            }
            guard case .string(let role)? = m["role"] else {
                throw Invalid(message: "Missing or invalid 'messages[\(i)].role': expected a string.", param: "messages[\(i)].role")
            }
            // As the OpenAI API: `content` is required, and may be null (or absent) only on an assistant
            // message that carries `tool_calls` or `function_call`; a `function` message may have null.
            let callsTools = role == "assistant" && (Self.present(m["tool_calls"]) || Self.present(m["function_call"]))
            switch m["content"] {
            case .string(let s)?: contents.append(s)
            case nil:
                guard callsTools else {
                    throw Invalid(
                        message: "Missing required parameter: 'messages[\(i)].content'.", param: "messages[\(i)].content",
                        code: "missing_required_parameter")
                }
                contents.append("")
            case .null?:
                guard callsTools || role == "function" else {
                    throw Invalid(
                        message: "Invalid value for 'content': expected a string, got null.", param: "messages[\(i)].content")
                }
                contents.append("")
            case .array(let parts)?:
                var text = ""
                for (j, part) in parts.enumerated() {
                    guard case .object = part else {
                        throw Invalid(
                            message: "Invalid type for 'messages[\(i)].content[\(j)]': expected an object, but got \(part.typeName) instead.",
                            param: "messages[\(i)].content[\(j)]", code: "invalid_type")
                    }
                    switch part["text"] {
                    case .string(let t)?: text += t
                    case nil: break  // image and audio parts carry no text
                    case let other?:
                        throw Invalid(
                            message: "Invalid type for 'messages[\(i)].content[\(j)].text': expected a string, but got \(other.typeName) instead.",
                            param: "messages[\(i)].content[\(j)].text", code: "invalid_type")
                    }
                }
                contents.append(text)
            case let other?:
                throw Invalid(
                    message: "Invalid type for 'messages[\(i)].content': expected one of a string or array of objects, but got \(other.typeName) instead.",
                    param: "messages[\(i)].content", code: "invalid_type")
            }
        }
        var r = ChatRequest(model: model, contents: contents)
        r.attributeAndStripTags()
        switch json["stream"] {
        case .bool(let b)?: r.stream = b
        case .null?, nil: break
        case let other?:
            throw Invalid(message: "Invalid type for 'stream': expected a boolean, but got \(other.typeName) instead.", param: "stream")
        }
        if let so = json["stream_options"], so != .null {
            guard case .object = so else {
                throw Invalid(message: "Invalid type for 'stream_options': expected an object, but got \(so.typeName) instead.", param: "stream_options")
            }
            switch so["include_usage"] {
            case .bool(let b)?: r.includeUsage = b
            case .null?, nil: break
            case let other?:
                throw Invalid(
                    message: "Invalid type for 'stream_options.include_usage': expected a boolean, but got \(other.typeName) instead.",
                    param: "stream_options.include_usage")
            }
        }
        for field in ["max_tokens", "max_completion_tokens"] {
            switch json[field] {
            case .number(let n)?:
                guard n == n.rounded(), n.isFinite else {
                    throw Invalid(
                        message: "Invalid type for '\(field)': expected an integer, but got a decimal number instead.",
                        param: field, code: "invalid_type")
                }
                guard n >= 1 else {
                    throw Invalid(
                        message: "Invalid '\(field)': integer below minimum value. Expected a value >= 1, but got \(Self.integerText(n)) instead.",
                        param: field, code: "integer_below_min_value")
                }
                guard n <= Double(Self.maxTokensLimit) else {
                    throw Invalid(
                        message: "Invalid '\(field)': integer above maximum value. Expected a value <= \(Self.maxTokensLimit), but got \(Self.integerText(n)) instead.",
                        param: field, code: "integer_above_max_value")
                }
                if field == "max_completion_tokens" || r.maxTokens == nil { r.maxTokens = Int(n) }
            case .null?, nil: break
            case let other?:
                throw Invalid(
                    message: "Invalid type for '\(field)': expected an integer, but got \(other.typeName) instead.", param: field,
                    code: "invalid_type")
            }
        }
        return r
    }

    /// Attribution: `tag` becomes the last marker of the last message that has one; every marker is
    /// stripped from `contents`.
    mutating func attributeAndStripTags() {
        var found: SquallTag?
        for i in contents.indices.reversed() where SquallTag.mayContain(contents[i]) {
            if found == nil { found = SquallTag.find(in: contents[i])?.tag }
            contents[i] = SquallTag.strip(contents[i])
        }
        tag = found
    }

    /// A JSON member that is present and not null (nor an empty array).
    static func present(_ v: JSONValue?) -> Bool {
        switch v {
        case nil, .null?: return false
        case .array(let a)?: return !a.isEmpty
        default: return true
        }
    }

    /// An integral number as text (`10000001`, or `1e+30` when too large for an Int).
    static func integerText(_ n: Double) -> String {
        abs(n) < 9e18 ? String(Int(n)) : String(n)
    }
}
