import MockLLM

/// The run id every shard of a sharded live run shares (`--run-id`): it prefixes idempotency keys
/// and task ids and is the `SquallTag` run of every attribution tag, so the shards' tags agree and
/// the mock's one call log can be split by key. A `SquallTag` run id (8 characters of [0-9a-z]) is
/// used as given; any other name — a CI pipeline id, the Kubernetes manifests' `$(SQUALL_RUN)` — is
/// hashed (FNV-1a, 64 bits) to one, the same in every process.
public enum LiveRunID {
    /// Longest name accepted.
    public static let maxLength = 128

    /// The run id for `name`.
    /// - Throws: `ShardPartError` naming `--run-id` and what is valid.
    public static func resolve(_ name: String) throws(ShardPartError) -> String {
        if SquallTag.isValidRunID(name) { return name }
        let allowed = name.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2D || c == 0x2E || c == 0x5F
        }
        guard !name.isEmpty, name.utf8.count <= maxLength, allowed else {
            throw ShardPartError(
                "--run-id '\(name.prefix(40))': expected 1 to \(maxLength) characters of letters, digits, '.', '_' and '-' "
                    + "(8 characters of [0-9a-z] are used as they are; anything else is hashed to such an id)")
        }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for c in name.utf8 {
            hash ^= UInt64(c)
            hash = hash &* 0x100_0000_01b3
        }
        var id = String(hash % 2_821_109_907_456, radix: 36)  // 36^8
        while id.count < 8 { id = "0" + id }
        return id
    }
}
