/// One deterministic slice of a sharded command (issue #13): shard `index` of `count`.
///
/// Every shard enumerates the same work list (jobs of a batch, or submissions of a schedule) and
/// keeps the items whose position `i` satisfies `i % count == index`, so the shards' slices are
/// disjoint and their union is exactly the unsharded list. Round-robin rather than contiguous
/// ranges: neighbouring items tend to cost alike (a scenario's seeds, a configuration's
/// mutants), so every shard gets a similar share of the work.
public struct Shard: Sendable, Hashable, Codable, CustomStringConvertible {
    /// This shard's index, 0 ..< `count`.
    public let index: Int
    /// How many shards the work is split into.
    public let count: Int

    /// The most shards a command may be split into: `squall merge` reads every part at once (one
    /// open file each), and 1,000 stays inside the usual 1,024-descriptor limit.
    public static let maxCount = 1_000

    /// A shard; throws when `count` is not 1…`maxCount` or `index` is not 0 ..< `count`.
    public init(index: Int, count: Int) throws(ShardError) {
        guard (1...Self.maxCount).contains(count) else {
            throw ShardError("the shard count \(count) is not valid: expected a whole number from 1 to \(Self.maxCount)")
        }
        guard (0..<count).contains(index) else {
            throw ShardError("the shard index \(index) is not valid for \(count) shards: expected 0 to \(count - 1)")
        }
        self.index = index
        self.count = count
    }

    /// Parses `I/N` (e.g. `0/4`).
    public static func parse(_ text: String) throws(ShardError) -> Shard {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]) else {
            throw ShardError("'\(text)' is not a shard: expected I/N, the index from 0 and the count, e.g. 0/4")
        }
        return try Shard(index: i, count: n)
    }

    /// Whether the item at position `position` of the work list belongs to this shard.
    @inlinable public func contains(_ position: Int) -> Bool { position % count == index }

    /// How many of `total` items belong to this shard.
    public func size(of total: Int) -> Int {
        total <= index ? 0 : (total - index - 1) / count + 1
    }

    /// The directory a shard writes its part into: `part-I-of-N`.
    public var partName: String { "part-\(index)-of-\(count)" }

    /// `I/N`.
    public var description: String { "\(index)/\(count)" }

    private enum CodingKeys: String, CodingKey { case index, count }

    /// Decodes and validates a shard.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(index: c.decode(Int.self, forKey: .index), count: c.decode(Int.self, forKey: .count))
    }
}

/// A shard that cannot be: the message says what would be valid.
public struct ShardError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong and what would be valid.
    public var message: String
    /// Creates the error.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}
