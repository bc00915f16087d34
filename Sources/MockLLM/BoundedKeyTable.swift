/// Per-key values bounded to `capacity` keys: when a new key arrives and the table is full, the key
/// inserted longest ago is evicted (first in, first out, so the result does not depend on hashing)
/// and counted in `evicted`. Memory is bounded by `capacity` × (key + value).
public struct BoundedKeyTable<Value: Sendable>: Sendable {
    /// Keys kept at most.
    public let capacity: Int
    /// The values of the keys held.
    public private(set) var values: [String: Value] = [:]
    /// Keys evicted so far to make room.
    public private(set) var evicted = 0
    /// Insertion order (a ring once full): `order[next]` is the oldest key.
    private var order: ContiguousArray<String> = []
    private var next = 0

    /// An empty table (`capacity` is at least 1).
    public init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Keys held now.
    public var count: Int { values.count }

    /// The value of `key`, if held.
    public subscript(key: String) -> Value? { values[key] }

    /// Changes the value of `key` (inserting `initial` first when absent, evicting the oldest key when full).
    public mutating func update(_ key: String, initial: @autoclosure () -> Value, _ change: (inout Value) -> Void) {
        if values[key] != nil {
            change(&values[key]!)
            return
        }
        if order.count < capacity {
            order.append(key)
        } else {
            values[order[next]] = nil
            evicted += 1
            order[next] = key
            next += 1
            if next == capacity { next = 0 }
        }
        var v = initial()
        change(&v)
        values[key] = v
    }

    /// Sets the value of `key` (inserting it, evicting the oldest key when full).
    public mutating func set(_ key: String, _ value: Value) {
        update(key, initial: value) { $0 = value }
    }

    /// Longest key kept as is by `tableKey`, in bytes.
    public static var maxKeyBytes: Int { 256 }

    /// `key` cut to `maxKeyBytes` bytes, so one absurdly long name cannot hold megabytes in a table.
    public static func tableKey(_ key: String) -> String {
        key.utf8.count <= maxKeyBytes ? key : String(decoding: key.utf8.prefix(maxKeyBytes), as: UTF8.self)
    }
}
