/// One header field as sent or received: its name as written and its value, trimmed.
public struct HTTPHeader: Sendable, Hashable {
    /// The field name, in the case it was written.
    public var name: String
    /// The field value without surrounding whitespace.
    public var value: String

    /// Creates a header field.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// An ordered list of header fields with case-insensitive lookup by name.
/// Order and duplicates are kept as they appeared on the wire.
public struct HTTPHeaders: Sendable, Hashable, RandomAccessCollection, ExpressibleByDictionaryLiteral {
    /// The fields in wire order.
    public private(set) var fields: [HTTPHeader]

    /// Creates a header list from fields in order (default: empty).
    public init(_ fields: [HTTPHeader] = []) {
        self.fields = fields
    }

    /// Creates a header list from a literal, keeping the literal's order.
    public init(dictionaryLiteral elements: (String, String)...) {
        self.fields = elements.map { HTTPHeader(name: $0.0, value: $0.1) }
    }

    /// The first index.
    public var startIndex: Int { fields.startIndex }
    /// One past the last index.
    public var endIndex: Int { fields.endIndex }
    /// The field at `position`.
    public subscript(position: Int) -> HTTPHeader { fields[position] }

    /// The value of the first field named `name` (ASCII case-insensitive), or nil.
    public subscript(name: String) -> String? {
        fields.first { asciiCaseInsensitiveEqual($0.name, name) }?.value
    }

    /// Every value of the fields named `name` (ASCII case-insensitive), in order.
    public func values(named name: String) -> [String] {
        fields.filter { asciiCaseInsensitiveEqual($0.name, name) }.map(\.value)
    }

    /// True when a field named `name` (ASCII case-insensitive) is present.
    public func contains(name: String) -> Bool {
        fields.contains { asciiCaseInsensitiveEqual($0.name, name) }
    }

    /// Appends a field at the end (duplicates are allowed).
    public mutating func append(name: String, value: String) {
        fields.append(HTTPHeader(name: name, value: value))
    }

    /// Removes every field named `name` (ASCII case-insensitive).
    public mutating func remove(name: String) {
        fields.removeAll { asciiCaseInsensitiveEqual($0.name, name) }
    }

    /// Removes all fields, keeping capacity.
    mutating func removeAll() {
        fields.removeAll(keepingCapacity: true)
    }

    /// The fields as `(name, value)` pairs, the shape `ResponseHints.parse(headers:)` takes.
    public var pairs: [(name: String, value: String)] {
        fields.map { (name: $0.name, value: $0.value) }
    }
}

/// Compares two strings byte by byte, folding ASCII letters only (header names are ASCII tokens).
func asciiCaseInsensitiveEqual(_ a: String, _ b: String) -> Bool {
    var ia = a.utf8.makeIterator()
    var ib = b.utf8.makeIterator()
    while true {
        switch (ia.next(), ib.next()) {
        case (nil, nil): return true
        case let (x?, y?):
            if x == y { continue }
            if asciiLower(x) != asciiLower(y) { return false }
        default: return false
        }
    }
}

@inline(__always)
func asciiLower(_ byte: UInt8) -> UInt8 {
    (byte >= 0x41 && byte <= 0x5A) ? byte | 0x20 : byte
}
