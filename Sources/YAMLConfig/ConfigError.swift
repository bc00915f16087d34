/// A configuration error that names the place (file:line:column and field path) and what would be valid.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file the value came from (or a label such as `<flag>`).
    public var file: String
    /// 1-based line, 0 when unknown.
    public var line: Int
    /// 1-based column, 0 when unknown.
    public var column: Int
    /// Dotted field path, e.g. `stack.retry.attempts` or `llm.faults[2].status`.
    public var path: String
    /// What is wrong and what would be valid.
    public var message: String
    /// A "did you mean" suggestion, when one is close enough.
    public var suggestion: String?

    /// Creates an error.
    public init(file: String, line: Int, column: Int, path: String, message: String, suggestion: String? = nil) {
        self.file = file
        self.line = line
        self.column = column
        self.path = path
        self.message = message
        self.suggestion = suggestion
    }

    public var description: String {
        var where_ = file
        if line > 0 { where_ += ":\(line):\(column)" }
        var text = "\(where_): "
        if !path.isEmpty { text += "\(path): " }
        text += message
        if let suggestion { text += " (did you mean '\(suggestion)'?)" }
        return text
    }
}

/// Returns the candidate closest to `word` by edit distance, if it is close enough to be a likely typo.
public func closestMatch(to word: String, in candidates: [String]) -> String? {
    let lowered = word.lowercased()
    var best: (String, Int)?
    for c in candidates {
        let d = editDistance(lowered, c.lowercased())
        if best == nil || d < best!.1 { best = (c, d) }
    }
    guard let (match, distance) = best else { return nil }
    let limit = max(1, min(3, lowered.count / 3 + 1))
    return distance <= limit ? match : nil
}

/// Levenshtein distance between two strings (by Character).
public func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a)
    let b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var prev = Array(0...b.count)
    var cur = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        cur[0] = i
        for j in 1...b.count {
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        swap(&prev, &cur)
    }
    return prev[b.count]
}
