/// Reads a chat-completions body in one pass without building a JSON tree: the fast path of
/// `ChatRequest.parse` for the common, well-formed body (string `model`, messages with string
/// `role` and string `content`, the optional `stream`, `stream_options.include_usage`,
/// `max_tokens`, `max_completion_tokens`). Every other member is validated exactly as
/// `JSONParser` would and skipped.
///
/// It returns nil — and `ChatRequest.parse` falls back to the tree — for anything it does not read
/// itself: invalid JSON, a field of the wrong type or out of range, a content that is not a string
/// (arrays of parts, null), a key written with escapes or non-ASCII bytes, a field given twice
/// (the tree's "last wins" lookup decides those). So a body it accepts gives the same
/// `ChatRequest` as the tree, and every refusal and error message still comes from the tree path
/// (`ChatBodyScannerTests` compares both over valid, mutated and broken bodies).
///
/// Hand-written for a measured reason: building the tree (an array per object and per array, a
/// `String` per key and value, enum boxes) was 10.7% of the mock's CPU per request under
/// `Benchmarks/mock/run.sh` (`perf record -g`, 2026-11-29); this reader allocates only the strings
/// the mock keeps.
struct ChatBodyScanner {
    private var p: JSONParser

    private init(bytes: UnsafeBufferPointer<UInt8>) {
        p = JSONParser(bytes: bytes)
    }

    /// The request, or nil when the body needs the tree path (see the type's documentation).
    static func read<C: Collection>(_ body: C) -> ChatRequest? where C.Element == UInt8 {
        let result = body.withContiguousStorageIfAvailable { buffer -> ChatRequest? in
            var scanner = ChatBodyScanner(bytes: buffer)
            return scanner.request()
        }
        return result ?? nil
    }

    // MARK: The body

    /// The members the mock reads, as found (each at most once).
    private struct Fields {
        var model: String?
        var contents: [String]?
        var stream: Bool?
        var streamSeen = false
        var includeUsage: Bool?
        var streamOptionsSeen = false
        var maxTokens: Int?
        var maxTokensSeen = false
        var maxCompletionTokens: Int?
        var maxCompletionTokensSeen = false
    }

    private mutating func request() -> ChatRequest? {
        p.skipSpace()
        guard peek(UInt8(ascii: "{")) else { return nil }
        p.pos += 1
        var f = Fields()
        p.skipSpace()
        if peek(UInt8(ascii: "}")) { return nil }  // no model: the tree path names it
        while true {
            p.skipSpace()
            guard let key = plainKey() else { return nil }
            p.skipSpace()
            guard peek(UInt8(ascii: ":")) else { return nil }
            p.pos += 1
            p.skipSpace()
            switch key {
            case .model:
                guard f.model == nil, peek(UInt8(ascii: "\"")), let m = p.string(), !m.isEmpty else { return nil }
                f.model = m
            case .messages:
                guard f.contents == nil, let c = messages() else { return nil }
                f.contents = c
            case .stream:
                guard !f.streamSeen else { return nil }
                f.streamSeen = true
                guard let b = boolOrNull() else { return nil }
                f.stream = b
            case .streamOptions:
                guard !f.streamOptionsSeen else { return nil }
                f.streamOptionsSeen = true
                guard let u = streamOptions() else { return nil }
                f.includeUsage = u
            case .maxTokens:
                guard !f.maxTokensSeen else { return nil }
                f.maxTokensSeen = true
                guard let n = tokenLimitOrNull() else { return nil }
                f.maxTokens = n
            case .maxCompletionTokens:
                guard !f.maxCompletionTokensSeen else { return nil }
                f.maxCompletionTokensSeen = true
                guard let n = tokenLimitOrNull() else { return nil }
                f.maxCompletionTokens = n
            case .other:
                guard skipValue(depth: 1) else { return nil }
            }
            p.skipSpace()
            guard p.pos < p.bytes.count else { return nil }
            if p.bytes[p.pos] == UInt8(ascii: ",") {
                p.pos += 1
                continue
            }
            guard p.bytes[p.pos] == UInt8(ascii: "}") else { return nil }
            p.pos += 1
            break
        }
        p.skipSpace()
        guard p.pos == p.bytes.count, let model = f.model, let contents = f.contents else { return nil }
        var r = ChatRequest(model: model, contents: contents)
        r.attributeAndStripTags()
        r.stream = f.stream ?? false
        r.includeUsage = f.includeUsage ?? false
        r.maxTokens = f.maxCompletionTokens ?? f.maxTokens
        return r
    }

    /// `messages`: a non-empty array of objects, each with a string `role` and a string `content`.
    private mutating func messages() -> [String]? {
        guard peek(UInt8(ascii: "[")) else { return nil }
        p.pos += 1
        p.skipSpace()
        if peek(UInt8(ascii: "]")) { return nil }  // empty: the tree path names it
        var contents: [String] = []
        contents.reserveCapacity(4)  // one allocation for the common short conversation, not one per growth
        while true {
            p.skipSpace()
            guard let content = message() else { return nil }
            contents.append(content)
            p.skipSpace()
            guard p.pos < p.bytes.count else { return nil }
            if p.bytes[p.pos] == UInt8(ascii: ",") {
                p.pos += 1
                continue
            }
            guard p.bytes[p.pos] == UInt8(ascii: "]") else { return nil }
            p.pos += 1
            return contents
        }
    }

    /// One message object (depth 2): its string `content`, once its string `role` was seen.
    private mutating func message() -> String? {
        guard peek(UInt8(ascii: "{")) else { return nil }
        p.pos += 1
        p.skipSpace()
        if peek(UInt8(ascii: "}")) { return nil }
        var role = false
        var content: String?
        while true {
            p.skipSpace()
            guard let key = plainMessageKey() else { return nil }
            p.skipSpace()
            guard peek(UInt8(ascii: ":")) else { return nil }
            p.pos += 1
            p.skipSpace()
            switch key {
            case .role:
                guard !role, peek(UInt8(ascii: "\"")), p.string() != nil else { return nil }
                role = true
            case .content:
                guard content == nil, peek(UInt8(ascii: "\"")), let c = p.string() else { return nil }
                content = c
            case .other:
                guard skipValue(depth: 3) else { return nil }
            }
            p.skipSpace()
            guard p.pos < p.bytes.count else { return nil }
            if p.bytes[p.pos] == UInt8(ascii: ",") {
                p.pos += 1
                continue
            }
            guard p.bytes[p.pos] == UInt8(ascii: "}"), role else { return nil }
            p.pos += 1
            return content
        }
    }

    /// `stream_options` (depth 1): null or an object whose `include_usage` is a boolean or null.
    /// The result is `.some(nil)` for null or absent `include_usage`.
    private mutating func streamOptions() -> Bool?? {
        if p.literal("null") { return .some(nil) }
        guard peek(UInt8(ascii: "{")) else { return nil }
        p.pos += 1
        p.skipSpace()
        if peek(UInt8(ascii: "}")) {
            p.pos += 1
            return .some(nil)
        }
        var usageSeen = false
        var usage: Bool?
        while true {
            p.skipSpace()
            guard let key = plainOptionsKey() else { return nil }
            p.skipSpace()
            guard peek(UInt8(ascii: ":")) else { return nil }
            p.pos += 1
            p.skipSpace()
            if key {
                guard !usageSeen, let b = boolOrNull() else { return nil }
                usageSeen = true
                usage = b
            } else {
                guard skipValue(depth: 2) else { return nil }
            }
            p.skipSpace()
            guard p.pos < p.bytes.count else { return nil }
            if p.bytes[p.pos] == UInt8(ascii: ",") {
                p.pos += 1
                continue
            }
            guard p.bytes[p.pos] == UInt8(ascii: "}") else { return nil }
            p.pos += 1
            return .some(usage)
        }
    }

    /// `true`, `false` or `null` (`.some(nil)`); nil for anything else.
    private mutating func boolOrNull() -> Bool?? {
        if p.literal("true") { return .some(true) }
        if p.literal("false") { return .some(false) }
        if p.literal("null") { return .some(nil) }
        return nil
    }

    /// A token limit the tree path accepts (an integral number in 1…`ChatRequest.maxTokensLimit`),
    /// or null (`.some(nil)`); nil for anything else.
    private mutating func tokenLimitOrNull() -> Int?? {
        if p.literal("null") { return .some(nil) }
        guard p.pos < p.bytes.count else { return nil }
        // Plain digits (no sign, fraction or exponent; at most 8, no leading zero) are read here:
        // `JSONParser.number` makes a String and a Double of them (1% of the mock's CPU per request).
        var i = p.pos
        var value = 0
        while i < p.bytes.count, i - p.pos < 9, p.bytes[i] >= 0x30, p.bytes[i] <= 0x39 {
            value = value * 10 + Int(p.bytes[i] - 0x30)
            i += 1
        }
        let digits = i - p.pos
        if digits >= 1, digits <= 8, p.bytes[p.pos] != 0x30, value <= ChatRequest.maxTokensLimit,
            i == p.bytes.count || !Self.continuesNumber(p.bytes[i])
        {
            p.pos = i
            return .some(value)
        }
        let b = p.bytes[p.pos]
        guard b == UInt8(ascii: "-") || (b >= 0x30 && b <= 0x39), case .number(let n)? = p.number() else { return nil }
        guard n.isFinite, n == n.rounded(), n >= 1, n <= Double(ChatRequest.maxTokensLimit) else { return nil }
        return .some(Int(n))
    }

    /// A byte that would continue a JSON number (a digit, fraction, exponent or sign).
    private static func continuesNumber(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || b == UInt8(ascii: ".") || b == UInt8(ascii: "e") || b == UInt8(ascii: "E")
            || b == UInt8(ascii: "+") || b == UInt8(ascii: "-")
    }

    // MARK: Keys

    private enum TopKey { case model, messages, stream, streamOptions, maxTokens, maxCompletionTokens, other }
    private enum MessageKey { case role, content, other }

    /// The raw bytes of a key made of printable ASCII without escapes (the position after its
    /// closing quote), or nil for any other key.
    private mutating func plainKeyBytes() -> UnsafeBufferPointer<UInt8>? {
        guard peek(UInt8(ascii: "\"")) else { return nil }
        let start = p.pos + 1
        var i = start
        while i < p.bytes.count {
            let b = p.bytes[i]
            if b == UInt8(ascii: "\"") {
                p.pos = i + 1
                return UnsafeBufferPointer(rebasing: p.bytes[start..<i])
            }
            guard b >= 0x20, b < 0x80, b != UInt8(ascii: "\\") else { return nil }
            i += 1
        }
        return nil
    }

    private mutating func plainKey() -> TopKey? {
        guard let k = plainKeyBytes() else { return nil }
        if Self.equals(k, "model") { return .model }
        if Self.equals(k, "messages") { return .messages }
        if Self.equals(k, "stream") { return .stream }
        if Self.equals(k, "stream_options") { return .streamOptions }
        if Self.equals(k, "max_tokens") { return .maxTokens }
        if Self.equals(k, "max_completion_tokens") { return .maxCompletionTokens }
        return .other
    }

    private mutating func plainMessageKey() -> MessageKey? {
        guard let k = plainKeyBytes() else { return nil }
        if Self.equals(k, "role") { return .role }
        if Self.equals(k, "content") { return .content }
        return .other
    }

    /// True for `include_usage`, false for another key, nil for a key this reader does not take.
    private mutating func plainOptionsKey() -> Bool? {
        guard let k = plainKeyBytes() else { return nil }
        return Self.equals(k, "include_usage")
    }

    private static func equals(_ bytes: UnsafeBufferPointer<UInt8>, _ text: StaticString) -> Bool {
        guard bytes.count == text.utf8CodeUnitCount else { return false }
        let t = text.utf8Start
        for i in 0..<bytes.count where bytes[i] != t[i] { return false }
        return true
    }

    // MARK: Skipping

    private func peek(_ byte: UInt8) -> Bool {
        p.pos < p.bytes.count && p.bytes[p.pos] == byte
    }

    /// Validates one value as `JSONParser.value(depth:)` would, without building it.
    private mutating func skipValue(depth: Int) -> Bool {
        guard depth < 64, p.pos < p.bytes.count else { return false }
        switch p.bytes[p.pos] {
        case UInt8(ascii: "{"):
            p.pos += 1
            p.skipSpace()
            if peek(UInt8(ascii: "}")) {
                p.pos += 1
                return true
            }
            while true {
                p.skipSpace()
                guard peek(UInt8(ascii: "\"")), skipString() else { return false }
                p.skipSpace()
                guard peek(UInt8(ascii: ":")) else { return false }
                p.pos += 1
                p.skipSpace()
                guard skipValue(depth: depth + 1) else { return false }
                p.skipSpace()
                guard p.pos < p.bytes.count else { return false }
                if p.bytes[p.pos] == UInt8(ascii: ",") {
                    p.pos += 1
                    continue
                }
                guard p.bytes[p.pos] == UInt8(ascii: "}") else { return false }
                p.pos += 1
                return true
            }
        case UInt8(ascii: "["):
            p.pos += 1
            p.skipSpace()
            if peek(UInt8(ascii: "]")) {
                p.pos += 1
                return true
            }
            while true {
                p.skipSpace()
                guard skipValue(depth: depth + 1) else { return false }
                p.skipSpace()
                guard p.pos < p.bytes.count else { return false }
                if p.bytes[p.pos] == UInt8(ascii: ",") {
                    p.pos += 1
                    continue
                }
                guard p.bytes[p.pos] == UInt8(ascii: "]") else { return false }
                p.pos += 1
                return true
            }
        case UInt8(ascii: "\""):
            return skipString()
        case UInt8(ascii: "t"):
            return p.literal("true")
        case UInt8(ascii: "f"):
            return p.literal("false")
        case UInt8(ascii: "n"):
            return p.literal("null")
        default:
            return p.number() != nil
        }
    }

    /// Skips a string at its opening quote: plain ASCII is checked here; escapes and other bytes are
    /// left to `JSONParser.string()` (the same validation as the tree).
    private mutating func skipString() -> Bool {
        let open = p.pos
        var i = open + 1
        while i < p.bytes.count {
            let b = p.bytes[i]
            if b == UInt8(ascii: "\"") {
                p.pos = i + 1
                return true
            }
            if b < 0x20 { return false }
            if b >= 0x80 || b == UInt8(ascii: "\\") { break }
            i += 1
        }
        p.pos = open
        return p.string() != nil
    }
}
