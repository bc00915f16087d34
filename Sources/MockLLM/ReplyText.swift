/// Deterministic reply text and the token estimate (1 token ≈ 4 characters) used for `usage`.
public enum ReplyText {
    /// Three-letter words: each word plus its following space is exactly 4 bytes, so a reply of
    /// `n` words estimates to exactly `n` tokens.
    static let words: [String] = [
        "the", "sky", "sea", "fog", "and", "red", "sun", "wet", "low", "air", "ice", "dew", "gap", "arc",
        "ray", "oak", "elm", "owl", "fox", "bee", "cow", "hen", "ram", "yak", "cat", "dog", "ant", "emu",
        "map", "pen", "ink", "cup", "jar", "box", "bag", "hat", "net", "key", "log", "rod", "saw", "tin",
        "big", "old", "new", "hot", "dry", "raw", "far", "shy", "sly", "odd", "fun", "all", "any", "few",
        "run", "sit", "fly", "dig", "row", "sew", "mix", "fix", "tap", "nap", "hop", "zip", "hum", "wax",
    ]

    /// The `index`-th word of the reply generated from `seed` (a pure function: streaming and
    /// non-streaming replies of the same seed have the same words).
    public static func word(seed: UInt64, index: Int) -> String {
        words[wordNumber(seed: seed, index: index)]
    }

    /// The position in `words` of the `index`-th word of the reply generated from `seed`.
    @inline(__always)
    static func wordNumber(seed: UInt64, index: Int) -> Int {
        var z = seed &+ UInt64(truncatingIfNeeded: index) &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Int(z % UInt64(words.count))
    }

    /// `words` as bytes, three per word (every word is three ASCII letters).
    static let wordBytes: [UInt8] = words.flatMap { Array($0.utf8) }

    /// The text of a reply of `tokens` tokens for `seed`: words separated by spaces, ending with a
    /// period, `4 * tokens` bytes long, so `estimateTokens` of it is exactly `tokens`.
    public static func generate(tokens: Int, seed: UInt64) -> String {
        guard tokens > 0 else { return "" }
        var out = ""
        out.reserveCapacity(tokens * 4)
        for i in 0..<tokens {
            if i > 0 { out += " " }
            out += word(seed: seed, index: i)
        }
        out += "."
        return out
    }

    /// The content of stream chunk `index` (0-based) of a reply of `tokens` tokens: one token per chunk,
    /// the concatenation of all chunks equals `generate(tokens:seed:)`.
    public static func chunk(index: Int, of tokens: Int, seed: UInt64) -> String {
        let w = word(seed: seed, index: index)
        if index == tokens - 1 { return index == 0 ? w + "." : " " + w + "." }
        return index == 0 ? w : " " + w
    }

    /// Estimates tokens for a text: one token per 4 UTF-8 bytes, rounded up (0 for empty text).
    public static func estimateTokens(_ text: String) -> Int { (text.utf8.count + 3) / 4 }

    /// Estimates prompt tokens for a list of message contents: the sum of per-message estimates plus
    /// one token of overhead per message.
    public static func estimatePromptTokens<S: Sequence>(contents: S) -> Int where S.Element == String {
        var total = 0
        for c in contents { total += estimateTokens(c) + 1 }
        return total
    }
}
